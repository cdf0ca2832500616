"""Whisper's own decoder for the second pass: CT2 variable mapping on a tiny model.bin the test writes, tokenizer
bytes, the ONNX graphs (fp32 parity, int8 with the tied table read as int8), the full-context encoder graph, dual-mode
training, and token-for-token agreement with CTranslate2's generate when the pinned wheel is cached."""
import json

import numpy as np
import pytest
import torch

from omnisparse.export_final import (EncoderFull, encoder_full_parity, export_encoder_full, export_whisper,
                                     whisper_parity)
from omnisparse.pretrained import PretrainedError, fetch_whisper_tiny_en, read_ct2_model, write_ct2_model
from omnisparse.whisper_decoder import (DecoderDims, TokenRules, WhisperDecoder, bytes_to_unicode, decoder_state,
                                        detokenize, greedy)
from omnisparse.whisper_model import EncoderDims, HeadConfig, ModelConfigV2, StreamConfig, StreamingTransducer

DIMS = DecoderDims(n_layers=2, d_model=16, n_heads=2, ffn=24, vocab=50370, n_positions=40)


def tiny_decoder_variables(dims: DecoderDims, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    d, f = dims.d_model, dims.ffn

    def w(*shape):
        return (0.3 * rng.standard_normal(shape)).astype(np.float16)

    v = {"decoder/embeddings/weight": w(dims.vocab, d), "decoder/position_encodings/encodings": w(dims.n_positions, d),
         "decoder/layer_norm/gamma": w(d), "decoder/layer_norm/beta": w(d),
         "decoder/num_heads": np.array(dims.n_heads, dtype=np.int16)}
    for i in range(dims.n_layers):
        p = f"decoder/layer_{i}/"
        for name, shape in {"self_attention/linear_0": (3 * d, d), "self_attention/linear_1": (d, d),
                            "attention/linear_0": (d, d), "attention/linear_1": (2 * d, d),
                            "attention/linear_2": (d, d), "ffn/linear_0": (f, d), "ffn/linear_1": (d, f)}.items():
            v[p + name + "/weight"], v[p + name + "/bias"] = w(*shape), w(shape[0])
        for ln in ("self_attention/layer_norm", "attention/layer_norm", "ffn/layer_norm"):
            v[p + ln + "/gamma"], v[p + ln + "/beta"] = w(d), w(d)
    return v


@pytest.fixture(scope="module")
def tiny_decoder(tmp_path_factory):
    path = tmp_path_factory.mktemp("ct2") / "model.bin"
    v = tiny_decoder_variables(DIMS)
    write_ct2_model(path, v)
    sd, dims = decoder_state(read_ct2_model(path, prefix="decoder/"))
    assert dims == DIMS
    dec = WhisperDecoder(dims)
    dec.load_state_dict(sd)
    assert torch.equal(dec.layers[1].cross_kv.weight, torch.from_numpy(v["decoder/layer_1/attention/linear_1/weight"]).float())
    return dec.eval()


def test_mapping_refuses_a_model_without_decoder(tmp_path):
    write_ct2_model(tmp_path / "m.bin", {"encoder/x": np.zeros(3, np.float32)})
    with pytest.raises(PretrainedError, match="no Whisper decoder"):
        decoder_state(read_ct2_model(tmp_path / "m.bin"))


def test_cached_steps_equal_one_parallel_pass(tiny_decoder):
    """Feeding tokens one at a time with the self-attention caches gives the logits of the whole-sequence pass."""
    torch.manual_seed(0)
    cross = tiny_decoder.cross(torch.randn(1, 11, DIMS.d_model))
    seq = torch.tensor([[50257, 50362, 17, 400, 9]])
    with torch.no_grad():
        past = tiny_decoder.empty_past()
        for j in range(seq.shape[1]):
            step_logits, past = tiny_decoder.step(seq[:, j:j + 1], past, cross)
        whole, _ = tiny_decoder.step(seq, tiny_decoder.empty_past(), cross)
    assert past[0].shape[1] == seq.shape[1]
    torch.testing.assert_close(step_logits, whole, atol=1e-4, rtol=1e-4)


def test_greedy_obeys_suppression_and_limits(tiny_decoder):
    rules = TokenRules(suppress=[5, 6], max_tokens=7)
    ids = greedy(tiny_decoder, torch.randn(1, 9, DIMS.d_model), rules)
    assert len(ids) <= 7
    assert not any(i >= rules.sot or i in (5, 6) for i in ids)
    assert not ids or ids[0] not in rules.begin_suppress


def test_detokenize_joins_bytes_across_tokens():
    table = bytes_to_unicode()
    assert len(set(table.values())) == 256                                    # reversible
    text = " naïve café – ok"
    raw = text.encode("utf-8")
    # split the UTF-8 bytes at arbitrary points, even inside multi-byte characters
    pieces = [raw[0:3], raw[3:4], raw[4:9], raw[9:]]
    vocab = ["".join(table[b] for b in p) for p in pieces] + ["<|endoftext|>"]
    assert detokenize([0, 1, 2, 3, 4], vocab, eot=4) == text.strip()


def test_whisper_graphs_fp32_and_int8(tiny_decoder, tmp_path):
    rules = TokenRules()
    vocab = [f"t{i}" for i in range(DIMS.vocab)]
    entry = export_whisper(tmp_path, "none", tiny_decoder, rules, vocab, log=lambda m: None)
    paths = {k: tmp_path / entry[k]["path"] for k in ("cross", "decoder")}
    d = whisper_parity(tiny_decoder, paths)
    assert d["cross"] < 1e-4 and d["logits"] < 1e-3 * max(1.0, d["logits_scale"]), d
    tokens = json.loads((tmp_path / entry["tokens"]["path"]).read_text())
    assert tokens["prompt"] == [50257, 50362] and len(tokens["vocab"]) == DIMS.vocab

    q = export_whisper(tmp_path / "q", "int8", tiny_decoder, rules, vocab, log=lambda m: None)
    import onnx

    g = onnx.load(str(tmp_path / "q" / q["decoder"]["path"])).graph
    tables = [i for i in g.initializer if i.dims == [DIMS.d_model, DIMS.vocab]]
    assert len(tables) == 1 and tables[0].data_type == onnx.TensorProto.INT8       # the tied table, stored once
    # the embedding lookup reads the int8 table directly; only the projection goes through DequantizeLinear
    assert any(n.op_type == "Gather" and n.input[0] == tables[0].name for n in g.node)
    assert q["bytes"]["raw"] < entry["bytes"]["raw"] / 2


def tiny_transducer() -> StreamingTransducer:
    cfg = ModelConfigV2(encoder=EncoderDims(n_mels=80, d_model=16, n_heads=2, n_layers=2, ffn=24, n_positions=1500),
                        head=HeadConfig(hidden=12, joiner=10), stream=StreamConfig(chunk=4, right=2, left=8))
    torch.manual_seed(0)
    return StreamingTransducer(cfg).eval()


def test_encoder_full_graph_matches_pytorch(tmp_path):
    model = tiny_transducer()
    path = export_encoder_full(model, tmp_path, "none", log=lambda m: None)
    d = encoder_full_parity(EncoderFull(model).eval(), path)
    assert d["hidden"] < 1e-4 and d["encoder_out"] < 1e-4, d


def test_dual_mode_step_trains_the_full_context_mode():
    from omnisparse.stream_train import StageConfig, full_step, teacher_encoder

    model = tiny_transducer().train()
    teacher = tiny_transducer().encoder
    for p in teacher.parameters():
        p.requires_grad_(False)
    feats = torch.randn(2, 60, 80) * 0.4
    model.zero_grad()
    full_step(model, teacher, feats, torch.tensor([30, 20]), torch.tensor([[3, 4, 5], [6, 7, 0]]), torch.tensor([3, 2]),
              StageConfig(full_weight=1.0, full_rnnt_weight=0.5, distill_taps=(0,)), with_head=True)
    grads = {n: p.grad for n, p in model.named_parameters() if p.grad is not None}
    assert any(n.startswith("encoder.layers") for n in grads) and any(n.startswith("joiner") for n in grads)
    assert all(torch.isfinite(g).all() for g in grads.values())
    assert teacher_encoder  # the module's teacher factory stays importable next to full_step


def _wheel_dir():
    try:
        return fetch_whisper_tiny_en(download=False)
    except PretrainedError:
        return None


@pytest.mark.skipif(_wheel_dir() is None, reason="Whisper wheel not cached (python -m omnisparse.pretrained fetch)")
def test_greedy_matches_ctranslate2_generate():
    """Same encoder output in, same tokens out: our decoder == CTranslate2's (measured 13/13 real recordings)."""
    ct2 = pytest.importorskip("ctranslate2")
    from omnisparse.whisper_decoder import load_decoder, token_rules

    folder = _wheel_dir()
    dec, rules = load_decoder(str(folder / "model.bin")), token_rules(folder)
    whisper = ct2.models.Whisper(str(folder), device="cpu", compute_type="float32", intra_threads=1)
    # a tone sweep + noise, padded like Whisper's 30 s window: some text comes out (it hallucinates), deterministic
    t = np.arange(16000 * 2) / 16000
    from omnisparse.features import LogMel, load_frontend
    from omnisparse.stream_train import FRONTEND_V2

    wave = torch.from_numpy((0.3 * np.sin(2 * np.pi * (200 + 300 * t) * t)).astype(np.float32))
    mel = LogMel(load_frontend(FRONTEND_V2))(wave).float()
    mel = torch.nn.functional.pad(mel, (0, 0, 0, 3000 - mel.shape[0]), value=-1.0)
    enc = whisper.encode(ct2.StorageView.from_array(np.ascontiguousarray(mel.T[None].numpy())), to_cpu=True)
    theirs = whisper.generate(enc, [rules.prompt], beam_size=1, suppress_blank=True, suppress_tokens=[-1],
                              max_length=64)[0].sequences_ids[0]
    rules.max_tokens = 64 - len(rules.prompt)
    ours = greedy(dec, torch.from_numpy(np.array(enc)), rules)
    n = min(len(ours), len(theirs), 20)
    assert n > 0 and ours[:n] == theirs[:n], (ours, theirs)


def test_final_line_rule_and_token_logprob_match_the_app():
    import numpy as np
    from omnisparse.final_eval import choose_final, pick_logprob
    # the app's unit test (src/asr/final-pass.test.ts): logit 5 on the pick, 0 on 3 other allowed ids, the rest banned
    logits = np.array([5.0, 0.0, 0.0, 0.0, -np.inf, -np.inf])
    assert pick_logprob(logits, 0) == pytest.approx(5 - np.log(np.exp(5) + 3))
    assert choose_final("nine", "bye", -0.95, -0.8) == ("nine", "stream")
    assert choose_final("nine", "bye", -0.8, -0.8) == ("bye", "whisper")
    assert choose_final("nine", "bye", -3.0, None) == ("bye", "whisper")     # no bound in the manifest
    assert choose_final("nine", " ", -0.1, -0.8) == ("nine", "stream")       # nothing heard: keep what was seen
    # a one-word line needs the one-word bound; longer lines the general one
    assert choose_final("nine", "bye", -0.6, -0.8, -0.5) == ("nine", "stream")
    assert choose_final("nine", "five", -0.5, -0.8, -0.5) == ("five", "whisper")
    assert choose_final("front left", "front left", -0.6, -0.8, -0.5) == ("front left", "whisper")
    assert choose_final("nine", "bye", -0.6, -0.8, None) == ("bye", "whisper")   # absent: the general bound
    # words are counted as the app counts them (digits stay digits): "21." is one word, though it reads "twenty one"
    assert choose_final("twenty", "twenty one", -0.6, -0.8, -0.5, raw=" 21.") == ("twenty", "stream")
    assert choose_final("twenty", "twenty one", -0.6, -0.8, -0.5, raw=" Twenty-one.") == ("twenty one", "whisper")
    from omnisparse.text import app_words
    assert app_words(" Don\u2019t go, O'Neil's café! 'Yes'") == ["don't", "go", "o'neil's", "cafe", "yes"]
