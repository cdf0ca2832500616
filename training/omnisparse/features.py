"""Log-mel front end of docs/contracts.md §1, shared bit-for-bit (within float error) with the browser.

Framing is done by hand (unfold + rfft) rather than torch.stft because stft centres a 400-sample window inside the
512-point frame, whereas the contract zero-pads the 400 windowed samples at the end.

CLI:
    python -m omnisparse.features golden --out tests/golden/frontend_golden.json
    python -m omnisparse.features --frontend ../models/frontend-whisper.json golden \
        --out tests/golden/frontend_whisper_golden.json
    python -m omnisparse.features stats --manifest M.jsonl --out stats.json [--max-utts 2000]
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Sequence

import torch
import torchaudio

from .corpus_io import AudioError, load_audio, read_manifest

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_FRONTEND = REPO_ROOT / "models" / "frontend.json"
FRONTEND_ENV = "OMNISPARSE_FRONTEND"

# JSON key <-> dataclass field; the JSON uses the TypeScript (camelCase) names.
_KEYS = {"version": "version", "sampleRate": "sample_rate", "nFft": "n_fft", "winLength": "win_length",
         "hopLength": "hop_length", "window": "window", "center": "center", "preemphasis": "preemphasis",
         "dither": "dither", "nMels": "n_mels", "fMin": "f_min", "fMax": "f_max", "melScale": "mel_scale",
         "melNorm": "mel_norm", "power": "power", "logOffset": "log_offset", "log": "log"}
# Keys only the Whisper-style front end (version 2) has; absent in version 1 specs.
_OPTIONAL_KEYS = {"logFloor": "log_floor"}


@dataclass(frozen=True)
class FrontendSpec:
    version: int
    sample_rate: int
    n_fft: int
    win_length: int
    hop_length: int
    window: str
    center: bool
    preemphasis: float
    dither: float
    n_mels: int
    f_min: float
    f_max: float
    mel_scale: str
    mel_norm: str | None
    power: float
    log_offset: float
    log: str
    log_floor: float | None = None

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "FrontendSpec":
        missing = set(_KEYS) - set(obj)
        if missing:
            raise ValueError(f"frontend spec lacks keys {sorted(missing)}")
        spec = cls(**{field: obj[key] for key, field in _KEYS.items()},
                   **{field: obj[key] for key, field in _OPTIONAL_KEYS.items() if key in obj})
        spec.check_supported()
        return spec

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        out = {key: d[field] for key, field in _KEYS.items()}
        out.update({key: d[field] for key, field in _OPTIONAL_KEYS.items() if d[field] is not None})
        return out

    def check_supported(self) -> None:
        """Only what the browser implements is accepted, so a spec change cannot silently diverge.

        Two variants exist: version 1 (HTK mel, ln(mel + logOffset)) and version 2, Whisper's log-mel made streaming
        (Slaney mel with Slaney area norm, (max(log10(max(mel, logOffset)), logFloor) + 4) / 4: Whisper's
        per-utterance `max - 8` clamp is replaced by the fixed floor `logFloor`, which a stream can apply)."""
        whisper = self.log == "whisper"
        problems = [name for name, ok in [
            ("window must be hann_periodic", self.window == "hann_periodic"),
            ("center must be false", self.center is False),
            ("preemphasis must be 0", self.preemphasis == 0),
            ("dither must be 0", self.dither == 0),
            ("log must be natural or whisper", self.log in ("natural", "whisper")),
            ("melScale must be htk (natural) or slaney (whisper)", self.mel_scale == ("slaney" if whisper else "htk")),
            ("melNorm must be null (natural) or slaney (whisper)", self.mel_norm == ("slaney" if whisper else None)),
            ("logFloor is required by (only) the whisper log", (self.log_floor is not None) == whisper),
            ("winLength must be <= nFft", self.win_length <= self.n_fft),
        ] if not ok]
        if problems:
            raise ValueError("unsupported frontend spec: " + "; ".join(problems))

    @property
    def pad_value(self) -> float:
        """Feature value of digital silence: ln(logOffset), or for the whisper log (logFloor' + 4) / 4."""
        if self.log == "whisper":
            assert self.log_floor is not None
            return (max(math.log10(self.log_offset), self.log_floor) + 4.0) / 4.0
        return math.log(self.log_offset)


def frontend_path(path: str | Path | None = None) -> Path:
    if path is not None:
        return Path(path)
    return Path(os.environ.get(FRONTEND_ENV, DEFAULT_FRONTEND))


def load_frontend(path: str | Path | None = None) -> FrontendSpec:
    """models/frontend.json of this repo, or `path`, or $OMNISPARSE_FRONTEND."""
    with open(frontend_path(path), encoding="utf-8") as f:
        return FrontendSpec.from_json(json.load(f))


def num_frames(num_samples: int, spec: FrontendSpec | None = None) -> int:
    """Frames available once `num_samples` arrived (center=False: frame i needs i*hop + win samples)."""
    win, hop = (400, 160) if spec is None else (spec.win_length, spec.hop_length)
    return 0 if num_samples < win else 1 + (num_samples - win) // hop


class LogMel(torch.nn.Module):
    """Waveform [N] or [B, N] (float, 16 kHz, in [-1, 1]) -> log-mel features [T, n_mels] or [B, T, n_mels]."""

    window: torch.Tensor
    fbank: torch.Tensor

    def __init__(self, spec: FrontendSpec | None = None) -> None:
        super().__init__()
        self.spec = spec if spec is not None else load_frontend()
        s = self.spec
        self.register_buffer("window", torch.hann_window(s.win_length, periodic=True, dtype=torch.float64))
        fb = torchaudio.functional.melscale_fbanks(
            n_freqs=s.n_fft // 2 + 1, f_min=s.f_min, f_max=s.f_max, n_mels=s.n_mels, sample_rate=s.sample_rate,
            norm=s.mel_norm, mel_scale=s.mel_scale)
        self.register_buffer("fbank", fb.to(torch.float64))  # [n_freqs, n_mels]
        self.float()  # float32 by default; .double() gives the reference used for golden vectors

    @property
    def pad_value(self) -> float:
        return self.spec.pad_value

    def num_frames(self, num_samples: int) -> int:
        return num_frames(num_samples, self.spec)

    def forward(self, wave: torch.Tensor) -> torch.Tensor:
        s = self.spec
        if wave.dim() not in (1, 2):
            raise ValueError(f"expected [N] or [B, N] waveform, got shape {tuple(wave.shape)}")
        wave = wave.to(self.window.dtype)
        n = wave.shape[-1]
        if n < s.win_length:
            return wave.new_zeros(wave.shape[:-1] + (0, s.n_mels))
        frames = wave.unfold(-1, s.win_length, s.hop_length) * self.window  # [.., T, win]
        spec = torch.fft.rfft(frames, n=s.n_fft).abs().pow(s.power)  # zero-padded at the end to n_fft
        mel = spec @ self.fbank
        if s.log == "whisper":
            return (torch.log10(mel.clamp_min(s.log_offset)).clamp_min(s.log_floor) + 4.0) / 4.0
        return torch.log(mel + s.log_offset)


# ---------------------------------------------------------------------------------------------------- golden vectors
def _float32_values(x: torch.Tensor) -> list[float]:
    """float32 samples as JSON numbers with 9 significant digits (enough to round-trip float32 exactly)."""
    return [float(f"{v:.9g}") for v in x.to(torch.float32).tolist()]


def _espeak_utterance(text: str, sample_rate: int, seconds: float) -> torch.Tensor | None:
    exe = shutil.which("espeak-ng")
    if exe is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "u.wav"
        subprocess.run([exe, "-v", "en-us", "-s", "170", "-w", str(wav), text], check=True, capture_output=True)
        audio, sr = torchaudio.load(str(wav))
    audio = torchaudio.functional.resample(audio[0].to(torch.float64), sr, sample_rate)
    n = int(seconds * sample_rate)
    audio = torch.nn.functional.pad(audio, (0, max(0, n - audio.numel())))[:n]
    return 0.8 * audio / audio.abs().max().clamp_min(1e-9)


def golden_cases(spec: FrontendSpec, seed: int = 1234) -> list[tuple[str, torch.Tensor]]:
    """Deterministic test signals. A low noise floor is mixed into every case so that no mel bin sits near the
    1e-6 log offset (version 1) or the 1e-8 log floor (version 2, log10 floor -8; its smallest golden mel is ~3e-7),
    where float32 rounding in the browser would dominate the 1e-3 tolerance."""
    sr = spec.sample_rate
    g = torch.Generator().manual_seed(seed)

    def floor(n: int, level: float) -> torch.Tensor:
        return level * torch.randn(n, generator=g, dtype=torch.float64)

    t = torch.arange(int(0.5 * sr), dtype=torch.float64) / sr
    tone = 0.4 * torch.sin(2 * math.pi * 440 * t) + 0.2 * torch.sin(2 * math.pi * 3000 * t + 0.3)
    cases = [("tone_440_3000_0.5s", tone + floor(t.numel(), 1e-2)),
             ("noise_0.3s", floor(int(0.3 * sr), 0.1)),
             ("one_frame_400", 0.3 * torch.sin(2 * math.pi * 1000 * torch.arange(400, dtype=torch.float64) / sr)
              + floor(400, 1e-2))]
    speech = _espeak_utterance("seven three nine", sr, 1.0)
    if speech is not None:
        cases.insert(2, ("espeak_seven_three_nine_1s", speech + floor(speech.numel(), 3e-3)))
    return [(name, x.clamp(-1, 1)) for name, x in cases]


def make_golden(spec: FrontendSpec, spec_json: dict[str, Any]) -> dict[str, Any]:
    mel = LogMel(spec).double()
    cases = []
    for name, audio in golden_cases(spec):
        values = _float32_values(audio)
        # features from exactly the samples written, so float32 and float64 readers agree
        feats = mel(torch.tensor(values, dtype=torch.float64))
        cases.append({"name": name, "audio": values,
                      "features": [[round(v, 6) for v in row] for row in feats.tolist()]})
    # Top-level audio/features duplicate the first case, the single-case layout of docs/contracts.md §1.
    return {"spec": spec_json, "tolerance": 1e-3, "audio": cases[0]["audio"], "features": cases[0]["features"],
            "cases": cases}


# ------------------------------------------------------------------------------------------------ global statistics
class RunningStats:
    """Per-dimension mean/std over all frames, accumulated in float64 (sums of ~1e8 values)."""

    def __init__(self, dim: int) -> None:
        self.n = 0
        self.sum = torch.zeros(dim, dtype=torch.float64)
        self.sumsq = torch.zeros(dim, dtype=torch.float64)

    def update(self, feats: torch.Tensor) -> None:
        f = feats.reshape(-1, feats.shape[-1]).to(torch.float64)
        self.n += f.shape[0]
        self.sum += f.sum(0)
        self.sumsq += (f * f).sum(0)

    def mean_std(self) -> tuple[torch.Tensor, torch.Tensor]:
        if self.n == 0:
            raise ValueError("no frames accumulated")
        mean = self.sum / self.n
        var = (self.sumsq / self.n - mean * mean).clamp_min(1e-10)
        return mean, var.sqrt()


def compute_stats(manifests: Sequence[str | Path], out: str | Path, max_utts: int, seed: int = 0,
                  frontend: str | Path | None = None) -> dict[str, Any]:
    spec = load_frontend(frontend)
    mel = LogMel(spec)
    utts = [u for m in manifests for u in read_manifest(m)]
    random.Random(seed).shuffle(utts)
    utts = utts[:max_utts]
    stats, failed, t0 = RunningStats(spec.n_mels), 0, time.time()
    with torch.no_grad():
        for k, u in enumerate(utts, 1):
            try:
                stats.update(mel(load_audio(u.audio, spec.sample_rate)))
            except AudioError:
                failed += 1
            if k % 200 == 0 or k == len(utts):
                rate = k / max(time.time() - t0, 1e-9)
                print(f"stats: {k}/{len(utts)} utts, {rate:.1f} utt/s, ETA {(len(utts) - k) / rate:.0f}s",
                      file=sys.stderr, flush=True)
    mean, std = stats.mean_std()
    result = {"mean": mean.tolist(), "std": std.tolist(), "frames": stats.n, "utterances": len(utts) - failed,
              "failed": failed, "manifests": [str(m) for m in manifests], "frontend": spec.to_json()}
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return result


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m omnisparse.features", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--frontend", help="frontend.json (default: models/frontend.json or $OMNISPARSE_FRONTEND)")
    sub = p.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("golden", help="write golden vectors for the TypeScript front end tests")
    g.add_argument("--out", required=True)
    s = sub.add_parser("stats", help="global per-dimension feature mean/std of a manifest")
    s.add_argument("--manifest", required=True, action="append", help="JSONL manifest (repeatable)")
    s.add_argument("--out", required=True)
    s.add_argument("--max-utts", type=int, default=2000)
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--threads", type=int, default=1)
    args = p.parse_args(argv)
    torch.set_num_threads(getattr(args, "threads", 1))
    if args.cmd == "golden":
        path = frontend_path(args.frontend)
        spec_json = json.loads(path.read_text(encoding="utf-8"))
        golden = make_golden(FrontendSpec.from_json(spec_json), spec_json)
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(golden, separators=(",", ":")) + "\n", encoding="utf-8")
        print(f"wrote {args.out}: {[c['name'] for c in golden['cases']]}")
    else:
        r = compute_stats(args.manifest, args.out, args.max_utts, args.seed, args.frontend)
        print(f"wrote {args.out}: {r['utterances']} utts, {r['frames']} frames, {r['failed']} failed")


if __name__ == "__main__":
    main()
