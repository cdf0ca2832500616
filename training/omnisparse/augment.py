"""Training-time augmentation: waveform effects (speed, reverb, noise, telephone band, gain) and SpecAugment.

Every random choice draws from a numpy Generator passed in (or the Augmenter's own), so an utterance's augmentation
is reproducible from (seed, epoch, index) whatever DataLoader worker processes it. The building blocks are pure
functions, tested one by one.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Sequence, Union

import numpy as np
import torch
import torchaudio

SR = 16000
NOISE_KINDS = ("white", "pink", "brown", "hum", "babble")
# other utterances for babble, or a function producing them (called only when babble is drawn: loading is costly)
Others = Union[Sequence[torch.Tensor], Callable[[], Sequence[torch.Tensor]], None]


@dataclass
class AugmentConfig:
    sample_rate: int = SR
    p_speed: float = 0.6
    speeds: tuple[float, ...] = (0.9, 1.1)  # applied with p_speed, so 1.0 is the common case
    p_reverb: float = 0.3
    rt60: tuple[float, float] = (0.1, 0.7)
    drr_db: tuple[float, float] = (0.0, 12.0)  # direct-to-reverberant energy ratio
    p_noise: float = 0.5
    snr_db: tuple[float, float] = (5.0, 30.0)
    noise_kinds: tuple[str, ...] = NOISE_KINDS  # babble falls back to pink noise when no utterances are supplied
    p_telephone: float = 0.1
    p_gain: float = 0.5
    gain_db: tuple[float, float] = (-12.0, 6.0)
    p_spec: float = 1.0
    freq_masks: int = 2
    freq_mask_max: int = 27
    time_masks: int = 10
    time_mask_max_ratio: float = 0.05
    extra: dict[str, float] = field(default_factory=dict)  # room for experiment knobs without breaking callers


# ----------------------------------------------------------------------------------------------- pure building blocks
def speed_perturb(wave: torch.Tensor, factor: float, sr: int = SR) -> torch.Tensor:
    """Play `factor` times faster (pitch moves with it, as in Kaldi-style speed perturbation): length ~ N / factor."""
    if factor == 1.0:
        return wave
    return torchaudio.functional.resample(wave, int(round(sr * factor)), sr)


def _spectral_noise(n: int, exponent: float, rng: np.random.Generator) -> torch.Tensor:
    """Gaussian noise with power spectrum ~ 1/f^exponent (0 white, 1 pink, 2 brown), unit RMS."""
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n)
    f[0] = f[1] if n > 1 else 1.0
    x = np.fft.irfft(spec / f ** (exponent / 2), n)
    x -= x.mean()
    return torch.from_numpy(x / max(float(np.sqrt(np.mean(x ** 2))), 1e-12)).float()


def hum(n: int, rng: np.random.Generator, sr: int = SR) -> torch.Tensor:
    """Mains hum: 50 or 60 Hz with a few decaying harmonics and a little hiss, unit RMS."""
    base = float(rng.choice([50.0, 60.0]))
    t = np.arange(n) / sr
    x = sum(rng.uniform(0.2, 1.0) / k * np.sin(2 * np.pi * base * k * t + rng.uniform(0, 2 * np.pi))
            for k in range(1, 6))
    x = x + 0.05 * rng.standard_normal(n)
    return torch.from_numpy(x / max(float(np.sqrt(np.mean(x ** 2))), 1e-12)).float()


def babble(n: int, others: Sequence[torch.Tensor], rng: np.random.Generator) -> torch.Tensor:
    """Sum of 3-6 other utterances at random offsets (looped to length n), unit RMS."""
    out = torch.zeros(n)
    for _ in range(int(rng.integers(3, 7))):
        src = others[int(rng.integers(len(others)))]
        if src.numel() == 0:
            continue
        reps = math.ceil((n + src.numel()) / src.numel())
        looped = src.repeat(reps)
        start = int(rng.integers(src.numel()))
        seg = looped[start:start + n]
        out += seg / seg.pow(2).mean().sqrt().clamp_min(1e-9)
    return out / out.pow(2).mean().sqrt().clamp_min(1e-9)


def make_noise(kind: str, n: int, rng: np.random.Generator, others: Sequence[torch.Tensor] | None = None,
               sr: int = SR) -> torch.Tensor:
    if kind == "white":
        return _spectral_noise(n, 0.0, rng)
    if kind == "pink":
        return _spectral_noise(n, 1.0, rng)
    if kind == "brown":
        return _spectral_noise(n, 2.0, rng)
    if kind == "hum":
        return hum(n, rng, sr)
    if kind == "babble":
        if not others:
            raise ValueError("babble noise needs other utterances")
        return babble(n, others, rng)
    raise ValueError(f"unknown noise kind {kind!r}")


def add_noise(wave: torch.Tensor, noise: torch.Tensor, snr_db: float) -> torch.Tensor:
    """wave + noise scaled so that 10 log10(P_wave / P_noise) = snr_db exactly."""
    p_sig = wave.pow(2).mean()
    p_noise = noise.pow(2).mean().clamp_min(1e-20)
    if p_sig <= 0:
        return wave.clone()
    scale = torch.sqrt(p_sig / (p_noise * 10 ** (snr_db / 10)))
    return wave + scale * noise


def synthetic_rir(rt60: float, rng: np.random.Generator, drr_db: float = 6.0, sr: int = SR) -> torch.Tensor:
    """Room impulse response: a direct-path impulse followed by exponentially decaying Gaussian noise that falls
    60 dB in rt60 seconds (a diffuse-field model), the tail scaled to the given direct-to-reverberant ratio."""
    n = max(2, int(rt60 * sr))
    t = np.arange(n) / sr
    tail = rng.standard_normal(n) * np.exp(-3 * math.log(10) * t / rt60)  # amplitude: -60 dB at rt60
    pre = int(rng.integers(int(0.002 * sr), int(0.01 * sr)))  # first reflections arrive a few ms after the direct path
    tail[:pre] = 0.0
    tail *= math.sqrt(10 ** (-drr_db / 10) / max(float(np.sum(tail ** 2)), 1e-20))
    tail[0] = 1.0
    return torch.from_numpy(tail).float()


def reverberate(wave: torch.Tensor, rir: torch.Tensor) -> torch.Tensor:
    """FFT convolution, truncated to the input length and rescaled to the input RMS (so SNR/gain stay meaningful)."""
    n = wave.numel() + rir.numel() - 1
    nfft = 1 << (n - 1).bit_length()
    y = torch.fft.irfft(torch.fft.rfft(wave, nfft) * torch.fft.rfft(rir, nfft), nfft)[:wave.numel()]
    return y * (wave.pow(2).mean().sqrt() / y.pow(2).mean().sqrt().clamp_min(1e-12))


def telephone(wave: torch.Tensor, sr: int = SR, mu_law: bool = True) -> torch.Tensor:
    """300-3400 Hz band, 8 kHz sampling and (optionally) G.711 mu-law quantisation, back at `sr`."""
    x = torchaudio.functional.highpass_biquad(wave, sr, 300.0)
    x = torchaudio.functional.resample(x, sr, 8000)  # its anti-alias filter removes > ~3.9 kHz
    x = torchaudio.functional.lowpass_biquad(x, 8000, 3400.0)
    if mu_law:
        peak = x.abs().max().clamp_min(1e-9)
        q = torchaudio.functional.mu_law_encoding(x / peak, 256)
        x = torchaudio.functional.mu_law_decoding(q, 256) * peak
    y = torchaudio.functional.resample(x, 8000, sr)
    return torch.nn.functional.pad(y, (0, max(0, wave.numel() - y.numel())))[:wave.numel()]


def apply_gain(wave: torch.Tensor, gain_db: float) -> torch.Tensor:
    return wave * 10 ** (gain_db / 20)


def limit_peak(wave: torch.Tensor, peak: float = 0.99) -> torch.Tensor:
    """Scale down (never clip) so the result stays in [-1, 1] like real recordings."""
    m = wave.abs().max()
    return wave * (peak / m) if m > peak else wave


def spec_augment(features: torch.Tensor, rng: np.random.Generator, freq_masks: int = 2, freq_mask_max: int = 27,
                 time_masks: int = 10, time_mask_max_ratio: float = 0.05,
                 mask_value: float | None = None) -> torch.Tensor:
    """SpecAugment on [T, F] log-mel features (no time warp). Masks are filled with the utterance mean by default:
    the model subtracts a global mean, so this is close to 'zero after normalisation' rather than 'loud silence'."""
    x = features.clone()
    t_len, f_len = x.shape
    fill = float(x.mean()) if mask_value is None else mask_value
    for _ in range(freq_masks):
        w = int(rng.integers(0, min(freq_mask_max, f_len) + 1))
        f0 = int(rng.integers(0, f_len - w + 1))
        x[:, f0:f0 + w] = fill
    max_w = int(time_mask_max_ratio * t_len)
    for _ in range(time_masks if max_w > 0 else 0):
        w = int(rng.integers(0, max_w + 1))
        t0 = int(rng.integers(0, t_len - w + 1))
        x[t0:t0 + w, :] = fill
    return x


# -------------------------------------------------------------------------------------------------------- composer
class Augmenter:
    """Random chain speed -> reverb -> noise -> telephone -> gain -> peak limit, each with its probability."""

    def __init__(self, cfg: AugmentConfig | None = None, seed: int = 0) -> None:
        self.cfg = cfg or AugmentConfig()
        self.rng = np.random.default_rng(seed)

    def _hit(self, p: float, rng: np.random.Generator) -> bool:
        return p > 0 and rng.random() < p

    def __call__(self, wave: torch.Tensor, rng: np.random.Generator | None = None,
                 others: Others = None) -> torch.Tensor:
        """Waveform [N] -> augmented waveform (length changes only through speed perturbation)."""
        c, rng = self.cfg, rng if rng is not None else self.rng
        x = wave.float()
        if self._hit(c.p_speed, rng) and c.speeds:
            x = speed_perturb(x, float(rng.choice(c.speeds)), c.sample_rate)
        if self._hit(c.p_reverb, rng):
            rir = synthetic_rir(float(rng.uniform(*c.rt60)), rng, float(rng.uniform(*c.drr_db)), c.sample_rate)
            x = reverberate(x, rir)
        if self._hit(c.p_noise, rng):
            if c.noise_kinds:
                # the kind is drawn before knowing whether babble sources exist, so draws stay aligned
                kind = str(rng.choice(c.noise_kinds))
                pool = (others() if callable(others) else others) if kind == "babble" else None
                if kind == "babble" and not pool:
                    kind = "pink"
                noise = make_noise(kind, x.numel(), rng, pool, c.sample_rate)
                x = add_noise(x, noise, float(rng.uniform(*c.snr_db)))
        if self._hit(c.p_telephone, rng):
            x = telephone(x, c.sample_rate, mu_law=bool(rng.random() < 0.5))
        if self._hit(c.p_gain, rng):
            x = apply_gain(x, float(rng.uniform(*c.gain_db)))
        return limit_peak(x)

    def spec_augment(self, features: torch.Tensor, rng: np.random.Generator | None = None) -> torch.Tensor:
        c, rng = self.cfg, rng if rng is not None else self.rng
        if not self._hit(c.p_spec, rng):
            return features
        return spec_augment(features, rng, c.freq_masks, c.freq_mask_max, c.time_masks, c.time_mask_max_ratio)
