import json
import math

import numpy as np
import pytest
import torch
import torchaudio

from omnisparse import evaluate as ev
from omnisparse.checkpoint import atomic_save, make_payload
from omnisparse.export import main as export_main
from omnisparse.model import Transducer, build_config, greedy_decode, stream_encode

PAD = -13.815510557964274
TEXTS = ["a cat", "hello there", "no", "the sun is up"]


def write_wavs(tmp_path, texts=TEXTS):
    rows = []
    for i, t in enumerate(texts):
        n = int(16000 * (0.3 + 0.41 * i)) + 37 * i  # ragged lengths: partial last chunks
        x = 0.3 * torch.sin(2 * math.pi * (200 + 170 * i) * torch.arange(n) / 16000) + 0.01 * torch.randn(n)
        torchaudio.save(str(tmp_path / f"u{i}.wav"), x[None], 16000)
        rows.append({"id": f"u{i}", "audio": f"u{i}.wav", "duration": n / 16000, "text": t})
    path = tmp_path / "test.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def tiny_model(seed=0):
    torch.manual_seed(seed)
    m = Transducer(build_config("tiny")).eval()
    with torch.no_grad():
        for layer in m.encoder.layers:
            layer.attn.rel_bias.normal_()
        m.encoder.set_feature_stats(torch.full((80,), -6.0), torch.full((80,), 3.0))
        m.joiner.out.bias[0] += 0.5  # blank often wins: hypotheses of mixed length, not max_symbols everywhere
    return m


@pytest.mark.parametrize("n_frames", [0, 1, 15, 16, 17, 64, 83])
def test_chunking_matches_the_model_padding(n_frames):
    m = tiny_model()
    geo = ev.StreamGeometry.from_config(m.cfg, PAD)
    n_chunks, padded, n_valid = ev.chunk_windows(n_frames, geo)
    assert padded == m.encoder.pad_features(torch.zeros(1, n_frames, 80), PAD).shape[1]
    assert n_valid == -(-n_frames // 4)
    chunks = list(ev.stream_chunks(np.zeros((n_frames, 80), np.float32), geo))
    assert len(chunks) == n_chunks and all(c.shape == (1, 20, 80) for c in chunks)
    if n_frames % 16:
        assert chunks[-1][0, -1, 0] == np.float32(PAD)


def test_transcribe_equals_reference_stream_encode_plus_greedy():
    m = tiny_model()
    geo = ev.StreamGeometry.from_config(m.cfg, PAD)
    for t in (5, 40, 77):
        feats = torch.randn(t, 80) * 3 - 6
        with torch.no_grad():
            ref, _ = greedy_decode(m, stream_encode(m, feats, PAD), max_symbols=5)
        assert ev.transcribe(ev.TorchBackend(m), feats.numpy(), geo) == ref


class ScriptedBackend:
    """Joiner always prefers token 3 ('a'): every kept frame emits exactly max_symbols symbols."""

    def initial_state(self):
        return []

    def encode_chunk(self, chunk, state):
        return np.zeros((4, 2), np.float32), state

    def predict(self, context):
        return np.zeros(2, np.float32)

    def join(self, enc, pred):
        logits = np.zeros(29, np.float32)
        logits[3] = 1.0
        return logits


def test_greedy_limits_symbols_and_drops_padding_frames():
    geo = ev.StreamGeometry(max_symbols=3)
    for t in (1, 16, 18):
        tokens = ev.transcribe(ScriptedBackend(), np.zeros((t, 80), np.float32), geo)
        assert tokens == [3] * (3 * -(-t // 4))
    items = [ev.EvalItem("x", np.zeros((4, 80), np.float32), "aaa", 0.04),
             ev.EvalItem("y", np.zeros((8, 80), np.float32), "b", 0.08)]
    hyps = []
    c = ev.evaluate_items(ScriptedBackend(), items, geo, hyps)
    assert hyps == ["aaa", "aaaaaa"] and c.word_errors == 1 and c.words == 2


def test_both_backends_give_identical_hypotheses(tmp_path):
    data = write_wavs(tmp_path)
    ckpt = tmp_path / "w.pt"
    atomic_save(make_payload(tiny_model(), "structured", 0, {}), ckpt)
    export_main(["--ckpt", str(ckpt), "--out", str(tmp_path / "models"), "--levels", "0,0.5"])
    onnx_r = ev.main(["--manifest", str(tmp_path / "models/manifest.json"), "--data", str(data),
                      "--out", str(tmp_path / "onnx.json")])
    torch_r = ev.main(["--backend", "torch", "--ckpt", str(ckpt), "--levels", "0,0.5", "--data", str(data),
                       "--out", str(tmp_path / "torch.json")])
    assert [lv["id"] for lv in onnx_r["levels"]] == [lv["id"] for lv in torch_r["levels"]] == ["s00", "s50"]
    for a, b in zip(onnx_r["levels"], torch_r["levels"]):
        hyps_a = [u["hyp"] for u in a["utterances"]]
        assert hyps_a == [u["hyp"] for u in b["utterances"]]
        assert a["wer"] == b["wer"] and a["cer"] == b["cer"] and a["utts"] == len(TEXTS)
        assert a["encoderChunkMs"] > 0 and b["encoderChunkMs"] > 0 and a["rtf"] > 0
    assert len({len(u["hyp"]) for u in onnx_r["levels"][0]["utterances"]}) > 1  # not a degenerate decoder
    md = (tmp_path / "onnx.md").read_text()
    assert "| s00 |" in md and "| s50 |" in md
    assert json.loads((tmp_path / "onnx.json").read_text())["levels"][1]["id"] == "s50"


def test_evaluate_model_honours_masks_and_reuses_items(tmp_path):
    from omnisparse.data import read_manifest
    from omnisparse.sparsity import Supernet

    m = tiny_model()
    utts = read_manifest(write_wavs(tmp_path))
    items = ev.featurize(utts)
    assert len(items) == len(utts) and items[0].feats.shape[1] == 80
    net = Supernet(m, "structured")
    dense = ev.evaluate_model(m, items)
    assert dense.as_dict() == ev.evaluate_model(m, utts).as_dict()  # Utterances or EvalItems: same result
    net.set_config(net.uniform(0.9))
    hyps_sparse = []
    ev.evaluate_model(m, items, hyps=hyps_sparse)
    net.set_config(None)
    hyps_dense = []
    ev.evaluate_model(m, items, hyps=hyps_dense)
    assert hyps_sparse != hyps_dense


def test_card_table_joins_manifest_sizes_and_reports(tmp_path):
    manifest = {"levels": [
        {"id": "s00", "sparsity": 0.0, "nonzeroParams": 1000, "bytes": {"gzip": 2_500_000}},
        {"id": "s90", "sparsity": 0.9, "nonzeroParams": 100, "bytes": {"gzip": 250_000}}]}
    synth = {"levels": [{"id": "s00", "wer": 0.5, "cer": 0.25, "encoderChunkMs": 1.234},
                        {"id": "s90", "wer": 1.0, "cer": 0.9, "encoderChunkMs": 0.5}]}
    fsdd = {"levels": [{"id": "s00", "wer": 0.125, "cer": 0.0625, "encoderChunkMs": 9.0}]}
    table = ev.card_table(manifest, {"synth": synth, "fsdd": fsdd})
    lines = table.strip().splitlines()
    assert lines[0] == "| level | sparsity | nonzero params | MB (gzip) | synth WER / CER | fsdd WER / CER | enc ms / chunk |"
    assert lines[2] == "| s00 | 0.00 | 1,000 | 2.50 | 50.0 / 25.0 | 12.5 / 6.2 | 1.23 |"
    assert lines[3] == "| s90 | 0.90 | 100 | 0.25 | 100.0 / 90.0 | – | 0.50 |"
    m, r = tmp_path / "manifest.json", tmp_path / "synth.json"
    m.write_text(json.dumps(manifest))
    r.write_text(json.dumps(synth))
    ev.main(["--manifest", str(m), "--card", f"synth={r}", "--out", str(tmp_path / "t.md")])
    assert "| s90 | 0.90 | 100 | 0.25 | 100.0 / 90.0 | 0.50 |" in (tmp_path / "t.md").read_text()
