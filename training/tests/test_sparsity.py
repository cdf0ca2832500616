import random

import pytest
import torch

from omnisparse.model import Transducer, build_config, stream_encode
from omnisparse.sparsity import Supernet, keep_count, slice_model, bake_unstructured, zhu_gupta

PAD = -13.815510557964274


def _net(granularity, seed=0):
    torch.manual_seed(seed)
    model = Transducer(build_config("tiny")).eval()
    return Supernet(model, granularity)


def _outputs(model, feats, targets):
    enc, _ = model.encoder(feats, PAD)
    return model.joint_logits(enc, targets)


def test_zhu_gupta_cubic_schedule():
    assert zhu_gupta(0, 0.9, 10, 110) == 0.0
    assert zhu_gupta(110, 0.9, 10, 110) == pytest.approx(0.9)
    assert zhu_gupta(500, 0.9, 10, 110) == pytest.approx(0.9)
    mid = zhu_gupta(60, 0.9, 10, 110)
    assert mid == pytest.approx(0.9 * (1 - 0.5 ** 3))
    vals = [zhu_gupta(t, 0.9, 10, 110) for t in range(0, 120)]
    assert all(b >= a for a, b in zip(vals, vals[1:]))  # monotone
    # cubic: fast early, slow late
    assert vals[35] - vals[10] > vals[110] - vals[85]


@pytest.mark.parametrize("granularity", ["structured", "unstructured"])
def test_exact_per_group_sparsity_and_nested_masks(granularity):
    net = _net(granularity)
    for g in net.groups:
        prev = None
        for s in (0.0, 0.25, 0.5, 0.75, 0.9):
            if granularity == "structured":
                m = net.unit_mask(g, s)
                assert int(m.sum()) == keep_count(g.n_units, s)
                masks = [m]
            else:
                masks = net.weight_masks(g, s)
                for w, mk in zip(g.matrices(), masks):
                    assert int((mk == 0).sum()) == int(round(s * w.numel()))
            if prev is not None:
                for a, b in zip(prev, masks):
                    assert bool(torch.all(b <= a)), "sparser mask must be a subset of the denser one"
            prev = masks


def test_structured_masks_keep_largest_units():
    net = _net("structured")
    g = net.by_name["enc0.ffn"]
    with torch.no_grad():
        g.producers[0][0].weight[5].mul_(100.0)
    net.refresh()
    assert net.unit_mask(g, 0.9)[5] == 1.0


@pytest.mark.parametrize("seed", [0, 1])
def test_structured_slice_equals_masked_supernet(seed):
    net = _net("structured", seed)
    rng = random.Random(seed)
    config = net.sample(rng, 0.9)
    feats, targets = torch.randn(2, 45, 80), torch.tensor([[3, 4, 5], [6, 7, 8]])
    net.set_config(config)
    masked = _outputs(net.model, feats, targets)
    small = slice_model(net, config)
    net.set_config(None)
    sliced = _outputs(small, feats, targets)
    assert torch.allclose(masked, sliced, atol=1e-5)
    # physically smaller, and the analytic count is exact
    assert small.count_params() == net.nonzero_params(config) < net.total_params()
    # and the sliced model streams exactly too
    s_full, _ = small.encoder(feats[:1], PAD)
    assert torch.allclose(stream_encode(small, feats[0], PAD), s_full[0, :12], atol=1e-5)


def test_unstructured_bake_equals_masked_supernet():
    net = _net("unstructured")
    config = net.uniform(0.7)
    feats, targets = torch.randn(1, 30, 80), torch.tensor([[3, 9]])
    net.set_config(config)
    masked = _outputs(net.model, feats, targets)
    baked = bake_unstructured(net, config)
    net.set_config(None)
    assert torch.allclose(masked, _outputs(baked, feats, targets), atol=1e-6)
    zeros = sum(int((w == 0).sum()) for g in net.groups for w in
                [dict(baked.named_parameters())[n] for n, p in net.model.named_parameters()
                 if any(p is m for m in g.matrices())])
    assert zeros == net.removed_params(config)


def test_masks_do_not_change_dense_and_gradients_flow_only_to_kept_units():
    net = _net("structured")
    feats, targets = torch.randn(1, 30, 80), torch.tensor([[3, 9]])
    dense = _outputs(net.model, feats, targets)
    net.set_config(net.uniform(0.0))
    assert torch.equal(dense, _outputs(net.model, feats, targets))
    config = net.uniform(0.5)
    net.set_config(config)
    _outputs(net.model, feats, targets).sum().backward()
    g = net.by_name["enc1.ffn"]
    lin1 = g.producers[0][0]
    dropped = net.unit_mask(g, 0.5) == 0
    assert float(lin1.weight.grad[dropped].abs().sum()) == 0.0
    assert float(lin1.weight.grad[~dropped].abs().sum()) > 0.0


def test_sample_respects_max_sparsity():
    net = _net("structured")
    rng = random.Random(3)
    for _ in range(20):
        c = net.sample(rng, 0.6)
        assert set(c) == {g.name for g in net.groups} and all(0 <= v <= 0.6 for v in c.values())
    c = net.sample(rng, 0.5, choices=[0.0, 0.3, 0.6, 0.9])
    assert set(c.values()) <= {0.0, 0.3}


def test_prunable_params_counts_shared_matrices_once():
    net = _net("structured")
    assert net.prunable_params() <= net.total_params()
    # removing (almost) everything: effective sparsity approaches 1 but never exceeds it
    config = net.uniform(0.999)
    assert 0.9 < net.effective_sparsity(config) <= 1.0
