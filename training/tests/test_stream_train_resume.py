"""Robustness of the v2 trainer (omnisparse.stream_train) on a tiny model: a run killed with SIGKILL mid-run resumes
from its last state.pt with exactly the batch sequence (and RNG draws) of an uninterrupted run - no step lost, none
repeated - and a corpus with corrupt audio trains to the end with those utterances skipped and counted."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import torch
import torchaudio

from omnisparse import stream_train
from omnisparse.whisper_model import EncoderDims, HeadConfig, ModelConfigV2, StreamConfig, StreamingTransducer

from test_end_to_end import TRAINING, _corpus
from test_v2_end_to_end import tiny_checkpoint

N_STEPS = 40      # 10-50 ms a step on the tiny model: the kill lands well before the end
KILL_AFTER = 5    # kill once state.pt holds at least this step and the run has gone 2 steps past it


def _tiny_init(path: Path) -> Path:
    return tiny_checkpoint(path)


def _argv(train: Path, init: Path, out: Path, *extra: str) -> list[str]:
    return ["--stage", "head", "--train", str(train), "--init", str(init), "--teacher", str(init), "--out", str(out),
            "--workers", "0", "--threads", "1", "--batch-seconds", "4", "--augment", "false", "--warmup-steps", "1",
            "--eval-every-min", "1000", "--log-batches", *extra]


def _lines(path: Path) -> list[dict]:
    """batches.jsonl rows without their wall-clock "time" (see _times)."""
    return [{k: v for k, v in json.loads(x).items() if k != "time"} for x in path.read_text().splitlines() if x.strip()]


def _times(path: Path) -> list[float]:
    return [json.loads(x).get("time", 0.0) for x in path.read_text().splitlines() if x.strip()]


def test_sigkill_then_resume_continues_the_exact_batch_sequence(tmp_path):
    t0 = time.time()
    train = _corpus(tmp_path / "train", 10, 0)
    init = _tiny_init(tmp_path / "init.pt")
    common = ["--max-steps", str(N_STEPS), "--checkpoint-every-min", "0.002"]   # state.pt every 0.12 s (a few steps)

    # A: uninterrupted
    res_a = stream_train.main(_argv(train, init, tmp_path / "A", *common))
    a = _lines(tmp_path / "A" / "batches.jsonl")
    assert res_a["step"] == N_STEPS and [r["step"] for r in a] == list(range(1, N_STEPS + 1))
    assert len({r["epoch"] for r in a}) > 5          # several epochs: the resume crosses epoch boundaries

    # B: the same command in its own process group, SIGKILLed mid-run once state.pt holds step >= KILL_AFTER and
    # two more steps are done (work the resume must redo)
    out_b = tmp_path / "B"
    env = {**os.environ, "PYTHONPATH": str(TRAINING), "OMP_NUM_THREADS": "1"}
    with open(tmp_path / "B.log", "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "omnisparse.stream_train", *_argv(train, init, out_b, *common)],
                                cwd=TRAINING, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            while proc.poll() is None and time.time() - t0 < 90:
                state, steps = out_b / "state.pt", out_b / "batches.jsonl"
                saved = torch.load(state, map_location="cpu")["step"] if state.is_file() else -1
                if saved >= KILL_AFTER and steps.read_text().count("\n") >= saved + 2:
                    os.killpg(proc.pid, signal.SIGKILL)
                    break
                time.sleep(0.02)
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == -signal.SIGKILL, (tmp_path / "B.log").read_text()[-3000:]
    k = torch.load(out_b / "state.pt", map_location="cpu")["step"]
    assert KILL_AFTER <= k < N_STEPS

    t_resume = time.time()
    res_b = stream_train.main(_argv(train, init, out_b, *common, "--resume"))
    resume_s = time.time() - t_resume
    b = _lines(out_b / "batches.jsonl")
    mark = max(i for i, r in enumerate(b) if "resume" in r)
    before, after = b[:mark], b[mark + 1:]
    first_step_s = _times(out_b / "batches.jsonl")[mark + 1] - t_resume   # --resume to its first new step
    assert b[mark]["resume"] == k
    # the resumed run picks up right after the checkpoint: same steps, batches, offsets and RNG states as A
    assert [r["step"] for r in after] == list(range(k + 1, N_STEPS + 1))
    assert after == a[k:]
    assert before[:k] == a[:k]                       # and the killed run had matched A up to the checkpoint
    assert res_b["step"] == N_STEPS == torch.load(out_b / "state.pt", map_location="cpu")["step"]
    print(f"\nkilled after checkpoint step {k} (the killed run had logged {len(before)} steps); resume: first new "
          f"step after {first_step_s:.2f} s, to step {N_STEPS} in {resume_s:.1f} s; whole test {time.time() - t0:.1f} s")


def _write_corrupt(root: Path) -> list[dict]:
    """Three unreadable files: random bytes, a RIFF header over junk, and a real WAV cut inside its header."""
    good = root / "u0.wav"
    (root / "garbage.wav").write_bytes(os.urandom(3000))
    (root / "junk.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk" + os.urandom(200))
    (root / "cut.wav").write_bytes(good.read_bytes()[:20])
    # 3.0 s alone fills a 4 s batch: that batch is empty once its file is dropped (no step); the others share batches
    return [{"id": name, "audio": f"{name}.wav", "duration": dur, "text": "no", "speaker": "s", "split": "train",
             "source": "test"} for name, dur in (("garbage", 3.0), ("junk", 0.5), ("cut", 0.7))]


def test_corrupt_audio_is_skipped_and_counted(tmp_path):
    t0 = time.time()
    train = _corpus(tmp_path / "train", 10, 0)
    rows = _write_corrupt(tmp_path / "train")
    with open(train, "a") as f:
        f.write("".join(json.dumps(r) + "\n" for r in rows))
    assert torchaudio.info(str(tmp_path / "train" / "u0.wav")).num_frames > 0
    init = _tiny_init(tmp_path / "init.pt")
    out = tmp_path / "run"
    res = stream_train.main(_argv(train, init, out, "--max-steps", "8"))
    assert res["step"] == 8                           # trained to the end
    assert res["corrupt"] == 3 and res["empty_batches"] >= 1 and res["dropped"] >= 3
    final = _lines(out / "metrics.jsonl")[-1]
    assert final["final"] and final["corrupt"] == 3
    log = (out / "train.log").read_text()
    assert "3 corrupt utterances skipped" in log and "has no readable utterance" in log
    assert {r for line in _lines(out / "batches.jsonl") for r in line["ids"]} <= {f"u{i}" for i in range(10)}
    # the count survives a resume: the same files met again are not counted twice
    res2 = stream_train.main(_argv(train, init, out, "--max-steps", "12", "--resume"))
    assert res2["step"] == 12 and res2["corrupt"] == 3 and res2["dropped"] > res["dropped"]
    print(f"\ncorrupt {res['corrupt']}, dropped {res['dropped']} times, {res['empty_batches']} empty batches, "
          f"{time.time() - t0:.1f} s")


def test_sampler_start_skips_consumed_batches():
    from omnisparse.data import DurationBatchSampler

    durs = [0.5 + 0.1 * (i % 13) for i in range(60)]
    for replicas in (1, 2):
        for rank in range(replicas):
            s = DurationBatchSampler(durs, 3.0, seed=4, num_replicas=replicas, rank=rank)
            s.set_epoch(3)
            full = list(s)
            s.set_epoch(3, start=2)
            assert list(s) == full[2:] and len(s) == len(full) - 2
            s.set_epoch(4)                     # the next epoch starts at its beginning again
            assert len(list(s)) == len(s) and s.start == 0


def test_lost_items_finds_the_dropped_utterances():
    ids = ["a", "b", "c", "a"]     # duplicate ids across manifests are matched by count
    assert stream_train.lost_items([0, 1, 2, 3], ["a", "c"], ids) == [1, 3]
    assert stream_train.lost_items([1, 2], [], ids) == [1, 2]
    assert stream_train.lost_items([1, 2], ["b", "c"], ids) == []
