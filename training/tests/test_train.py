"""Trainer tests on the tiny preset with a synthetic corpus of tones and noise (no TTS needed)."""
import json
import math
import os
import random
import socket
from pathlib import Path

import pytest
import torch
import torch.multiprocessing as mp
import torchaudio

from omnisparse import train
from omnisparse.model import Transducer, build_config
from omnisparse.sparsity import Supernet

WORDS = ["one", "two", "three", "red", "blue", "go", "stop", "yes", "no"]


def _write_corpus(root: Path, n: int, seed: int, corrupt: int = 0) -> Path:
    """Manifest of n short utterances: a tone per word (so the task is learnable in principle) plus noise."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(n):
        words = [rng.choice(WORDS) for _ in range(rng.randint(1, 3))]
        parts = []
        for w in words:
            t = torch.arange(int(0.3 * 16000)) / 16000
            parts.append(0.3 * torch.sin(2 * math.pi * (200 + 90 * WORDS.index(w)) * t))
            parts.append(torch.zeros(1600))
        wave = torch.cat(parts) + 0.01 * torch.randn(sum(p.numel() for p in parts))
        path = root / f"u{i}.wav"
        torchaudio.save(str(path), wave[None], 16000)
        rows.append({"id": f"u{i}", "audio": path.name, "duration": wave.numel() / 16000, "text": " ".join(words),
                     "speaker": "s", "split": "train", "source": "test"})
    for k in range(corrupt):
        path = root / f"bad{k}.wav"
        path.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk" + os.urandom(200))
        rows.append({"id": f"bad{k}", "audio": path.name, "duration": 1.0, "text": "no", "speaker": "s",
                     "split": "train", "source": "test"})
    manifest = root / "manifest.jsonl"
    manifest.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return manifest


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    return {"train": _write_corpus(root / "train", 12, 0), "dev": _write_corpus(root / "dev", 3, 1)}


def _args(corpus, out, *extra):
    return ["--train", str(corpus["train"]), "--out", str(out), "--preset", "tiny", "--max-batch-seconds", "4",
            "--workers", "0", "--threads", "1", "--log-every", "1", "--eval-every", "0", "--eval-utts", "3", *extra]


def _records(out, kind):
    return [r for r in map(json.loads, (Path(out) / "metrics.jsonl").read_text().splitlines()) if r["type"] == kind]


def _config(tmp_path, **kw):
    path = tmp_path / "cfg.json"
    path.write_text(json.dumps({"augment": False, "spec_augment": False, "warmup_steps": 2, **kw}))
    return str(path)


# ---------------------------------------------------------------------------------------------------- pure parts
def test_schedules():
    tc = train.TrainConfig(total_steps=100, warmup_steps=10, prune_begin=0.2, prune_end=0.6, s_final=0.8)
    assert train.lr_at(0, tc) == pytest.approx(tc.lr * 0.1)
    assert train.lr_at(9, tc) > train.lr_at(50, tc) > train.lr_at(99, tc) >= tc.lr * tc.lr_min_ratio
    assert train.lr_at(60, tc, rewarm_from=60) < 0.01 * train.lr_at(60, tc)  # re-warm-up after --init-from
    assert train.s_max_at(0, tc) == 0.0 and train.s_max_at(59, tc) == pytest.approx(0.8)
    s = [train.s_max_at(t, tc) for t in range(100)]
    assert all(b >= a for a, b in zip(s, s[1:]))


def test_step_configs_sandwich_and_single():
    sn = Supernet(Transducer(build_config("tiny")), "structured")
    tc = train.TrainConfig(n_random=2, seed=3)
    assert train.step_configs(sn, tc, 0.0, 5) == [None]  # before pruning: sparse copies of dense are dropped
    a = train.step_configs(sn, tc, 0.7, 5)
    assert a[0] is None and a[1] == sn.uniform(0.7) and len(a) <= 4
    assert all(v <= 0.7 + 1e-9 for c in a[2:] for v in c.values())
    assert a == train.step_configs(sn, tc, 0.7, 5)  # same step -> same random configs (ranks, resume)
    assert any(train.step_configs(sn, tc, 0.7, k)[2:] != a[2:] for k in range(6, 10))
    single = train.TrainConfig(mode="single")
    assert train.step_configs(sn, single, 0.4, 5) == [sn.uniform(0.4)]


def test_lattice_kl_is_zero_for_teacher_and_positive_otherwise():
    torch.manual_seed(0)
    logits = torch.randn(2, 3, 4, 29)
    mask = train.lattice_mask(torch.tensor([3, 2]), torch.tensor([3, 1]), 3, 3)
    assert mask.shape == (2, 3, 4) and int(mask.sum()) == 3 * 4 + 2 * 2
    teacher = torch.log_softmax(logits, -1)
    assert float(train.lattice_kl(logits, teacher, mask)) == pytest.approx(0.0, abs=1e-6)
    assert float(train.lattice_kl(logits + torch.randn_like(logits), teacher, mask)) > 0.01


def test_train_config_rejects_unknown_keys():
    with pytest.raises(ValueError):
        train.TrainConfig().updated({"lrr": 1})


# ------------------------------------------------------------------------------------------------------- runs
def test_few_steps_finite_losses_eval_and_checkpoints(corpus, tmp_path):
    out = tmp_path / "run"
    cfg = _config(tmp_path, prune_begin=0.0, prune_end=0.5, distill_weight=0.5)
    s = train.run(_args(corpus, out, "--dev", str(corpus["dev"]), "--steps", "3", "--config", cfg))
    assert s["step"] == 3
    recs = _records(out, "train")
    assert [r["step"] for r in recs] == [1, 2, 3]
    for r in recs:
        assert math.isfinite(r["rnnt"]) and math.isfinite(r["ctc"]) and r["rnnt"] > 0
    assert "rnnt_sparse" in recs[-1] and "kl_sparse" in recs[-1]  # sandwich + in-place distillation ran
    ev = _records(out, "eval")[-1]
    assert ev["step"] == 3 and 0 <= ev["dense"]["cer"] and "sparsest" in ev
    assert (out / "stats.json").exists()  # computed from the training data (no --stats given)
    payload = torch.load(out / "ckpt_last.pt")
    assert payload["step"] == 3 and payload["kind"] == "full" and "optimizer" in payload
    assert not torch.equal(payload["model"]["encoder.feat_mean"], torch.zeros(80))
    assert torch.load(out / "weights.pt")["kind"] == "weights"
    assert "ETA" in (out / "train.log").read_text()


@pytest.mark.parametrize("granularity,refresh_every", [("structured", 1), ("unstructured", 2)])
def test_resume_equals_straight_run(corpus, tmp_path, granularity, refresh_every):
    cfg = _config(tmp_path, prune_begin=0.0, prune_end=0.8, n_random=1, refresh_every=refresh_every,
                  granularity=granularity)
    straight, split = tmp_path / "a", tmp_path / "b"
    # evaluating mid-run (rank 0 only) must not disturb the masks the training steps use
    a = train.run(_args(corpus, straight, "--steps", "6", "--config", cfg, "--dev", str(corpus["dev"]),
                        "--eval-every", "3"))
    train.run(_args(corpus, split, "--steps", "6", "--config", cfg, "--stop-at", "3"))
    assert torch.load(split / "ckpt_last.pt")["step"] == 3
    b = train.run(_args(corpus, split, "--steps", "6", "--config", cfg, "--resume"))
    assert a["step"] == b["step"] == 6
    wa, wb = a["model"].state_dict(), b["model"].state_dict()
    assert all(torch.equal(wa[k], wb[k]) for k in wa), [k for k in wa if not torch.equal(wa[k], wb[k])]
    pa, pb = torch.load(straight / "ckpt_last.pt"), torch.load(split / "ckpt_last.pt")
    assert pa["data"] == pb["data"]
    assert [r["rnnt"] for r in _records(straight, "train")] == [r["rnnt"] for r in _records(split, "train")]


def test_init_from_keeps_step_and_schedule(corpus, tmp_path):
    cfg = _config(tmp_path, prune_begin=0.0, prune_end=1.0)
    first = tmp_path / "first"
    train.run(_args(corpus, first, "--steps", "4", "--config", cfg, "--stop-at", "2"))
    s = train.run(_args(corpus, tmp_path / "second", "--steps", "4", "--config", cfg,
                        "--init-from", str(first / "weights.pt")))
    assert s["step"] == 4
    recs = _records(tmp_path / "second", "train")
    assert [r["step"] for r in recs] == [3, 4]
    assert recs[0]["lr"] < 0.1 * train.lr_at(2, s["train_config"])  # new optimizer re-warms


def test_corrupt_audio_is_skipped_and_counted(tmp_path):
    manifest = _write_corpus(tmp_path / "c", 4, 2, corrupt=2)
    out = tmp_path / "run"
    # one big batch per epoch, so every corrupt file is loaded within the first steps
    s = train.run(_args({"train": manifest}, out, "--steps", "2", "--config", _config(tmp_path),
                        "--max-batch-seconds", "100", "--dev", str(manifest)))
    assert s["step"] == 2 and s["dropped"] >= 2
    assert _records(out, "train")[-1]["dropped"] >= 2


def test_single_mode_reaches_target_sparsity(corpus, tmp_path):
    out = tmp_path / "single"
    cfg = _config(tmp_path, prune_begin=0.0, prune_end=1.0)
    s = train.run(_args(corpus, out, "--mode", "single", "--target-sparsity", "0.5", "--steps", "4",
                        "--config", cfg, "--granularity", "unstructured"))
    s_seq = [r["s_max"] for r in _records(out, "train")]
    assert s_seq[-1] == pytest.approx(0.5) and all(b >= a for a, b in zip(s_seq, s_seq[1:])) and s_seq[0] < 0.5
    assert "rnnt_sparse" not in _records(out, "train")[-1]  # one config per step
    assert s["s_max"] == pytest.approx(0.5) and torch.load(out / "weights.pt")["s_max"] == pytest.approx(0.5)


# ---------------------------------------------------------------------------------------------------------- DDP
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ddp_worker(rank: int, world: int, port: int, argv: list, result_dir: str) -> None:
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), WORLD_SIZE=str(world), RANK=str(rank),
                      LOCAL_RANK=str(rank))
    s = train.run(argv)
    torch.save({"state": s["model"].state_dict(), "threads": torch.get_num_threads(), "step": s["step"]},
               os.path.join(result_dir, f"rank{rank}.pt"))
    torch.distributed.destroy_process_group()


def test_ddp_two_processes_keep_identical_weights(corpus, tmp_path):
    out = tmp_path / "ddp"
    argv = _args(corpus, out, "--steps", "2", "--config", _config(tmp_path, prune_begin=0.0, prune_end=1.0),
                 "--max-batch-seconds", "2")
    i = argv.index("--threads")
    del argv[i:i + 2]  # DDP ranks must default to one thread each
    mp.spawn(_ddp_worker, args=(2, _free_port(), argv, str(tmp_path)), nprocs=2, join=True)
    r0, r1 = (torch.load(tmp_path / f"rank{r}.pt") for r in (0, 1))
    assert r0["step"] == r1["step"] == 2 and r0["threads"] == r1["threads"] == 1
    assert all(torch.equal(r0["state"][k], r1["state"][k]) for k in r0["state"])
    torch.manual_seed(0)  # the trainer's seed: the weights every rank started from
    init = Transducer(build_config("tiny")).state_dict()
    assert any(not torch.equal(init[k], r0["state"][k]) for k in init if "feat_" not in k)  # it did train
    payload = torch.load(out / "ckpt_last.pt")
    assert len(payload["data"]) == 2 and len(payload["rng"]) == 2


def test_hours_budget_stops_cleanly_with_checkpoint(corpus, tmp_path):
    out = tmp_path / "budget"
    s = train.run(_args(corpus, out, "--steps", "100000", "--hours", str(1.5 / 3600), "--config", _config(tmp_path)))
    assert 0 < s["step"] < 100000
    assert torch.load(out / "ckpt_last.pt")["step"] == s["step"]
    assert "time budget" in (out / "train.log").read_text()


def test_curriculum_phase_uses_short_utterances_then_everything(corpus):
    from omnisparse.data import AsrDataset, read_manifest
    from omnisparse.features import LogMel

    utts = read_manifest(corpus["train"])
    ds = AsrDataset(utts, LogMel(), None)
    tc = train.TrainConfig(curriculum_max_seconds=0.8, max_batch_seconds=3.0)
    stream = train.BatchStream(ds, tc, -13.8, train.DataPosition(phase=0))
    by_id = {u.id: u.duration for u in utts}
    short = [by_id[i] for _ in range(4) for i in stream.next(0)["ids"]]
    assert short and max(short) <= 0.8
    assert stream.pos.batch > 0 or stream.pos.epoch > 0
    seen = {i for _ in range(12) for i in stream.next(1)["ids"]}
    assert stream.pos.phase == 1 and max(by_id[i] for i in seen) > 0.8


def test_bench_rows_are_measured(capsys):
    from omnisparse import bench

    batch = bench.synthetic_batch(2, 1.0, 10, 29)
    assert batch["features"].shape == (2, 100, 80) and int(batch["token_lens"].max()) == 10
    row = bench.bench_one("tiny", "unstructured", "sandwich", batch, steps=1, s_max=0.5)
    assert row.n_configs == 3 and row.step_s > 0 and 0 <= row.mask_share < 1
    assert "sandwich" in bench.format_table([row])


def test_sigterm_stops_cleanly_with_checkpoint(corpus, tmp_path):
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "sig"
    cmd = [sys.executable, "-m", "omnisparse.train", *_args(corpus, out, "--steps", "100000", "--config",
                                                             _config(tmp_path))]
    proc = subprocess.Popen(cmd, cwd=Path(__file__).resolve().parents[1], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 60
        while not (out / "train.log").exists() or "step 2/" not in (out / "train.log").read_text():
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            assert time.time() < deadline
            time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    log = (out / "train.log").read_text()
    assert "stopping at step" in log and "signal" in log
    step = torch.load(out / "ckpt_last.pt")["step"]
    assert step >= 2 and f"step {step}/100000" in log


def test_shipped_configs_are_valid():
    paths = sorted((Path(__file__).resolve().parents[1] / "configs").glob("*.json"))
    assert paths
    for p in paths:
        train.TrainConfig().updated(json.loads(p.read_text()))
