"""The streaming golden (tests/golden/stream_golden.json) that the TypeScript integration test replays
(src/asr/stream-golden.int.test.ts) must describe the shipped model: a model change without regenerating it fails
here, naming the command; the TS side merely skips a stale golden.

The shipped manifest is models/manifest.json, or $OMNISPARSE_STREAM_MANIFEST (to check a golden written from another
export during development). Model-dependent tests are skipped unless that manifest is formatVersion 2."""
import json
import math
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from omnisparse import stream_golden as sg
from omnisparse.features import FrontendSpec, num_frames

GOLDEN = Path(__file__).parent / "golden" / "stream_golden.json"
MANIFEST = Path(os.environ.get("OMNISPARSE_STREAM_MANIFEST", sg.REPO_ROOT / "models" / "manifest.json"))
MAX_BYTES = 1_500_000
ENCODER_TOL = 1e-3  # same graph, same float32 input, one thread: observed 5e-7 (the golden's 6-decimal rounding)


def _load(path: Path):
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _v2_manifest():
    m = _load(MANIFEST)
    if m is None or m.get("formatVersion") != 2:
        pytest.skip(f"{MANIFEST} is not a formatVersion 2 export "
                    f"(formatVersion {None if m is None else m.get('formatVersion')})")
    return m


def _golden():
    g = _load(GOLDEN)
    if g is None:
        pytest.fail(f"{GOLDEN} missing; write it: {sg.command('<defaultLevel>')}")
    return g


def check_layout(g: dict) -> None:
    """Self-consistency of a golden, independent of any model."""
    assert g["format"] == sg.FORMAT
    assert len(g["audio"]) == int(sg.SECONDS * g["sampleRate"])
    t = len(g["features"])
    assert t == num_frames(len(g["audio"])) and all(len(row) == 80 for row in g["features"])
    chunks = g["chunks"]
    assert len(chunks) == max(1, math.ceil(t / g["segmentFrames"]))
    assert sum(c["validFrames"] for c in chunks) == math.ceil(t / g["subsampling"])
    assert len({len(c["encoderOut"]) for c in chunks}) == 1 and len({len(r) for c in chunks for r in c["encoderOut"]}) == 1
    assert all(0 < tok < 29 for tok in g["tokens"])
    assert len(g["encoderSha256"]) == 64


def test_committed_golden_layout_and_size():
    if not GOLDEN.exists():
        pytest.skip(f"{GOLDEN} not written yet")
    assert GOLDEN.stat().st_size < MAX_BYTES, "keep the golden small (fewer chunks / shorter audio)"
    check_layout(_golden())


def test_golden_is_for_the_shipped_model():
    manifest = _v2_manifest()
    reason = sg.stale_reason(_golden(), manifest)
    assert reason is None, reason


def test_reference_reproduces_the_golden():
    manifest = _v2_manifest()
    g = _golden()
    if sg.stale_reason(g, manifest):
        pytest.skip("golden is stale (see test_golden_is_for_the_shipped_model)")
    level = sg.level_of(manifest, g["level"])
    spec = FrontendSpec.from_json(manifest["frontend"])
    stored = np.asarray(g["features"], dtype=np.float32)
    again = sg.python_features(spec, g["audio"])
    assert again.shape == stored.shape and np.abs(again - stored).max() < 1e-5

    # the stored features are the exact encoder input: per-chunk encoder_out and tokens are reproduced
    ref = sg.reference(MANIFEST, level, g["audio"], features=stored)
    assert ref.valid == [c["validFrames"] for c in g["chunks"]]
    worst = max(float(np.abs(out - np.asarray(c["encoderOut"])).max()) for out, c in zip(ref.chunks, g["chunks"]))
    assert worst < ENCODER_TOL
    assert ref.tokens == g["tokens"]

    # from the stored audio. Bit-identical features (same torch build) must give the same tokens; otherwise the
    # int8 encoder (onnxruntime quantizes activations in its fused int8 MatMul) may move by ~1e-2 and flip a
    # near-tied greedy decision, which the exact check above already rules out as a model problem.
    if np.array_equal(again, stored):
        assert sg.reference(MANIFEST, level, g["audio"]).tokens == g["tokens"]


def test_stale_reason_names_the_regeneration_command():
    g = {"format": sg.FORMAT, "manifest": {"name": "m"}, "level": "s00", "encoderSha256": "a" * 64}
    level = {"id": "s00", "files": {"encoder": {"sha256": "a" * 64}}}
    manifest = {"name": "m", "defaultLevel": "s00", "levels": [level]}
    assert sg.stale_reason(g, manifest) is None
    changed = {**manifest, "levels": [{"id": "s00", "files": {"encoder": {"sha256": "b" * 64}}}]}
    msg = sg.stale_reason(g, changed)
    assert msg and "model changed" in msg and "python -m omnisparse.stream_golden" in msg and "--level s00" in msg
    other_default = {**manifest, "defaultLevel": "s50", "levels": [level, {"id": "s50"}]}
    assert "--level s50" in (sg.stale_reason(g, other_default) or "")
    assert "manifest 'x'" in (sg.stale_reason({**g, "manifest": {"name": "x"}}, manifest) or "")


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_cli_on_a_tiny_v2_export(tmp_path):
    """The generator end to end on a tiny random v2 model (no shipped model needed)."""
    from omnisparse.export import file_entry
    from omnisparse.export_v2 import build_manifest, export_onnx, state_spec
    from omnisparse.features import DEFAULT_FRONTEND, load_frontend
    from omnisparse.whisper_model import EncoderDims, HeadConfig, ModelConfigV2, StreamConfig, StreamingTransducer

    torch.manual_seed(0)
    model = StreamingTransducer(ModelConfigV2(EncoderDims(n_mels=80, d_model=32, n_heads=4, n_layers=2, ffn=64,
                                                          n_positions=64),
                                              StreamConfig(8, 2, 16), HeadConfig(joiner=16, hidden=24))).eval()
    root = tmp_path / "export"
    paths = export_onnx(model, root / "levels" / "s00")
    level = {"id": "s00", "sparsity": 0.0, "files": {k: file_entry(p, root) for k, p in paths.items()},
             "state": state_spec(model)}
    spec = load_frontend(DEFAULT_FRONTEND.parent / "frontend-whisper.json")
    manifest = build_manifest(model, spec, "tiny", "test", [level], "s00")
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    out = tmp_path / "golden.json"
    g = sg.main(["--manifest", str(root / "manifest.json"), "--out", str(out)])
    assert json.loads(out.read_text(encoding="utf-8")) == g
    check_layout(g)
    assert g["level"] == "s00" and g["manifest"] == {"name": "tiny", "formatVersion": 2}
    assert sg.stale_reason(g, manifest) is None
    assert len(g["chunks"][0]["encoderOut"]) == manifest["encoderFramesPerChunk"]
    assert len(g["chunks"][0]["encoderOut"][0]) == 16  # the tiny joiner width
    ref = sg.reference(root / "manifest.json", level, g["audio"], features=np.asarray(g["features"], np.float32))
    assert ref.tokens == g["tokens"]
