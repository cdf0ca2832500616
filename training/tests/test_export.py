import hashlib
import json
import random
from pathlib import Path

import numpy as np
import pytest
import torch

from omnisparse import export
from omnisparse.checkpoint import atomic_save, make_payload
from omnisparse.evaluate import OnnxBackend, StreamGeometry, stream_chunks
from omnisparse.features import DEFAULT_FRONTEND
from omnisparse.model import StreamingEncoder, Transducer, build_config, stream_encode
from omnisparse.sparsity import Supernet, export_model, keep_count
from omnisparse.text import VOCAB

PAD = -13.815510557964274


def tiny_net(granularity: str, seed: int = 0) -> Supernet:
    torch.manual_seed(seed)
    m = Transducer(build_config("tiny")).eval()
    with torch.no_grad():  # non-trivial biases/stats so parity exercises them
        for layer in m.encoder.layers:
            layer.attn.rel_bias.normal_()
        m.encoder.set_feature_stats(torch.randn(80) - 5, torch.rand(80) + 0.5)
    return Supernet(m, granularity)


def write_ckpt(path: Path, granularity: str, seed: int = 0) -> Path:
    net = tiny_net(granularity, seed)
    atomic_save(make_payload(net.model, granularity, 0, {}), path)
    return path


@pytest.mark.parametrize("granularity", ["structured", "unstructured"])
def test_onnx_streams_like_the_masked_supernet(tmp_path, granularity):
    net = tiny_net(granularity)
    config = net.sample(random.Random(1), 0.8, [0.0, 0.3, 0.5, 0.8])
    small = export_model(net, config)
    paths = export.export_onnx(small, tmp_path)
    diffs = export.parity(small, paths, n_chunks=4)
    assert diffs["chunks"] >= 3
    assert max(v for k, v in diffs.items() if k != "chunks") < export.PARITY_TOL, diffs
    # independent reference: the masked supernet's own streaming encoder (not the exported copy)
    net.set_config(config)
    feats = torch.randn(61, 80) * 3 - 5
    with torch.no_grad():
        ref = stream_encode(net.model, feats, PAD).numpy()
    be = OnnxBackend(paths, StreamingEncoder(small.encoder).state_spec())
    state, outs = be.initial_state(), []
    for chunk in stream_chunks(feats.numpy(), StreamGeometry.from_config(small.cfg, PAD)):
        out, state = be.encode_chunk(chunk, state)
        outs.append(out)
    assert be.chunks == 4
    got = np.concatenate(outs)[:ref.shape[0]]
    if granularity == "structured":  # the sliced joiner space keeps the supernet's surviving units, in order
        g = net.by_name["joiner"]
        kept = torch.sort(g.order[:keep_count(g.n_units, config["joiner"])]).values.numpy()
        assert np.abs(np.delete(ref, kept, axis=1)).max() == 0.0
        ref = ref[:, kept]
    assert got.shape == ref.shape and np.abs(got - ref).max() < 1e-4


def test_graph_ops_are_webgpu_ops_and_identities_are_stripped(tmp_path):
    torch.manual_seed(0)
    untrained = Transducer(build_config("tiny")).eval()  # identical LayerNorm params -> exporter Identity nodes
    paths = export.export_onnx(untrained, tmp_path)
    ops = export.check_ops(paths)
    assert "Identity" not in ops["encoder"] and "MatMul" in ops["encoder"]
    assert ops["joiner"] == ["Add", "Gemm", "Tanh"] or set(ops["joiner"]) <= export.WEBGPU_OPS


def test_check_ops_rejects_unsupported_operator(tmp_path):
    import onnx
    from onnx import TensorProto, helper

    g = helper.make_graph([helper.make_node("NonZero", ["x"], ["y"])], "g",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3])],
                          [helper.make_tensor_value_info("y", TensorProto.INT64, [1, None])])
    path = tmp_path / "bad.onnx"
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    with pytest.raises(RuntimeError, match="NonZero"):
        export.check_ops({"encoder": path})


def test_macs_match_hand_count_for_dense_tiny():
    net = tiny_net("structured")
    c = net.model.cfg
    s, d = c.segment, c.d_model
    per_layer = 4 * s * d * d + 2 * s * d * c.ffn_dim + c.n_heads * s * (c.left_context + s) * 2 * c.head_dim
    chunk = (s + 1) * 4 * c.feat_dim * d + s * 3 * d + c.n_layers * per_layer + s * d * c.joiner_dim
    pred = c.pred_embed * c.pred_context * c.pred_hidden + c.pred_hidden * c.joiner_dim
    expected = 6.25 * chunk + 15 * pred + (25 + 15) * c.joiner_dim * c.vocab_size
    assert export.macs_per_second(net.model) == round(expected)
    half = export.macs_per_second(export_model(net, net.uniform(0.5)))
    assert half < 0.75 * expected


def _manifest(tmp_path, granularity):
    ckpt = write_ckpt(tmp_path / "w.pt", granularity)
    out = tmp_path / "models"
    return export.main(["--ckpt", str(ckpt), "--out", str(out), "--levels", "0.5,0,0.9", "--name", "t"]), out


def test_manifest_structured(tmp_path):
    m, out = _manifest(tmp_path, "structured")
    on_disk = json.loads((out / "manifest.json").read_text())
    assert on_disk == m
    assert m["frontend"] == json.loads(Path(DEFAULT_FRONTEND).read_text())
    assert m["vocabulary"] == list(VOCAB) and m["blankId"] == 0 and m["name"] == "t"
    assert (m["segmentFrames"], m["lookaheadFrames"], m["chunkInputFrames"], m["encoderFramesPerChunk"]) == (16, 4, 20, 4)
    assert m["padValue"] == pytest.approx(PAD) and m["contextSize"] == 2 and m["maxSymbolsPerFrame"] == 5
    assert [lv["id"] for lv in m["levels"]] == ["s00", "s50", "s90"] and m["defaultLevel"] == "s50"
    contract_keys = {"id", "label", "sparsity", "granularity", "nonzeroParams", "totalParams", "bytes",
                     "flopsPerSecond", "dev", "files", "state", "layerSparsity"}
    import onnx

    for lv in m["levels"]:
        assert contract_keys <= set(lv)
        assert lv["dev"]["wer"] is None and lv["granularity"] == "structured"
        assert lv["nonzeroParams"] == lv["totalParams"]  # structured levels are physically small
        total = 0
        for f in lv["files"].values():
            data = (out / f["path"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == f["sha256"] and len(data) == f["bytes"]
            total += len(data)
        assert lv["bytes"]["raw"] == total and 0 < lv["bytes"]["gzip"] < total
        enc = onnx.load(str(out / lv["files"]["encoder"]["path"])).graph
        assert [i.name for i in enc.input] == ["features"] + [s["name"] for s in lv["state"]]
        assert [o.name for o in enc.output] == ["encoder_out"] + [s["name"] + "_out" for s in lv["state"]]
    lvs = m["levels"]
    for a, b in zip(lvs, lvs[1:]):
        assert a["sparsity"] < b["sparsity"]
        assert a["bytes"]["raw"] > b["bytes"]["raw"] and a["totalParams"] > b["totalParams"]
        assert a["flopsPerSecond"] > b["flopsPerSecond"]
        for k in ("encoder", "predictor", "joiner"):
            assert a["files"][k]["bytes"] > b["files"][k]["bytes"]


def test_manifest_unstructured_ships_dense_shapes(tmp_path):
    m, _ = _manifest(tmp_path, "unstructured")
    lvs = m["levels"]
    assert len({lv["totalParams"] for lv in lvs}) == 1
    for a, b in zip(lvs, lvs[1:]):
        assert a["nonzeroParams"] > b["nonzeroParams"]
        assert abs(a["bytes"]["raw"] - b["bytes"]["raw"]) < 0.02 * a["bytes"]["raw"]  # same shapes
        assert a["bytes"]["gzip"] > b["bytes"]["gzip"]  # zeros compress


def test_pareto_levels_pick_best_front_config_within_each_targets_band():
    net = tiny_net("structured")
    dense, half, most = net.uniform(0.0), net.uniform(0.5), net.uniform(0.9)
    front = [{"config": dense, "wer": 0.2, "cer": 0.1}, {"config": half, "wer": 0.3, "cer": 0.1},
             {"config": most, "wer": 0.6, "cer": 0.3}]
    assert 0.45 < net.effective_sparsity(half) < 0.55 and 0.85 < net.effective_sparsity(most) < 0.95
    picked = export.configs_from_pareto({"front": front}, net, [0.0, 0.3, 0.85])
    assert [(t, src) for t, _, src in picked] == [(0.0, "dense"), (0.3, "pareto"), (0.85, "pareto")]
    assert picked[0][1] == dense and picked[1][1] == half and picked[2][1] == most


def test_pareto_levels_stay_dense_at_zero_and_never_collapse_onto_one_config():
    # the front's best low-sparsity point is a 19 %-sparse mix and its sparse end sits just below 0.9: s00 must stay
    # dense, and s85 must not take the ~0.9 point that s90 will use (two identical levels)
    net = tiny_net("structured")
    light, most = net.uniform(0.2), net.uniform(0.9)
    front = [{"config": light, "wer": 0.5, "cer": 0.1}, {"config": most, "wer": 0.9, "cer": 0.5}]
    s_most = net.effective_sparsity(most)
    targets = [0.0, round(s_most - 0.01, 4), round(s_most, 4)]
    picked = export.configs_from_pareto({"front": front}, net, targets)
    assert [src for _, _, src in picked] == ["dense", "uniform", "pareto"]
    assert picked[0][1] == net.uniform(0.0) and picked[2][1] == most
    sizes = [net.nonzero_params(c) for _, c, _ in picked]
    assert sizes[0] > sizes[1] >= sizes[2]


def test_pareto_level_never_takes_a_config_far_sparser_than_its_name():
    # a front without dense points (WER saturated early in training) must not label a 70 %-sparse config "s00"
    net = tiny_net("structured")
    front = [{"config": net.uniform(0.7), "wer": 0.9, "cer": 0.6}]
    picked = export.configs_from_pareto({"front": front}, net, [0.0, 0.3, 0.7])
    assert [(t, src) for t, _, src in picked] == [(0.0, "dense"), (0.3, "uniform"), (0.7, "pareto")]
    assert picked[0][1] == net.uniform(0.0)


def test_uniform_fallback_is_never_below_its_target():
    net = tiny_net("structured")
    for t in (0.3, 0.5, 0.85, 0.9):
        c = export.uniform_at_least(net, t)
        assert net.effective_sparsity(c) >= t - 1e-9
        assert net.effective_sparsity(c) < t + 0.06
