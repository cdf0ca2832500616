"""Manifest builders for real-speech corpora on disk (audio is referenced in place, never copied)."""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path

from .data import Progress, Utterance, audio_duration, write_manifest
from .text import cardinal, normalize

FSDD_TEST_SPEAKERS = frozenset({"theo", "george"})
_FSDD_NAME = re.compile(r"^(\d)_([A-Za-z]+)_(\d+)\.wav$")


def _stable_fraction(key: str) -> float:
    """Deterministic pseudo-random number in [0, 1) from a string (same split on every machine and run)."""
    return int(hashlib.sha1(key.encode()).hexdigest()[:8], 16) / 2**32


def fsdd_split(speaker: str, name: str, dev_fraction: float) -> str:
    if speaker in FSDD_TEST_SPEAKERS:
        return "test"
    return "dev" if _stable_fraction(name) < dev_fraction else "train"


def build_fsdd(root: str | Path, out: str | Path, dev_fraction: float = 0.04) -> dict[str, int]:
    """`root/recordings/{digit}_{speaker}_{idx}.wav` -> out/{train,dev,test}.jsonl (absolute audio paths)."""
    files = sorted((Path(root) / "recordings").glob("*.wav"))
    if not files:
        raise FileNotFoundError(f"no recordings under {root}/recordings")
    by_split: dict[str, list[Utterance]] = {"train": [], "dev": [], "test": []}
    progress = Progress(len(files), "fsdd", every=5.0)
    for path in files:
        m = _FSDD_NAME.match(path.name)
        progress.step()
        if m is None:
            continue
        digit, speaker, _ = m.groups()
        split = fsdd_split(speaker, path.name, dev_fraction)
        by_split[split].append(Utterance(
            id=f"fsdd-{path.stem}", audio=str(path.resolve()), duration=audio_duration(path),
            text=cardinal(int(digit)), speaker=f"fsdd-{speaker}", split=split, source="fsdd"))
    return {split: write_manifest(Path(out) / f"{split}.jsonl", utts, relative=False)
            for split, utts in by_split.items()}


def _librispeech_split_rows(split_dir: Path) -> list[tuple[Path, str, str]]:
    """(flac, text, speaker) for every transcript line under SPLIT/spk/chapter/*.trans.txt."""
    rows = []
    for trans in sorted(split_dir.glob("*/*/*.trans.txt")):
        for line in trans.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            utt_id, _, text = line.strip().partition(" ")
            rows.append((trans.parent / f"{utt_id}.flac", text, trans.parent.parent.name))
    return rows


def build_librispeech(root: str | Path, out: str | Path) -> dict[str, int]:
    """Each subfolder of `root` holding SPLIT/spk/chapter/*.trans.txt becomes out/SPLIT.jsonl (split = folder name).
    Existing manifests are kept (resumable); missing flac files are skipped and counted."""
    root, out = Path(root), Path(out)
    split_dirs = [d for d in sorted(root.iterdir()) if d.is_dir() and any(d.glob("*/*/*.trans.txt"))]
    if not split_dirs:
        raise FileNotFoundError(f"no LibriSpeech split folders (SPLIT/spk/chapter/*.trans.txt) under {root}")
    counts: dict[str, int] = {}
    for split_dir in split_dirs:
        split = split_dir.name
        target = out / f"{split}.jsonl"
        if target.exists():
            counts[split] = sum(1 for _ in open(target, encoding="utf-8"))
            print(f"librispeech: {target} exists, skipped")
            continue
        rows = _librispeech_split_rows(split_dir)
        progress = Progress(len(rows), f"librispeech {split}", every=10.0)
        missing: Counter[str] = Counter()
        utts = []
        for flac, text, speaker in rows:
            progress.step()
            if not flac.is_file():
                missing["missing audio"] += 1
                continue
            utts.append(Utterance(id=f"ls-{flac.stem}", audio=str(flac.resolve()), duration=audio_duration(flac),
                                  text=normalize(text), speaker=f"ls-{speaker}", split=split, source="librispeech"))
        if missing:
            print(f"librispeech {split}: skipped {dict(missing)}")
        counts[split] = write_manifest(target, utts, relative=False)
    return counts
