import math

import numpy as np
import pytest
import torch

from omnisparse.augment import (AugmentConfig, Augmenter, add_noise, make_noise, reverberate, spec_augment,
                                speed_perturb, synthetic_rir, telephone)

SR = 16000


def _speechlike(n: int = 16000, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    t = torch.arange(n) / SR
    env = 0.5 + 0.5 * torch.sin(2 * math.pi * 3 * t)
    return 0.3 * env * (torch.sin(2 * math.pi * 220 * t) + 0.3 * torch.randn(n, generator=g))


def _band_energy(x: torch.Tensor, lo: float, hi: float) -> float:
    spec = torch.fft.rfft(x).abs() ** 2
    f = torch.fft.rfftfreq(x.numel(), 1 / SR)
    return float(spec[(f >= lo) & (f < hi)].sum())


@pytest.mark.parametrize("factor", [0.9, 1.1])
def test_speed_changes_length_by_factor(factor: float) -> None:
    x = _speechlike()
    y = speed_perturb(x, factor)
    assert abs(y.numel() - x.numel() / factor) <= 2
    assert speed_perturb(x, 1.0) is x


@pytest.mark.parametrize("kind", ["white", "pink", "brown", "hum", "babble"])
@pytest.mark.parametrize("snr", [0.0, 10.0, 25.0])
def test_noise_snr_within_half_db(kind: str, snr: float) -> None:
    rng = np.random.default_rng(1)
    x = _speechlike()
    others = [_speechlike(7000, s) for s in range(2, 6)]
    noise = make_noise(kind, x.numel(), rng, others)
    assert noise.shape == x.shape
    y = add_noise(x, noise, snr)
    measured = 10 * math.log10(float(x.pow(2).mean() / (y - x).pow(2).mean()))
    assert abs(measured - snr) < 0.5


def test_noise_colours_have_the_right_slope() -> None:
    rng = np.random.default_rng(0)
    lo_hi = {}
    for kind in ("white", "pink", "brown"):
        n = make_noise(kind, 64000, rng)
        lo_hi[kind] = _band_energy(n, 100, 400) / _band_energy(n, 3200, 6400)
    # per-band energy ratio: white ~ bandwidth ratio, pink ~ 1 (equal per octave-ish), brown >> 1
    assert lo_hi["white"] < lo_hi["pink"] < lo_hi["brown"]
    assert 0.05 < lo_hi["white"] < 0.15 and lo_hi["brown"] > 10


def test_babble_requires_other_utterances() -> None:
    with pytest.raises(ValueError):
        make_noise("babble", 100, np.random.default_rng(0))


def test_rir_decays_by_60_db_in_rt60() -> None:
    rt60 = 0.4
    rir = synthetic_rir(rt60, np.random.default_rng(0), drr_db=0.0)
    assert rir[0] == 1.0 and rir.numel() == int(rt60 * SR)
    energy = rir[1:].pow(2)
    first = float(energy[: SR // 50].mean())  # first 20 ms of tail (pre-delay zeros included, fine for a bound)
    last = float(energy[-SR // 50:].mean())
    assert 45 < 10 * math.log10(first / last) < 70


def test_reverb_keeps_length_and_rms() -> None:
    x = _speechlike()
    y = reverberate(x, synthetic_rir(0.6, np.random.default_rng(0)))
    assert y.shape == x.shape
    assert torch.isclose(y.pow(2).mean().sqrt(), x.pow(2).mean().sqrt(), rtol=1e-4)
    assert not torch.allclose(x, y)


def test_telephone_removes_out_of_band_energy() -> None:
    x = make_noise("white", SR, np.random.default_rng(0))
    y = telephone(x, mu_law=False)
    assert y.shape == x.shape
    in_band = _band_energy(y, 500, 3000) / _band_energy(x, 500, 3000)
    high = _band_energy(y, 4500, 8000) / _band_energy(x, 4500, 8000)
    low = _band_energy(y, 0, 100) / _band_energy(x, 0, 100)
    assert in_band > 0.5 and high < 1e-3 and low < 0.1


def test_spec_augment_masks_within_limits() -> None:
    feats = torch.randn(200, 80)
    rng = np.random.default_rng(0)
    out = spec_augment(feats, rng, freq_masks=2, freq_mask_max=27, time_masks=10, time_mask_max_ratio=0.05,
                       mask_value=-100.0)
    masked = out == -100.0
    full_cols = masked.all(0).sum()
    assert full_cols <= 2 * 27
    rows = masked.all(1)
    assert rows.sum() <= 10 * 10  # 10 masks of at most 5 % of 200 frames
    assert out.shape == feats.shape and torch.equal(out[~masked], feats[~masked])


def test_augmenter_is_deterministic_and_keeps_range() -> None:
    cfg = AugmentConfig(p_speed=1.0, p_reverb=1.0, p_noise=1.0, p_telephone=0.5, p_gain=1.0, gain_db=(20, 20))
    x = _speechlike()
    others = [_speechlike(5000, 7)]
    a = Augmenter(cfg, seed=5)(x, others=others)
    b = Augmenter(cfg, seed=5)(x, others=others)
    c = Augmenter(cfg, seed=6)(x, others=others)
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert a.abs().max() <= 0.99 + 1e-6
    assert a.numel() in (x.numel(), pytest.approx(x.numel() / 0.9, abs=2), pytest.approx(x.numel() / 1.1, abs=2))
    same_rng = Augmenter(cfg, seed=0)
    assert torch.equal(same_rng(x, np.random.default_rng(9)), same_rng(x, np.random.default_rng(9)))


def test_augmenter_with_zero_probabilities_is_identity() -> None:
    cfg = AugmentConfig(p_speed=0, p_reverb=0, p_noise=0, p_telephone=0, p_gain=0, p_spec=0)
    x = _speechlike()
    aug = Augmenter(cfg)
    assert torch.equal(aug(x), x)
    f = torch.randn(50, 80)
    assert torch.equal(aug.spec_augment(f), f)


def test_babble_sources_are_loaded_lazily_and_fall_back_to_pink() -> None:
    calls = []

    def sources() -> list[torch.Tensor]:
        calls.append(1)
        return [_speechlike(6000, 11)]

    x = _speechlike()
    only_white = AugmentConfig(p_speed=0, p_reverb=0, p_noise=1.0, p_telephone=0, p_gain=0, noise_kinds=("white",))
    Augmenter(only_white)(x, others=sources)
    assert calls == []
    only_babble = AugmentConfig(p_speed=0, p_reverb=0, p_noise=1.0, p_telephone=0, p_gain=0, noise_kinds=("babble",))
    y = Augmenter(only_babble, seed=1)(x, others=sources)
    assert calls == [1] and not torch.equal(y, x)
    z = Augmenter(only_babble, seed=1)(x, others=None)  # no sources: pink noise instead of crashing
    assert z.shape == x.shape and not torch.equal(z, x)
