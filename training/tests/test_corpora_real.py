import io
import json
import tarfile

import numpy as np
import pytest
import soundfile as sf

from omnisparse import corpora


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
