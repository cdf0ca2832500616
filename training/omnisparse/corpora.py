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


# ---- real speech shipped in the pocketsphinx source package (evaluation only) --------------------------------------
POCKETSPHINX_SDIST = ("pocketsphinx", "5.1.1")
# goforward.raw has no transcript file: its text is what pocketsphinx's own unit tests assert (test_jsgf.c)
_GOFORWARD_TEXT = "go forward ten meters"
_CARDS_LINE = re.compile(r"^\s*(?:<s>)?\s*(.*?)\s*(?:</s>)?\s*\((\w+)\)\s*$")


def download_pypi_sdist(name: str, version: str, dest: str | Path) -> Path:
    """Fetch a source distribution from PyPI's simple index (the registry pip uses) and check its sha256."""
    import urllib.request

    with urllib.request.urlopen(f"https://pypi.org/simple/{name}/", timeout=60) as r:
        index = r.read().decode("utf-8")
    links = re.findall(r'href="([^"#]+/' + re.escape(f"{name}-{version}.tar.gz") + r')#sha256=([0-9a-f]{64})"', index)
    if not links:
        raise FileNotFoundError(f"PyPI lists no sdist {name}-{version}.tar.gz")
    url, digest = links[0]
    target = Path(dest) / f"{name}-{version}.tar.gz"
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists() or hashlib.sha256(target.read_bytes()).hexdigest() != digest:
        with urllib.request.urlopen(url, timeout=300) as r:
            data = r.read()
        if hashlib.sha256(data).hexdigest() != digest:
            raise ValueError(f"{url}: sha256 mismatch")
        target.write_bytes(data)
    return target


def build_pocketsphinx_real(sdist: str | Path, out: str | Path) -> dict[str, int]:
    """The real recordings with transcripts in pocketsphinx's test data -> out/test.jsonl (+ out/wav/):
    5 LibriVox read-speech utterances (Sense and Sensibility, public domain), 5 spoken playing-card names and
    'go forward ten meters'. A handful of utterances: an indication of real-speech accuracy, not a benchmark."""
    import tarfile

    import numpy as np
    import soundfile as sf

    out = Path(out)
    wav_dir = out / "wav"
    wav_dir.mkdir(parents=True, exist_ok=True)
    utts: list[Utterance] = []
    with tarfile.open(sdist, "r:*") as tar:
        members = {m.name.split("/", 1)[-1]: m for m in tar.getmembers() if m.isfile()}

        def read(rel: str) -> bytes:
            f = tar.extractfile(members[rel])
            assert f is not None
            return f.read()

        def add(rel: str, text: str, speaker: str, raw: bool = False) -> None:
            name = rel.replace("/", "_").rsplit(".", 1)[0] + ".wav"
            path = wav_dir / name
            if raw:  # headerless 16 kHz 16-bit little-endian mono
                sf.write(str(path), np.frombuffer(read(rel), dtype="<i2"), 16000, subtype="PCM_16")
            else:
                path.write_bytes(read(rel))
            utts.append(Utterance(id=f"ps-{Path(name).stem}", audio=str(path.resolve()), duration=audio_duration(path),
                                  text=normalize(text), speaker=speaker, split="test", source="pocketsphinx-test"))

        for rel in sorted(r for r in members if r.startswith("test/data/librivox/") and r.endswith(".wav")):
            txt = rel[:-4] + ".txt"
            if txt in members:
                add(rel, read(txt).decode("utf-8"), "librivox-austen")
        if "test/data/cards/cards.transcription" in members:
            for line in read("test/data/cards/cards.transcription").decode("utf-8").splitlines():
                m = _CARDS_LINE.match(line)
                if m and f"test/data/cards/{m.group(2)}.wav" in members:
                    add(f"test/data/cards/{m.group(2)}.wav", m.group(1), "cards")
        if "test/data/goforward.raw" in members:
            add("test/data/goforward.raw", _GOFORWARD_TEXT, "goforward", raw=True)
    if not utts:
        raise FileNotFoundError(f"{sdist}: no pocketsphinx test recordings with transcripts found")
    return {"test": write_manifest(out / "test.jsonl", utts, relative=False)}
