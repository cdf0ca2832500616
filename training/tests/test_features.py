import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from omnisparse.features import DEFAULT_FRONTEND, FrontendSpec, LogMel, load_frontend, make_golden, num_frames

GOLDEN = Path(__file__).parent / "golden" / "frontend_golden.json"


@pytest.fixture(scope="module")
def spec() -> FrontendSpec:
    return load_frontend()


@pytest.fixture(scope="module")
def mel(spec: FrontendSpec) -> LogMel:
    return LogMel(spec).double()


def test_spec_round_trips_the_repo_file(spec: FrontendSpec) -> None:
    assert spec.to_json() == json.loads(DEFAULT_FRONTEND.read_text())
    assert spec.sample_rate == 16000 and spec.n_mels == 80
    assert spec.pad_value == pytest.approx(-13.815510557964274)


def test_unsupported_spec_is_rejected(spec: FrontendSpec) -> None:
    with pytest.raises(ValueError, match="center"):
        FrontendSpec.from_json({**spec.to_json(), "center": True})
    with pytest.raises(ValueError, match="lacks"):
        FrontendSpec.from_json({"version": 1})


def test_frontend_path_override(tmp_path: Path, spec: FrontendSpec, monkeypatch: pytest.MonkeyPatch) -> None:
    other = {**spec.to_json(), "nMels": 40}
    path = tmp_path / "fe.json"
    path.write_text(json.dumps(other))
    assert load_frontend(path).n_mels == 40
    monkeypatch.setenv("OMNISPARSE_FRONTEND", str(path))
    assert load_frontend().n_mels == 40


@pytest.mark.parametrize("n,frames", [(0, 0), (399, 0), (400, 1), (559, 1), (560, 2), (16000, 98)])
def test_num_frames(n: int, frames: int, mel: LogMel, spec: FrontendSpec) -> None:
    assert num_frames(n, spec) == frames
    assert mel(torch.zeros(n)).shape == (frames, 80)


def test_batched_shapes_and_dtype(spec: FrontendSpec) -> None:
    m = LogMel(spec)
    x = 0.1 * torch.randn(3, 4000)
    y = m(x)
    assert y.shape == (3, num_frames(4000), 80) and y.dtype == torch.float32
    assert torch.allclose(y[1], m(x[1]), atol=1e-5)


def test_silence_is_pad_value(mel: LogMel) -> None:
    assert torch.allclose(mel(torch.zeros(800)), torch.full((3, 80), mel.pad_value, dtype=torch.float64))


def test_streaming_frame_by_frame_equals_whole(mel: LogMel) -> None:
    """The browser computes frames as samples arrive in arbitrary chunks; it must equal the offline result."""
    g = torch.Generator().manual_seed(0)
    audio = 0.2 * torch.randn(9000, generator=g, dtype=torch.float64)
    whole = mel(audio)
    sizes = [int(s) for s in torch.randint(1, 700, (100,), generator=g)]
    got, received, emitted = [], 0, 0
    for size in sizes:
        received = min(received + size, audio.numel())
        while num_frames(received) > emitted:  # a frame exists once its last sample arrived
            start = emitted * 160
            got.append(mel(audio[start:start + 400])[0])
            emitted += 1
        if received == audio.numel():
            break
    assert emitted == whole.shape[0]
    assert torch.allclose(torch.stack(got), whole, atol=1e-9)


def _hz_to_mel(f: np.ndarray) -> np.ndarray:
    return 2595.0 * np.log10(1.0 + f / 700.0)


def test_matches_independent_numpy_reference(mel: LogMel, spec: FrontendSpec) -> None:
    """Re-derive the contract formula from scratch (no torchaudio) to catch a misread of the spec."""
    sr, nfft = spec.sample_rate, spec.n_fft
    bins = np.arange(nfft // 2 + 1) * sr / nfft
    edges_mel = np.linspace(_hz_to_mel(np.array(spec.f_min)), _hz_to_mel(np.array(spec.f_max)), spec.n_mels + 2)
    edges = 700.0 * (10 ** (edges_mel / 2595.0) - 1.0)
    fb = np.zeros((bins.size, spec.n_mels))
    for m in range(spec.n_mels):
        lo, c, hi = edges[m], edges[m + 1], edges[m + 2]
        fb[:, m] = np.maximum(0, np.minimum((bins - lo) / (c - lo), (hi - bins) / (hi - c)))
    rng = np.random.default_rng(3)
    audio = rng.standard_normal(2000) * 0.1
    win = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(400) / 400)
    frames = np.stack([audio[i * 160:i * 160 + 400] * win for i in range(num_frames(audio.size))])
    ref = np.log(np.abs(np.fft.rfft(frames, n=nfft)) ** 2 @ fb + 1e-6)
    # torchaudio builds the filterbank in float32, hence ~1e-5 rather than 1e-12 agreement
    np.testing.assert_allclose(mel(torch.from_numpy(audio)).numpy(), ref, atol=1e-4)


@pytest.mark.parametrize("freq", [300.0, 1000.0, 4000.0])
def test_tone_lands_in_the_right_mel_bin(freq: float, mel: LogMel, spec: FrontendSpec) -> None:
    t = torch.arange(8000, dtype=torch.float64) / spec.sample_rate
    feats = mel(0.5 * torch.sin(2 * math.pi * freq * t))
    edges_mel = np.linspace(_hz_to_mel(np.array(spec.f_min)), _hz_to_mel(np.array(spec.f_max)), spec.n_mels + 2)
    centres_hz = 700.0 * (10 ** (edges_mel[1:-1] / 2595.0) - 1.0)
    expected = int(np.argmin(np.abs(centres_hz - freq)))
    peak = int(feats.mean(0).argmax())
    assert abs(peak - expected) <= 1, (peak, expected)


def test_golden_file_is_current() -> None:
    """Golden vectors must match the current spec and LogMel; regenerate with `python -m omnisparse.features golden
    --out tests/golden/frontend_golden.json` after an intended front-end change."""
    golden = json.loads(GOLDEN.read_text())
    assert golden["spec"] == json.loads(DEFAULT_FRONTEND.read_text())
    spec = FrontendSpec.from_json(golden["spec"])
    m = LogMel(spec).double()
    names = [c["name"] for c in golden["cases"]]
    assert len(names) >= 3 and "one_frame_400" in names
    for case in golden["cases"]:
        feats = m(torch.tensor(case["audio"], dtype=torch.float64))
        stored = torch.tensor(case["features"], dtype=torch.float64)
        assert feats.shape == stored.shape == (num_frames(len(case["audio"])), 80)
        assert (feats - stored).abs().max() < 1e-5, case["name"]
        # what a float32 implementation (the browser) gets must be well inside the 1e-3 tolerance
        f32 = LogMel(spec)(torch.tensor(case["audio"], dtype=torch.float32)).double()
        assert (f32 - stored).abs().max() < golden["tolerance"] / 4, case["name"]
    assert golden["audio"] == golden["cases"][0]["audio"]


def test_golden_generation_is_deterministic(spec: FrontendSpec) -> None:
    small = replace(spec)
    a = make_golden(small, spec.to_json())
    b = make_golden(small, spec.to_json())
    assert a == b
