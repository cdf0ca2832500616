"""Corpus I/O shared by the dataset (data), the corpus builders (corpora, synth), the front-end stats (features) and
evaluation: utterance manifests, audio files, and the progress line of long builds.

Manifest = JSONL, one utterance per line:
    {"id", "audio", "duration", "text", "speaker", "split", "source"}
`audio` is absolute or relative to the JSONL's folder; `text` is already normalised (omnisparse.text.normalize).
Everything here is re-exported by omnisparse.data, where callers have always imported it from.
"""
from __future__ import annotations

import json
import logging
import math
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterable

import torch
import torchaudio

from .text import is_normalized

log = logging.getLogger("omnisparse.data")  # the logger name these messages have always had


class AudioError(RuntimeError):
    """An audio file is missing, unreadable or empty."""


@dataclass
class Utterance:
    id: str
    audio: str
    duration: float
    text: str
    speaker: str
    split: str
    source: str


# ---------------------------------------------------------------------------------------------------------- manifests
def _row_problem(row: Any, base: Path) -> tuple[str | None, Utterance | None]:
    if not isinstance(row, dict):
        return "not an object", None
    try:
        u = Utterance(id=str(row["id"]), audio=str(row["audio"]), duration=float(row["duration"]),
                      text=str(row["text"]), speaker=str(row.get("speaker", "")), split=str(row.get("split", "")),
                      source=str(row.get("source", "")))
    except (KeyError, TypeError, ValueError):
        return "missing or malformed field", None
    if not u.text.strip():
        return "empty text", None
    if not is_normalized(u.text):
        return "text not normalised", None
    if not (u.duration > 0 and math.isfinite(u.duration)):
        return "zero duration", None
    path = Path(u.audio)
    u.audio = str(path if path.is_absolute() else (base / path).resolve())
    if not Path(u.audio).is_file():
        return "missing audio", None
    return None, u


def read_manifest(path: str | Path) -> list[Utterance]:
    """Utterances of a JSONL manifest with absolute audio paths; bad rows (unparsable, empty text, missing audio,
    zero duration) are skipped and counted in one log line."""
    path = Path(path)
    base = path.resolve().parent
    utts: list[Utterance] = []
    problems: Counter[str] = Counter()
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                problems["invalid json"] += 1
                continue
            problem, u = _row_problem(row, base)
            if problem is not None or u is None:
                problems[problem or "?"] += 1
            else:
                utts.append(u)
    if problems:
        log.warning("%s: skipped %d bad rows (%s)", path, sum(problems.values()),
                    ", ".join(f"{k}: {v}" for k, v in problems.most_common()))
    return utts


def write_manifest(path: str | Path, utts: Iterable[Utterance], relative: bool = True) -> int:
    """Write JSONL atomically; audio under the manifest's folder is stored relative to it (movable corpora)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    base = path.resolve().parent
    tmp = path.with_suffix(path.suffix + ".tmp")
    n = 0
    with open(tmp, "w", encoding="utf-8") as f:
        for u in utts:
            row = asdict(u)
            audio = Path(u.audio)
            if relative and audio.is_absolute() and audio.is_relative_to(base):
                row["audio"] = str(audio.relative_to(base))
            row["duration"] = round(u.duration, 4)
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    tmp.replace(path)
    return n


def audio_duration(path: str | Path) -> float:
    info = torchaudio.info(str(path))
    return info.num_frames / info.sample_rate


def load_audio(path: str, target_sr: int = 16000) -> torch.Tensor:
    """Mono float32 [N] at target_sr. Raises AudioError for missing, corrupt or empty files."""
    try:
        wave, sr = torchaudio.load(path)
    except Exception as err:  # torchaudio raises RuntimeError/OSError/… depending on the backend
        raise AudioError(f"cannot read {path}: {err}") from err
    if wave.numel() == 0:
        raise AudioError(f"empty audio: {path}")
    wave = wave.float().mean(0)
    if sr != target_sr:
        wave = torchaudio.functional.resample(wave, sr, target_sr)
    return wave


# ---------------------------------------------------------------------------------------------------------- progress
class Progress:
    """Prints done/total, rate and ETA to stderr at most every `every` seconds."""

    def __init__(self, total: int, label: str, every: float = 10.0) -> None:
        self.total, self.label, self.every = total, label, every
        self.t0 = self.last = time.time()
        self.done = 0

    def step(self, n: int = 1, extra: str = "") -> None:
        self.done += n
        now = time.time()
        if now - self.last >= self.every or self.done >= self.total:
            self.last = now
            rate = self.done / max(now - self.t0, 1e-9)
            eta = (self.total - self.done) / rate if rate > 0 else float("inf")
            print(f"{self.label}: {self.done}/{self.total} ({100 * self.done / max(self.total, 1):.1f}%), "
                  f"{rate:.2f}/s, elapsed {now - self.t0:.0f}s, ETA {eta:.0f}s {extra}", file=sys.stderr, flush=True)
