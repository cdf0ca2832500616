"""Model family v2: the exactly-streaming encoder (step-by-step == parallel forms, across the position wrap),
the transducer head, nested structured masks and physical slicing."""
import random

import pytest
import torch

from omnisparse.omni import OmniSupernet, slice_model, subnets, zhu_gupta
from omnisparse.whisper_model import (EncoderDims, HeadConfig, ModelConfigV2, StreamConfig, StreamingTransducer,
                                      greedy_decode, stream_encode)

PAD = -1.0


def tiny(stream=StreamConfig(chunk=8, right=2, left=24), n_positions=40, seed=0) -> StreamingTransducer:
    torch.manual_seed(seed)
    cfg = ModelConfigV2(EncoderDims(n_mels=80, d_model=16, n_heads=2, n_layers=2, ffn=24, n_positions=n_positions),
                        stream, HeadConfig(joiner=12, hidden=20))
    m = StreamingTransducer(cfg).eval()
    with torch.no_grad():
        m.encoder.positions.normal_()       # a random table makes any position mix-up visible
    return m


@pytest.mark.parametrize("stream", [StreamConfig(8, 2, 24), StreamConfig(8, 0, 16), StreamConfig(4, 1, 8)])
def test_step_equals_parallel_forms_across_position_wrap(stream):
    m = tiny(stream)
    # 190 mel frames -> ~95 encoder frames, more than the 40-row position table: the wrap happens mid-stream
    mel = torch.randn(2, 190, 80)
    with torch.no_grad():
        blocks = m.encoder.forward_chunked(mel, stream, PAD)[0]
        masked = m.encoder.forward_chunked(mel, stream, PAD, masked=True)[0]
        steps = stream_encode(m.encoder, mel, stream, PAD)
    assert blocks.shape == steps.shape
    assert (blocks - masked).abs().max() < 1e-4
    assert (blocks - steps).abs().max() < 1e-4


def test_streaming_sees_no_future_beyond_right_context():
    s = StreamConfig(8, 2, 24)
    m = tiny(s)
    mel = torch.randn(1, 160, 80)
    changed = mel.clone()
    changed[:, 100:] += 3.0   # mel frame 100 onwards
    with torch.no_grad():
        a = m.encoder.forward_chunked(mel, s, PAD)[0]
        b = m.encoder.forward_chunked(changed, s, PAD)[0]
    # chunk c (encoder frames 8c..8c+7) reads mel up to 16c + 20; chunks 0..4 read at most mel frame 84
    diff = (a - b).abs().amax(-1)[0]
    assert diff[:40].max() == 0
    assert diff[48:].min() > 0


def test_offset_is_a_position_shift():
    s = StreamConfig(8, 2, 24)
    m = tiny(s)
    mel = torch.randn(1, 64, 80)
    with torch.no_grad():
        shifted = m.encoder.forward_chunked(mel, s, PAD, offset=torch.tensor([40 + 7]))[0]
        same = m.encoder.forward_chunked(mel, s, PAD, offset=7)[0]
    assert (shifted - same).abs().max() < 1e-5   # offsets are taken modulo the table


def test_full_context_mode_masks_padding():
    m = tiny()
    mel = torch.randn(1, 50, 80)
    padded = torch.cat([mel, torch.full((1, 30, 80), PAD)], dim=1)
    with torch.no_grad():
        # the same 25 real frames (their conv windows see identical input) with 1 or 15 padded frames after them
        a = m.encoder.forward_full(padded[:, :52], lengths=torch.tensor([25]))[0]
        b = m.encoder.forward_full(padded, lengths=torch.tensor([25]))[0]
        unmasked = m.encoder.forward_full(padded)[0]
    assert (a[:, :25] - b[:, :25]).abs().max() < 1e-5
    assert (unmasked[:, :25] - b[:, :25]).abs().max() > 1e-3


def test_head_shapes_and_greedy_decode():
    m = tiny()
    enc = torch.randn(2, 16, 16)
    x = m.readout(enc)
    assert x.shape == (2, 8, 12)
    targets = torch.tensor([[3, 4, 5], [6, 7, 0]])
    assert m.joint_logits(x, targets).shape == (2, 8, 4, 29)
    ctx = m.predictor.contexts_for_targets(targets)
    assert ctx[0].tolist() == [[0, 0], [0, 3], [3, 4], [4, 5]]
    toks, frames = greedy_decode(m, x[0], max_symbols=3)
    assert len(toks) == len(frames) and all(0 < t < 29 for t in toks)
    assert frames == sorted(frames)


def test_nested_structured_masks_and_slicing():
    m = tiny()
    sup = OmniSupernet(m, min_heads=1, min_ffn=2)
    for g in sup.groups:
        dense, mid, sparse = (set(sup.kept_units(g, s).tolist()) for s in (0.0, 0.5, 0.9))
        assert sparse <= mid <= dense
    cfg = sup.sample(random.Random(0), 0.8)
    sup.set_config(cfg)
    mel = torch.randn(1, 70, 80)
    s = m.cfg.stream
    with torch.no_grad():
        masked = m.encoder.forward_chunked(mel, s, PAD)[0]
        small = slice_model(sup, cfg).eval()
        sliced = small.encoder.forward_chunked(mel, s, PAD)[0]
        stepped = stream_encode(small.encoder, mel, s, PAD)
    assert (masked - sliced).abs().max() < 1e-5
    assert (sliced - stepped).abs().max() < 1e-4
    assert small.count_params() == sup.nonzero_params(cfg)
    assert small.count_params() < m.count_params()


def test_budget_configs_and_sandwich():
    sup = OmniSupernet(tiny(), min_heads=1, min_ffn=2)
    for t in (0.2, 0.4):
        assert sup.effective_sparsity(sup.config_for_budget(t)) >= t - 1e-9
    # beyond what the minimum units allow (1 of 2 heads, 2 of 24 neurons), the sparsest possible net is returned
    most = sup.config_for_budget(0.99)
    assert all(sup.keep(g, most[g]) == sup.min[g[:3]] for g in sup.groups)
    sw = subnets(sup, random.Random(1), 0.6, n_random=2)
    assert sw[0] is None and len(sw) == 4
    assert all(0 <= v <= 0.6 for c in sw[2:] for v in c.values())
    assert subnets(sup, random.Random(1), 0.0) == [None]


def test_cubic_schedule_ramps_monotonically():
    vals = [zhu_gupta(f / 10, 0.9) for f in range(11)]
    assert vals[0] == 0.0 and abs(vals[-1] - 0.9) < 1e-12
    assert all(a < b for a, b in zip(vals, vals[1:]))
    assert vals[5] > 0.9 * 0.8     # cubic: most of the pruning happens early in the ramp
