import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from omnisparse.features import DEFAULT_FRONTEND, FrontendSpec, LogMel, load_frontend, make_golden, num_frames

GOLDEN = Path(__file__).parent / "golden" / "frontend_golden.json"
WHISPER_FRONTEND = DEFAULT_FRONTEND.parent / "frontend-whisper.json"
WHISPER_GOLDEN = Path(__file__).parent / "golden" / "frontend_whisper_golden.json"


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


@pytest.mark.parametrize("golden_path,frontend_path", [(GOLDEN, DEFAULT_FRONTEND), (WHISPER_GOLDEN, WHISPER_FRONTEND)],
                         ids=["v1", "v2-whisper"])
def test_golden_file_is_current(golden_path: Path, frontend_path: Path) -> None:
    """Golden vectors must match the current spec and LogMel; regenerate with `python -m omnisparse.features golden
    --out tests/golden/frontend_golden.json` (version 2: `--frontend ../models/frontend-whisper.json golden --out
    tests/golden/frontend_whisper_golden.json`) after an intended front-end change."""
    golden = json.loads(golden_path.read_text())
    assert golden["spec"] == json.loads(frontend_path.read_text())
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


# ------------------------------------------------------------------------------------- version 2: Whisper's log-mel
@pytest.fixture(scope="module")
def wspec() -> FrontendSpec:
    return load_frontend(WHISPER_FRONTEND)


def test_whisper_spec_round_trips_and_pads_with_minus_one(wspec: FrontendSpec) -> None:
    assert wspec.to_json() == json.loads(WHISPER_FRONTEND.read_text())
    assert (wspec.version, wspec.n_fft, wspec.win_length, wspec.hop_length) == (2, 400, 400, 160)
    assert (wspec.mel_scale, wspec.mel_norm, wspec.log, wspec.log_floor) == ("slaney", "slaney", "whisper", -8.0)
    assert wspec.pad_value == -1.0
    assert "logFloor" not in load_frontend().to_json()  # version 1 specs stay as they were
    m = LogMel(wspec)
    assert m.fbank.shape == (201, 80)
    assert torch.equal(m(torch.zeros(800)), torch.full((3, 80), -1.0))


@pytest.mark.parametrize("change,problem", [
    ({"melScale": "htk"}, "melScale"),
    ({"melNorm": None}, "melNorm"),
    ({"logFloor": None}, "logFloor"),
    ({"log": "log10"}, "log must be natural or whisper"),
    ({"winLength": 512}, "winLength"),
    ({"center": True}, "center"),
], ids=lambda v: str(v))
def test_whisper_bad_specs_are_rejected(wspec: FrontendSpec, change: dict, problem: str) -> None:
    bad = {**wspec.to_json(), **change}
    with pytest.raises(ValueError, match=problem):
        FrontendSpec.from_json({k: v for k, v in bad.items() if v is not None or k != "logFloor"})


def test_version1_with_a_log_floor_is_rejected(spec: FrontendSpec) -> None:
    with pytest.raises(ValueError, match="logFloor"):
        FrontendSpec.from_json({**spec.to_json(), "logFloor": -8.0})


def _slaney_hz_to_mel(f: np.ndarray) -> np.ndarray:
    logstep = np.log(6.4) / 27.0
    return np.where(f >= 1000.0, 15.0 + np.log(np.maximum(f, 1e-10) / 1000.0) / logstep, f / (200.0 / 3))


def _slaney_mel_to_hz(m: np.ndarray) -> np.ndarray:
    logstep = np.log(6.4) / 27.0
    return np.where(m >= 15.0, 1000.0 * np.exp(logstep * (m - 15.0)), m * (200.0 / 3))


def _librosa_mel_filters(sr: int, n_fft: int, n_mels: int, f_min: float, f_max: float) -> np.ndarray:
    """librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax) defaults (htk=False, norm="slaney"), which Whisper ships
    as mel_filters.npz: [n_mels, n_fft // 2 + 1]. Re-derived here without torchaudio."""
    fft_freqs = np.linspace(0, sr / 2, n_fft // 2 + 1)
    mel_f = _slaney_mel_to_hz(np.linspace(_slaney_hz_to_mel(np.array(f_min)), _slaney_hz_to_mel(np.array(f_max)),
                                          n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fft_freqs[None, :]
    weights = np.maximum(0, np.minimum(-ramps[:-2] / fdiff[:-1, None], ramps[2:] / fdiff[1:, None]))
    return weights * (2.0 / (mel_f[2:n_mels + 2] - mel_f[:n_mels]))[:, None]


def test_whisper_matches_independent_reference(wspec: FrontendSpec) -> None:
    """Whisper's own log_mel_spectrogram recipe (torch.stft(center=True) and the last frame dropped, librosa's
    filters, log10 clamped at 1e-10, (x + 4) / 4) with the per-utterance `max - 8` clamp replaced by the fixed floor.
    With 120 samples prepended, Whisper's centred frame j + 2 covers exactly our frame j; every one of our frames is
    an interior Whisper frame (no reflect padding)."""
    g = torch.Generator().manual_seed(7)
    n = 4000
    t = torch.arange(n, dtype=torch.float64) / wspec.sample_rate
    audio = (0.3 * torch.sin(2 * math.pi * 440 * t) + 0.1 * torch.sin(2 * math.pi * 2500 * t)
             + 0.02 * torch.randn(n, generator=g, dtype=torch.float64))
    window = torch.hann_window(400, periodic=True, dtype=torch.float64)
    y = torch.cat([torch.zeros(120, dtype=torch.float64), audio])
    stft = torch.stft(y, 400, 160, window=window, center=True, pad_mode="reflect", return_complex=True)
    power = stft[..., :-1].abs() ** 2  # [201, T]
    filters = torch.from_numpy(_librosa_mel_filters(16000, 400, 80, 0.0, 8000.0))
    log_spec = torch.clamp(filters @ power, min=1e-10).log10()
    assert log_spec.min() > log_spec.max() - 8  # Whisper's dynamic clamp is inactive: this IS Whisper's output
    whisper = ((torch.clamp(log_spec, min=-8.0) + 4.0) / 4.0).T  # [T, 80]

    ours = LogMel(wspec).double()(audio)
    assert ours.shape == (num_frames(n, wspec), 80)
    torch.testing.assert_close(ours, whisper[2:2 + ours.shape[0]], atol=1e-5, rtol=0)
    # the same frames straight from torch.stft(center=False)
    plain = torch.stft(audio, 400, 160, window=window, center=False, return_complex=True).abs() ** 2
    ref = ((torch.clamp(filters @ plain, min=1e-10).log10().clamp(min=-8.0) + 4.0) / 4.0).T
    torch.testing.assert_close(ours, ref, atol=1e-5, rtol=0)
    # float32 (the training path) stays close too
    torch.testing.assert_close(LogMel(wspec)(audio.float()).double(), ref, atol=1e-4, rtol=0)


def test_whisper_floor_is_fixed_not_per_utterance(wspec: FrontendSpec) -> None:
    """A quiet frame gets the same features whether or not a loud one is in the same utterance (streamable)."""
    m = LogMel(wspec).double()
    g = torch.Generator().manual_seed(1)
    quiet = 1e-4 * torch.randn(800, generator=g, dtype=torch.float64)
    loud = torch.cat([quiet, 0.9 * torch.ones(800, dtype=torch.float64)])
    torch.testing.assert_close(m(quiet), m(loud)[:3], atol=1e-9, rtol=0)
    assert (m(quiet) > -1).any() and (m(quiet) < 0).all()  # some bins sit between the floor and 0
    assert m(1e-7 * torch.ones(400, dtype=torch.float64)).min() == -1.0  # below the floor
