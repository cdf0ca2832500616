"""Recipe v2 through its real CLIs on a tiny model: adapt -> head -> supernet -> export (fp32 and int8, parity
checked inside) -> evaluate the exported levels streaming like the browser (< 3 minutes)."""
import json
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from omnisparse.export_v2 import export_onnx, parity, quantize_int8, state_spec
from omnisparse.stream_train import save_weights
from omnisparse.whisper_model import EncoderDims, HeadConfig, ModelConfigV2, StreamConfig, StreamingTransducer

from test_end_to_end import _corpus, _run


def tiny_checkpoint(path: Path) -> Path:
    torch.manual_seed(0)
    cfg = ModelConfigV2(EncoderDims(n_mels=80, d_model=32, n_heads=4, n_layers=2, ffn=64, n_positions=64),
                        StreamConfig(8, 2, 16), HeadConfig(joiner=16, hidden=24))
    m = StreamingTransducer(cfg)
    with torch.no_grad():
        m.encoder.positions.normal_(std=0.3)
    save_weights(m, path, {})
    return path


def test_pareto_front_keeps_only_non_dominated_points():
    from omnisparse.search_v2 import pareto_front

    pts = [{"params": 10, "cer": 0.5}, {"params": 5, "cer": 0.6}, {"params": 8, "cer": 0.7}, {"params": 10, "cer": 0.4}]
    assert [(q["params"], q["cer"]) for q in pareto_front(pts, "cer")] == [(5, 0.6), (10, 0.4)]


def test_export_parity_fp32_and_int8(tmp_path):
    from omnisparse.stream_train import load_model

    model = load_model(str(tiny_checkpoint(tmp_path / "w.pt"))).eval()
    paths = export_onnx(model, tmp_path / "onnx")
    fp32 = parity(model, paths, n_chunks=8)       # 8 chunks x 8 frames = 64: the position counter wraps
    assert max(v for k, v in fp32.items() if k not in ("chunks", "encoder_scale")) < 1e-4
    names = [s["name"] for s in state_spec(model)]
    assert names[:4] == ["mel_cache", "conv_cache", "position", "valid"] and "k1" in names and "v1" in names
    size32 = sum(p.stat().st_size for p in paths.values())
    quantize_int8(paths, min_size=256)   # the tiny model's matrices are below the default 4096-value floor
    q = parity(model, paths, n_chunks=8)
    # weight-only int8 (per-channel scales): bounded by the weights' rounding, far below the signal (~1)
    assert q["encoder"] < 0.1 and q["joiner"] < 0.05
    assert sum(p.stat().st_size for p in paths.values()) < 0.5 * size32
    import onnx

    assert any(n.op_type == "DequantizeLinear" for n in onnx.load(str(paths["encoder"])).graph.node)


def test_export_fp16_storage(tmp_path):
    from omnisparse.export_v2 import quantize_fp16
    from omnisparse.stream_train import load_model

    model = load_model(str(tiny_checkpoint(tmp_path / "w.pt"))).eval()
    paths = export_onnx(model, tmp_path / "onnx")
    size32 = paths["encoder"].stat().st_size
    quantize_fp16(paths, min_size=256)
    q = parity(model, paths, n_chunks=8)
    assert q["encoder"] < 1e-2                       # fp16 rounding of the weights only
    assert paths["encoder"].stat().st_size < 0.7 * size32


@pytest.mark.slow
def test_adapt_head_supernet_export_evaluate(tmp_path):
    t0 = time.time()
    train, dev = _corpus(tmp_path / "train", 10, 0), _corpus(tmp_path / "dev", 3, 1)
    init = tiny_checkpoint(tmp_path / "init.pt")
    common = ["--train", str(train), "--dev", f"dev={dev}", "--teacher", str(init), "--max-steps", "4",
              "--workers", "0", "--threads", "1", "--batch-seconds", "4", "--eval-limit", "2", "--augment", "false",
              "--warmup-steps", "1"]
    _run("omnisparse.stream_train", "--stage", "adapt", "--init", str(init), "--out", str(tmp_path / "adapt"), *common)
    _run("omnisparse.stream_train", "--stage", "head", "--init", str(tmp_path / "adapt" / "last.pt"),
         "--out", str(tmp_path / "head"), "--enc-frozen-steps", "2", *common)
    out = _run("omnisparse.stream_train", "--stage", "supernet", "--init", str(tmp_path / "head" / "last.pt"),
               "--out", str(tmp_path / "super"), "--target-sparsity", "0.5", *common)
    assert "dev@0.5" in out                      # the sparse end is evaluated too
    metrics = [json.loads(x) for x in (tmp_path / "super" / "metrics.jsonl").read_text().splitlines()]
    assert any("dev" in r for r in metrics)
    pareto = tmp_path / "pareto.json"
    _run("omnisparse.search_v2", "--ckpt", str(tmp_path / "super" / "last.pt"), "--dev", f"dev={dev}",
         "--limit", "2", "--population", "4", "--generations", "1", "--metric", "cer", "--threads", "1",
         "--out", str(pareto))
    search = json.loads(pareto.read_text())
    assert len(search["evaluated"]) == 8 and {"uniform", "random", "gen1"} <= {e["origin"] for e in search["evaluated"]}
    models = tmp_path / "models"
    _run("omnisparse.export_v2", "--ckpt", str(tmp_path / "super" / "last.pt"), "--out", str(models),
         "--levels", "0,0.3", "--dev", f"dev={dev}", "--quantize", "int8", "--threads", "1", "--pareto", str(pareto),
         "--final-pass", "transducer")     # Whisper's decoder export has its own test (test_whisper_decoder.py)
    manifest = json.loads((models / "manifest.json").read_text())
    assert manifest["formatVersion"] == 2 and [lv["id"] for lv in manifest["levels"]] == ["s00", "s30"]
    assert manifest["chunkInputFrames"] == 21 and manifest["padValue"] == -1.0
    assert manifest["levels"][1]["totalParams"] < manifest["levels"][0]["totalParams"]
    report = tmp_path / "eval.json"
    _run("omnisparse.evaluate", "--manifest", str(models / "manifest.json"), "--data", str(dev), "--out", str(report))
    levels = json.loads(report.read_text())["levels"]
    assert len(levels) == 2 and all(np.isfinite(lv["wer"]) for lv in levels)
    # every level carries its full-context encoder; the second pass is evaluated with the app's rule
    assert manifest["finalPass"]["maxFrames"] == 128 and "whisper" not in manifest["finalPass"]   # 64-row table
    assert all("encoderFull" in lv["files"] for lv in manifest["levels"])
    final = tmp_path / "final.json"
    _run("omnisparse.final_eval", "--manifest", str(models / "manifest.json"), "--data", f"dev={dev}", "--out", str(final))
    per_level = json.loads(final.read_text())["levels"]
    assert set(per_level) == {"s00", "s30"}
    assert all({"stream", "transducer"} <= set(r["dev"]) and r["dev"]["transducer"]["msMean"] > 0
               for r in per_level.values())
    assert time.time() - t0 < 180
