import json
import math
import random
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
import torchaudio

from omnisparse import corpora, synth
from omnisparse.augment import AugmentConfig, Augmenter
from omnisparse.data import (AsrDataset, AudioError, DurationBatchSampler, collate, load_audio,
                             read_manifest, write_manifest)
from omnisparse.features import LogMel, load_frontend
from omnisparse.synth_text import CLOSED_KINDS, KIND_WEIGHTS, TextSource, split_fortunes, split_sentences
from omnisparse.text import encode, is_normalized, normalize

PAD = math.log(1e-6)
FSDD = Path("/work/shared/data/fsdd")


def _tone(path: Path, seconds: float, sr: int = 16000, channels: int = 1) -> Path:
    t = torch.arange(int(seconds * sr)) / sr
    x = 0.3 * torch.sin(2 * math.pi * 440 * t).repeat(channels, 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    torchaudio.save(str(path), x, sr, bits_per_sample=16) if path.suffix == ".wav" else torchaudio.save(str(path), x, sr)
    return path


def _row(uid: str, audio: str, duration: float = 1.0, text: str = "hello world") -> dict:
    return {"id": uid, "audio": audio, "duration": duration, "text": text, "speaker": "s", "split": "train",
            "source": "t"}


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    _tone(tmp_path / "a.wav", 1.0)
    _tone(tmp_path / "sub" / "b.wav", 0.5, sr=8000, channels=2)
    (tmp_path / "bad.wav").write_bytes(b"RIFF not really a wav file")
    rows = [_row("a", "a.wav"), _row("b", "sub/b.wav", 0.5, "two"), _row("bad", "bad.wav", 1.0),
            _row("empty", "a.wav", text=""), _row("missing", "nope.wav"), _row("zero", "a.wav", duration=0.0),
            _row("caps", "a.wav", text="Hello")]
    lines = [json.dumps(r) for r in rows] + ["{broken json"]
    (tmp_path / "m.jsonl").write_text("\n".join(lines) + "\n")
    return tmp_path


def test_read_manifest_skips_and_counts_bad_rows(corpus: Path, caplog: pytest.LogCaptureFixture) -> None:
    utts = read_manifest(corpus / "m.jsonl")
    assert [u.id for u in utts] == ["a", "b", "bad"]  # "bad" exists; corrupt content is the dataset's problem
    assert utts[1].audio == str((corpus / "sub" / "b.wav").resolve())
    assert "skipped 5 bad rows" in caplog.text


def test_write_manifest_round_trip_relative(corpus: Path) -> None:
    utts = read_manifest(corpus / "m.jsonl")
    write_manifest(corpus / "copy.jsonl", utts)
    assert json.loads((corpus / "copy.jsonl").read_text().splitlines()[1])["audio"] == "sub/b.wav"
    assert read_manifest(corpus / "copy.jsonl") == utts


def test_load_audio_resamples_and_mixes_down(corpus: Path) -> None:
    x = load_audio(str(corpus / "sub" / "b.wav"))
    assert x.dtype == torch.float32 and x.dim() == 1 and x.numel() == 8000
    with pytest.raises(AudioError):
        load_audio(str(corpus / "bad.wav"))
    with pytest.raises(AudioError):
        load_audio(str(corpus / "nope.wav"))


def test_dataset_items_and_corrupt_audio(corpus: Path) -> None:
    utts = read_manifest(corpus / "m.jsonl")
    ds = AsrDataset(utts, LogMel(load_frontend()), max_duration=20.0)
    item = ds[0]
    assert item is not None and item["features"].shape == (98, 80) and item["id"] == "a"
    assert item["tokens"].tolist() == encode("hello world")
    assert ds[2] is None and ds.num_corrupt == 1
    batch = collate([ds[i] for i in range(len(ds))], PAD)
    assert batch["num_dropped"] == 1 and batch["ids"] == ["a", "b"]
    assert batch["features"].shape == (2, 98, 80)
    assert batch["feature_lens"].tolist() == [98, 48] and batch["token_lens"].tolist() == [11, 3]
    assert torch.all(batch["features"][1, 48:] == PAD) and torch.all(batch["tokens"][1, 3:] == 0)


def test_dataset_skips_long_and_augments_deterministically(corpus: Path) -> None:
    utts = read_manifest(corpus / "m.jsonl")
    assert len(AsrDataset(utts, LogMel(load_frontend()), max_duration=0.7)) == 1
    aug = Augmenter(AugmentConfig(p_speed=1.0, p_noise=1.0))
    ds = AsrDataset(utts[:1], LogMel(load_frontend()), augment=aug, seed=3)
    a, b = ds[0], ds[0]
    assert a is not None and b is not None and torch.equal(a["features"], b["features"])
    ds.set_epoch(1)
    c = ds[0]
    assert c is not None and not torch.equal(a["features"], c["features"])


def test_collate_all_dropped() -> None:
    batch = collate([None, None], PAD)
    assert batch["features"].shape[0] == 0 and batch["num_dropped"] == 2


def _durations(n: int = 500, seed: int = 0) -> list[float]:
    rng = random.Random(seed)
    return [rng.uniform(0.5, 15.0) for _ in range(n)]


def test_batch_sampler_covers_everything_within_budget() -> None:
    d = _durations() + [30.0]
    s = DurationBatchSampler(d, max_batch_seconds=60.0, seed=1, max_duration=20.0)
    batches = list(s)
    assert len(batches) == len(s)
    flat = sorted(i for b in batches for i in b)
    assert flat == list(range(500))  # each kept index exactly once, the 30 s one skipped
    assert s.skipped_long == 1
    for b in batches:
        assert len(b) * max(d[i] for i in b) <= 60.0 or len(b) == 1


def test_batch_sampler_epochs_and_determinism() -> None:
    d = _durations()
    s = DurationBatchSampler(d, 60.0, seed=1)
    e0 = list(s)
    assert e0 == list(DurationBatchSampler(d, 60.0, seed=1))
    s.set_epoch(1)
    assert list(s) != e0
    ordered = list(DurationBatchSampler(d, 60.0, shuffle=False))
    assert ordered == list(DurationBatchSampler(d, 60.0, shuffle=False))


@pytest.mark.parametrize("replicas", [2, 3, 7])
def test_batch_sampler_ddp_equal_batch_counts(replicas: int) -> None:
    d = _durations(101)
    samplers = [DurationBatchSampler(d, 40.0, seed=2, num_replicas=replicas, rank=r) for r in range(replicas)]
    counts = {len(list(s)) for s in samplers}
    assert len(counts) == 1 and counts == {len(samplers[0])}
    seen = {i for s in samplers for b in s for i in b}
    assert seen == set(range(101))


def test_fsdd_builder(tmp_path: Path) -> None:
    rec = tmp_path / "fsdd" / "recordings"
    for name in ["3_theo_0.wav", "7_jackson_1.wav", "0_lucas_12.wav", "readme.wav"]:
        _tone(rec / name, 0.3, sr=8000)
    counts = corpora.build_fsdd(tmp_path / "fsdd", tmp_path / "out", dev_fraction=0.0)
    assert counts == {"train": 2, "dev": 0, "test": 1}
    test = read_manifest(tmp_path / "out" / "test.jsonl")
    assert test[0].text == "three" and test[0].speaker == "fsdd-theo" and test[0].duration == pytest.approx(0.3)
    train = read_manifest(tmp_path / "out" / "train.jsonl")
    assert sorted(u.text for u in train) == ["seven", "zero"]


@pytest.mark.skipif(not (FSDD / "recordings").is_dir(), reason="shared FSDD not present")
def test_fsdd_real_split_rule() -> None:
    assert corpora.fsdd_split("george", "1_george_3.wav", 0.04) == "test"
    names = [p.name for p in (FSDD / "recordings").glob("*_jackson_*.wav")]
    dev = sum(corpora.fsdd_split("jackson", n, 0.04) == "dev" for n in names)
    assert 0 < dev < 0.1 * len(names)


def test_librispeech_reader(tmp_path: Path) -> None:
    root = tmp_path / "LibriSpeech"
    for split, spk, ch, lines in [("dev-clean", "84", "121123", ["84-121123-0000 GO DO YOU HEAR",
                                                                   "84-121123-0001 BUT IN LESS THAN FIVE MINUTES"]),
                                  ("test-clean", "61", "70968", ["61-70968-0000 HE BEGAN A CONFUSED COMPLAINT"])]:
        d = root / split / spk / ch
        d.mkdir(parents=True)
        (d / f"{spk}-{ch}.trans.txt").write_text("\n".join(lines) + "\n")
        for line in lines:
            _tone(d / f"{line.split()[0]}.flac", 0.4)
    (root / "dev-clean" / "84" / "121123" / "84-121123-0001.flac").unlink()  # missing audio is skipped
    counts = corpora.build_librispeech(root, tmp_path / "out")
    assert counts == {"dev-clean": 1, "test-clean": 1}
    dev = read_manifest(tmp_path / "out" / "dev-clean.jsonl")
    assert dev[0].text == "go do you hear" and dev[0].split == "dev-clean" and dev[0].speaker == "ls-84"
    assert dev[0].duration == pytest.approx(0.4)
    assert corpora.build_librispeech(root, tmp_path / "out") == counts  # resumable: existing manifests kept


def test_synth_text_mix_short_share_and_heldout_disjoint() -> None:
    sents = [s for p in ["Hello there, friend. The cat sat on the mat! Dr. Who is here.",
                         "It costs $5 and NASA knows. A long sentence about many other things today."]
             for s in split_sentences(p)]
    assert "dr who is here" not in sents and not any("nasa" in s for s in sents)
    assert all(is_normalized(s) for s in sents)
    train, held = split_fortunes(sents * 50 + [normalize(f"sentence number {i}") for i in range(400)], 0.2, seed=0)
    assert not set(train) & set(held)
    vocab = ["apple", "river", "stone", "green", "quick", "table", "light"]
    held_src = TextSource(held, vocab, random.Random(1))
    held_items = [held_src.draw() for _ in range(300)]
    train_src = TextSource(train, vocab, random.Random(2), exclude=held_src.used)
    train_items = [train_src.draw() for _ in range(3000)]
    overlap = {i.text for i in train_items if i.kind not in CLOSED_KINDS} & {i.text for i in held_items}
    assert not overlap
    assert all(i.text and encode(i.text) for i in train_items)
    short = sum(len(i.text.split()) <= 3 for i in train_items) / len(train_items)
    assert short >= 0.15
    assert {i.kind for i in train_items} == set(KIND_WEIGHTS)


def test_synth_voice_holdout() -> None:
    voices = [synth.Voice("espeak", "en-us+f4", "x"), synth.Voice("espeak", "en-gb+m7", "x"),
              synth.Voice("espeak", "en-us+m3", "x"), synth.Voice("flite", "slt", "x"),
              synth.Voice("festival", "cmu_us_slt_arctic_hts", "x"), synth.Voice("flite", "kal16", "x"),
              synth.Voice("mbrola", "mb-us3", "x"), synth.Voice("mbrola", "mb-us1", "x")]
    assert [v.heldout for v in voices] == [True, True, False, True, True, False, True, False]


@pytest.mark.skipif(not (shutil.which("espeak-ng") and shutil.which("sox")), reason="espeak-ng/sox not installed")
def test_synth_end_to_end_small(tmp_path: Path) -> None:
    import argparse
    args = argparse.Namespace(out=str(tmp_path / "s"), hours=0.003, seed=0, jobs=2, dev_utts=2, test_utts=2,
                              families=["espeak"], progress_every=60.0)
    counts = synth.run(args)
    assert counts["dev"] == 2 and counts["test"] == 2 and counts["train"] >= 3
    train = read_manifest(tmp_path / "s" / "train.jsonl")
    dev = read_manifest(tmp_path / "s" / "dev.jsonl")
    assert len(train) == counts["train"]
    assert not {u.speaker for u in train} & {u.speaker for u in dev}
    x = load_audio(train[0].audio)
    assert torchaudio.info(train[0].audio).sample_rate == 16000
    assert x.numel() / 16000 == pytest.approx(train[0].duration, abs=1e-3) and x.abs().max() > 0.5
    before = {u.audio: Path(u.audio).stat().st_mtime_ns for u in train}
    synth.run(args)  # resume: nothing is re-synthesised
    assert {u.audio: Path(u.audio).stat().st_mtime_ns for u in read_manifest(tmp_path / "s" / "train.jsonl")} == before
    args.hours = 0.01
    with pytest.raises(SystemExit):
        synth.run(args)  # a different plan must not be mixed into an existing folder
    assert np.isfinite(sum(u.duration for u in train))
