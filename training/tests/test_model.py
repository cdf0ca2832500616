import torch

from omnisparse.model import (StreamingEncoder, Transducer, build_config, chunk_attention_mask, greedy_decode,
                              stream_encode)

PAD = -13.815510557964274


def _model(seed=0, **kw):
    torch.manual_seed(seed)
    m = Transducer(build_config("tiny", **kw)).eval()
    # non-trivial relative biases and feature stats so the tests exercise them
    with torch.no_grad():
        for layer in m.encoder.layers:
            layer.attn.rel_bias.normal_()
        m.encoder.set_feature_stats(torch.randn(80), torch.rand(80) + 0.5)
    return m


def test_chunk_mask_is_block_causal_with_bounded_left_context():
    m = chunk_attention_mask(12, segment=4, left_context=4)
    assert m[0, 3] and not m[0, 4]          # sees own chunk, not the next
    assert m[5, 7] and m[5, 0] is not None
    assert m[9, 4] and not m[9, 3]          # chunk 2 starts at 8, left context 4 -> keys >= 4


def test_streaming_encoder_equals_full_utterance():
    m = _model()
    for t in (1, 16, 37, 81):
        feats = torch.randn(t, 80)
        full, _ = m.encoder(feats[None], PAD)
        n = -(-t // 4)
        stream = stream_encode(m, feats, PAD)
        assert stream.shape == (n, m.cfg.joiner_dim)
        assert torch.allclose(full[0, :n], stream, atol=1e-5), (t, (full[0, :n] - stream).abs().max())


def test_padding_rows_do_not_leak_into_valid_frames():
    m = _model()
    feats = torch.randn(2, 50, 80)
    feats[1, 30:] = PAD
    batch, _ = m.encoder(feats, PAD)
    single, _ = m.encoder(feats[1:, :30], PAD)
    assert torch.allclose(batch[1, :8], single[0, :8], atol=1e-5)


def test_state_spec_matches_step_outputs():
    m = _model()
    step = StreamingEncoder(m.encoder)
    state = step.initial_state()
    outs = step(torch.randn(1, m.cfg.chunk_input_frames, 80), *state)
    assert outs[0].shape == (1, m.cfg.segment, m.cfg.joiner_dim)
    for spec, tensor in zip(step.state_spec(), outs[1:]):
        assert list(tensor.shape) == spec["shape"], spec["name"]


def test_joint_and_greedy_decode_shapes():
    m = _model()
    enc, _ = m.encoder(torch.randn(1, 40, 80), PAD)
    logits = m.joint_logits(enc, torch.tensor([[3, 4, 5]]))
    assert logits.shape == (1, enc.shape[1], 4, m.cfg.vocab_size)
    toks, frames = greedy_decode(m, enc[0], max_symbols=3)
    assert len(toks) == len(frames) and all(0 < t < m.cfg.vocab_size for t in toks)
    assert frames == sorted(frames)


def test_predictor_contexts_pad_with_blank():
    m = _model()
    ctx = m.predictor.contexts_for_targets(torch.tensor([[7, 8, 9]]))
    assert ctx[0].tolist() == [[0, 0], [0, 7], [7, 8], [8, 9]]
