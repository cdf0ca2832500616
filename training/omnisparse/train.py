"""Train a streaming transducer as an Omni-sparsity supernet (or, for the baseline, one gradually pruned subnet).

    python -m omnisparse.train --train M.jsonl --dev D.jsonl --out runs/NAME --preset default \
        --granularity structured --mode supernet --target-sparsity 0.9 --steps 30000 --hours 2.5 [--resume]
    torchrun --nproc_per_node 2 -m omnisparse.train ...            (DDP: gloo on CPU, nccl on CUDA)

A supernet ("sandwich") step refreshes the magnitude ranking once, then accumulates the gradients of the dense
net, the sparsest uniform net (s_max of the Zhu-Gupta schedule) and `n_random` random per-group mixes before one
optimizer step. `--mode single` trains one config per step, uniform(s(t)), i.e. gradual magnitude pruning.

Resumability: `ckpt_last.pt` holds weights, optimizer, RNG of every rank and the sampler position of every rank,
so `--resume` continues with no lost or repeated step. `--init-from weights.pt` keeps the step (the sparsity
schedule continues) but starts a new optimizer, with a short LR re-warm-up.

This module is the training loop and its CLI; the pieces it runs live in one place each: the hyper-parameters in
train_config, the lr / sparsity schedules in schedules, the losses in losses, DDP in distributed, saving and
resuming in checkpoint (their names stay importable from here).
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import json
import math
import os
import random
import signal
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterator, Optional

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn

from .augment import AugmentConfig, Augmenter
# the names below that this module does not use itself are re-exported: callers import them from here
from .checkpoint import (mask_ranks, restore_checkpoint, restore_mask_ranks, rng_state,  # noqa: F401
                         save_checkpoints, set_rng_state)
from .corpus_io import AudioError, load_audio, read_manifest
from .data import AsrDataset, DurationBatchSampler, collate
from .distributed import Dist, all_sum, gather, init_distributed, launch_local  # noqa: F401
from .evaluate import EvalItem, evaluate_model
from .features import LogMel, compute_stats, load_frontend
from .losses import TransducerLoss, lattice_kl, lattice_mask  # noqa: F401
from .model import ModelConfig, Transducer, build_config
from .schedules import lr_at, s_max_at, step_configs
from .sparsity import Supernet
from .train_config import TrainConfig

FRAME_SECONDS = 0.01  # feature hop (160 samples at 16 kHz), for audio-seconds accounting


# ------------------------------------------------------------------------------------------------------ one step
@dataclass
class StepResult:
    losses: dict[str, float]
    grad_norm: float
    stepped: bool
    mask_seconds: float
    compute_seconds: float


def train_step(loss_mod: nn.Module, inner: TransducerLoss, supernet: Supernet, optimizer: torch.optim.Optimizer,
               batch: dict[str, Any], configs: list[Optional[dict[str, float]]], tc: TrainConfig,
               refresh: bool = True) -> StepResult:
    """One optimizer step over `configs` (gradients accumulate; DDP syncs only on the last backward)."""
    t0 = time.perf_counter()
    if refresh:
        supernet.refresh()
    mask_s = time.perf_counter() - t0
    optimizer.zero_grad(set_to_none=True)
    args = (batch["features"], batch["feature_lens"], batch["tokens"], batch["token_lens"])
    losses: dict[str, float] = {}
    teacher: Optional[torch.Tensor] = None
    for i, cfg in enumerate(configs):
        t1 = time.perf_counter()
        supernet.set_config(cfg)
        mask_s += time.perf_counter() - t1
        last = i == len(configs) - 1
        sync = contextlib.nullcontext() if last or not hasattr(loss_mod, "no_sync") else loss_mod.no_sync()
        with sync:
            out = loss_mod(*args, teacher_logp=teacher if cfg is not None else None,
                           distill_weight=tc.distill_weight if cfg is not None else 0.0)
            out["loss"].backward()
        if cfg is None and tc.distill_weight > 0 and not last:
            teacher = F.log_softmax(out["logits"].detach(), dim=-1)
        tag = "" if i == 0 else ("_sparse" if i == 1 else f"_rand{i - 1}")
        for k in ("rnnt", "ctc", "kl"):
            if k in out:
                losses[k + tag] = float(out[k].detach())
    t2 = time.perf_counter()
    supernet.set_config(None)
    mask_s += time.perf_counter() - t2
    params = [p for p in inner.parameters() if p.grad is not None]
    norm = float(torch.nn.utils.clip_grad_norm_(params, tc.grad_clip))
    stepped = math.isfinite(norm)  # grads are all-reduced, so every rank takes the same decision
    if stepped:
        optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    total = time.perf_counter() - t0
    return StepResult(losses, norm, stepped, mask_s, total - mask_s)


def make_optimizer(model: nn.Module, tc: TrainConfig) -> torch.optim.AdamW:
    """Weight decay on matrices only (not on biases, norms, relative biases, embeddings)."""
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (decay if p.dim() >= 2 and "embed" not in name else no_decay).append(p)
    return torch.optim.AdamW([{"params": decay, "weight_decay": tc.weight_decay},
                              {"params": no_decay, "weight_decay": 0.0}], lr=tc.lr, betas=tc.betas)


# ------------------------------------------------------------------------------------------------------------ data
@dataclass
class DataPosition:
    """Where a rank's batch stream stands: phase 0 = curriculum (short utterances only), 1 = everything."""
    phase: int = 0
    epoch: int = 0
    batch: int = 0  # batches of this epoch already consumed
    seed: int = 0


class BatchStream:
    """Endless, resumable stream of collated batches; items that fail to load are dropped and counted."""

    def __init__(self, dataset: AsrDataset, tc: TrainConfig, pad_value: float, pos: DataPosition,
                 world: int = 1, rank: int = 0, workers: int = 0):
        self.dataset, self.tc, self.pad_value = dataset, tc, pad_value
        self.pos, self.world, self.rank, self.workers = pos, world, rank, workers
        self.dropped = 0
        self._it: Optional[Iterator] = None

    def _iterator(self) -> Iterator:
        p = self.pos
        max_dur = self.tc.curriculum_max_seconds if p.phase == 0 else self.tc.max_duration
        sampler = DurationBatchSampler(self.dataset.durations, self.tc.max_batch_seconds, shuffle=True,
                                       seed=p.seed + 7919 * p.phase, num_replicas=self.world, rank=self.rank,
                                       max_duration=max_dur)
        sampler.set_epoch(p.epoch)
        self.dataset.set_epoch(p.epoch)
        batches = list(sampler)
        if not batches:
            raise RuntimeError(f"no batch fits (phase {p.phase}, max duration {max_dur}s): check the manifests")
        # own generator: creating a loader must not consume the global RNG (resume would diverge)
        loader = torch.utils.data.DataLoader(self.dataset, batch_sampler=batches[p.batch:], num_workers=self.workers,
                                             collate_fn=functools.partial(collate, pad_value=self.pad_value),  # picklable for workers
                                             generator=torch.Generator().manual_seed(p.seed))
        return iter(loader)

    def next(self, phase: int) -> Optional[dict[str, Any]]:
        """The next batch (None when every item of it was corrupt); switching phase restarts at epoch 0."""
        if phase != self.pos.phase:
            self.pos = DataPosition(phase, 0, 0, self.pos.seed)
            self._it = None
        while True:
            if self._it is None:
                self._it = self._iterator()
            try:
                batch = next(self._it)
            except StopIteration:
                self.pos.epoch += 1
                self.pos.batch = 0
                self._it = None
                continue
            self.pos.batch += 1
            self.dropped += int(batch.get("num_dropped", 0))
            return batch if batch["features"].shape[0] > 0 else None


def make_augmenter(tc: TrainConfig) -> Optional[Augmenter]:
    if not tc.augment and not tc.spec_augment:
        return None
    cfg = AugmentConfig()
    if not tc.augment:
        cfg = AugmentConfig(p_speed=0, p_reverb=0, p_noise=0, p_telephone=0, p_gain=0)
    if not tc.spec_augment:
        cfg.p_spec = 0.0
    return Augmenter(cfg, seed=tc.seed)


def load_dev_items(utts: list, mel: LogMel, limit: int) -> list[EvalItem]:
    """Dev features computed once; unreadable files are skipped (evaluation must never crash a run)."""
    items: list[EvalItem] = []
    for u in utts:
        if len(items) >= limit:
            break
        try:
            wave = load_audio(u.audio, mel.spec.sample_rate)
        except AudioError:
            continue
        with torch.no_grad():
            feats = mel(wave).float().numpy()
        if feats.shape[0] > 0:
            items.append(EvalItem(u.id, feats, u.text, wave.numel() / mel.spec.sample_rate))
    return items


# ----------------------------------------------------------------------------------------------------- run state
@dataclass
class RunState:
    step: int
    rewarm_from: Optional[int]
    stream: BatchStream
    skipped_batches: int = 0
    skipped_steps: int = 0  # non-finite gradient norm

    def counters(self) -> dict[str, int]:
        return {"skipped_batches": self.skipped_batches, "skipped_steps": self.skipped_steps,
                "dropped_items": self.stream.dropped}


def checkpoint_run(out: Path, d: Dist, model: Transducer, supernet: Supernet, tc: TrainConfig,
                   optimizer: torch.optim.Optimizer, st: RunState) -> None:
    """save_checkpoints of the loop's state (collective: every rank calls it)."""
    save_checkpoints(out, d, model, supernet, tc, optimizer, st.step, st.rewarm_from, asdict(st.stream.pos),
                     st.counters())


class Logger:
    """Rank 0 writes human lines to stdout + train.log and records to metrics.jsonl; other ranks stay quiet."""

    def __init__(self, out: Path, enabled: bool):
        self.enabled = enabled
        if enabled:
            out.mkdir(parents=True, exist_ok=True)
            self.log = open(out / "train.log", "a", encoding="utf-8")
            self.jsonl = open(out / "metrics.jsonl", "a", encoding="utf-8")

    def line(self, text: str) -> None:
        if self.enabled:
            stamped = time.strftime("%H:%M:%S ") + text
            print(stamped, flush=True)
            self.log.write(stamped + "\n")
            self.log.flush()

    def record(self, obj: dict[str, Any]) -> None:
        if self.enabled:
            self.jsonl.write(json.dumps(obj) + "\n")
            self.jsonl.flush()

    def close(self) -> None:
        if self.enabled:
            self.log.close()
            self.jsonl.close()


def fmt_duration(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "?"
    s = int(seconds)
    return f"{s // 3600}h{s % 3600 // 60:02d}m" if s >= 3600 else f"{s // 60}m{s % 60:02d}s"


def evaluate_levels(model: Transducer, supernet: Supernet, items: list[EvalItem], mel: LogMel, s_max: float,
                    tc: TrainConfig) -> dict[str, Any]:
    """Streaming greedy WER/CER at the dense net and at the sparsest subnet of the current schedule."""
    levels: list[tuple[str, Optional[dict[str, float]]]] = [("dense", None)]
    if s_max > 0:
        levels.append(("sparsest", supernet.uniform(s_max)))
    result: dict[str, Any] = {"s_max": s_max, "utts": len(items)}
    was_training = model.training
    in_use = mask_ranks(supernet)  # training's ranking must survive (rank 0 alone evaluates; resume exactness)
    supernet.refresh()  # rank by the weights being evaluated, not those of the previous step
    try:
        for name, cfg in levels:
            supernet.set_config(cfg)
            result[name] = evaluate_model(model, items, mel).as_dict()
    finally:
        restore_mask_ranks(supernet, in_use)
        supernet.set_config(None)
        model.train(was_training)
    return result


# ------------------------------------------------------------------------------------------------------------ main
def build_train_config(args: argparse.Namespace, resumed: Optional[dict]) -> TrainConfig:
    """Defaults (or the resumed run's config) < --config JSON < explicit command-line flags."""
    base = TrainConfig(**resumed["train_config"]) if resumed else TrainConfig()
    overrides: dict[str, Any] = {}
    if args.config:
        overrides.update(json.loads(Path(args.config).read_text(encoding="utf-8")))
    cli = {"preset": args.preset, "granularity": args.granularity, "mode": args.mode, "lr": args.lr,
           "s_final": args.target_sparsity, "total_steps": args.steps, "max_batch_seconds": args.max_batch_seconds,
           "seed": args.seed}
    overrides.update({k: v for k, v in cli.items() if v is not None})
    return base.updated(overrides)


def parse_args(argv: Optional[list[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m omnisparse.train", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--train", nargs="+", required=True, help="training manifests (JSONL)")
    p.add_argument("--dev", help="dev manifest for periodic WER/CER")
    p.add_argument("--out", required=True, help="run folder: ckpt_last.pt, weights.pt, train.log, metrics.jsonl")
    p.add_argument("--preset", choices=["default", "small", "tiny"])
    p.add_argument("--granularity", choices=["structured", "unstructured"])
    p.add_argument("--mode", choices=["supernet", "single"])
    p.add_argument("--target-sparsity", type=float, help="final max sparsity (single mode: the one target)")
    p.add_argument("--steps", type=int, help="total optimizer steps (length of the LR and sparsity schedules)")
    p.add_argument("--hours", type=float, help="wall-clock budget of this invocation; stops cleanly, checkpointed")
    p.add_argument("--stop-at", type=int, help="stop this invocation after this step (schedules keep --steps)")
    p.add_argument("--max-batch-seconds", type=float)
    p.add_argument("--lr", type=float)
    p.add_argument("--seed", type=int)
    p.add_argument("--stats", help="feature stats JSON {mean, std}; default: computed from <= 500 train utterances")
    p.add_argument("--config", help="JSON of TrainConfig overrides")
    p.add_argument("--init-from", help="weights.pt / ckpt: keep weights and step, new optimizer")
    p.add_argument("--resume", action="store_true", help="continue from OUT/ckpt_last.pt")
    p.add_argument("--frontend", help="frontend.json (default models/frontend.json)")
    p.add_argument("--ckpt-minutes", type=float, default=10.0)
    p.add_argument("--log-every", type=int, default=50)
    p.add_argument("--eval-every", type=int, default=2000, help="0: only at the end")
    p.add_argument("--eval-utts", type=int, default=100)
    p.add_argument("--workers", type=int, default=1, help="DataLoader worker processes per rank")
    p.add_argument("--threads", type=int, help="torch threads per process (default: all cores; 1 under DDP)")
    p.add_argument("--nproc", type=int, default=1, help="local DDP processes (spawned here; no torchrun needed)")
    return p.parse_args(argv)


class StopFlag:
    """SIGTERM/SIGINT ask for a clean stop at the next step boundary (checkpoint written, nothing lost)."""

    def __init__(self) -> None:
        self.requested = False
        self.previous: dict[int, Any] = {}
        try:
            for sig in (signal.SIGTERM, signal.SIGINT):
                self.previous[sig] = signal.signal(sig, self._handle)
        except ValueError:  # not the main thread (e.g. called from a test harness thread)
            pass

    def _handle(self, signum: int, frame: Any) -> None:
        self.requested = True

    def restore(self) -> None:
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)


def run(argv: Optional[list[str]] = None) -> dict[str, Any]:
    """The whole training invocation; returns a summary (used by tests)."""
    args = parse_args(argv)
    d = init_distributed(args.threads)
    out = Path(args.out)
    logger = Logger(out, d.main)
    ckpt_path = out / "ckpt_last.pt"
    resumed = torch.load(ckpt_path, map_location="cpu") if args.resume and ckpt_path.exists() else None
    if args.resume and resumed is None:
        logger.line(f"--resume: no {ckpt_path}, starting a new run")
    init = torch.load(args.init_from, map_location="cpu") if args.init_from and resumed is None else None
    source = resumed or init
    tc = build_train_config(args, resumed)

    torch.manual_seed(tc.seed)  # identical initial weights on every rank
    mcfg = ModelConfig.from_dict(source["model_config"]) if source else build_config(tc.preset)
    model = Transducer(mcfg)
    if source:
        model.load_state_dict(source["model"])
    mel = LogMel(load_frontend(args.frontend))
    train_utts = [u for m in args.train for u in read_manifest(m)]
    if args.stats:
        stats = json.loads(Path(args.stats).read_text(encoding="utf-8"))
        model.encoder.set_feature_stats(torch.tensor(stats["mean"]), torch.tensor(stats["std"]))
    elif source is None and d.main:  # other ranks receive the buffers when DDP broadcasts rank 0's state
        stats = compute_stats(args.train, out / "stats.json", max_utts=500, seed=tc.seed, frontend=args.frontend)
        model.encoder.set_feature_stats(torch.tensor(stats["mean"]), torch.tensor(stats["std"]))
    model.to(d.device).train()
    inner = TransducerLoss(model, mel.pad_value, tc.ctc_weight)
    loss_mod: nn.Module = inner
    if d.world > 1:
        loss_mod = nn.parallel.DistributedDataParallel(
            inner, device_ids=[d.device.index] if d.device.type == "cuda" else None,
            broadcast_buffers=False, find_unused_parameters=tc.ctc_weight <= 0)
    supernet = Supernet(model, tc.granularity)
    optimizer = make_optimizer(model, tc)

    step = int(source["step"]) if source else 0
    counters: dict[str, int] = {}
    if resumed:
        position, rewarm, counters = restore_checkpoint(resumed, d.rank, optimizer, supernet)
        pos = DataPosition(**position)
    else:
        torch.manual_seed(tc.seed + 1 + d.rank)
        random.seed(tc.seed + 1 + d.rank)
        np.random.seed(tc.seed + 1 + d.rank)
        # a run carried on from weights sees a new data order (seeded by the step it starts at)
        pos = DataPosition(phase=0 if step < tc.curriculum_steps else 1, seed=tc.seed + step)
        rewarm = step if init is not None and step > 0 else None
    dataset = AsrDataset(train_utts, mel, make_augmenter(tc), tc.max_duration, seed=pos.seed)
    st = RunState(step, rewarm, BatchStream(dataset, tc, mel.pad_value, pos, d.world, d.rank, args.workers))
    if resumed:
        st.skipped_batches = counters["skipped_batches"]
        st.skipped_steps = counters["skipped_steps"]
        st.stream.dropped = counters["dropped_items"]
    dev_items = load_dev_items(read_manifest(args.dev), mel, args.eval_utts) if args.dev and d.main else []

    stop_at = min(tc.total_steps, args.stop_at if args.stop_at is not None else tc.total_steps)
    budget = args.hours * 3600 if args.hours else math.inf
    logger.line(f"{'resumed' if resumed else 'init-from' if init else 'new'} run at step {step}/{tc.total_steps} "
                f"(stop at {stop_at}); {len(dataset)} train utts, {len(dev_items)} dev; world {d.world}; "
                f"{model.count_params()} params; {json.dumps(asdict(tc))}")
    stop = StopFlag()
    t_start = last_ckpt = time.time()
    recent: list[float] = []
    win = {"n": 0, "audio": 0.0, "mask": 0.0, "compute": 0.0, "losses": {}}
    last_eval: dict[str, Any] = {}
    s_max = s_max_at(max(step - 1, 0), tc) if step else 0.0
    while st.step < stop_at:
        avg = sum(recent) / len(recent) if recent else 0.0
        want_stop = stop.requested or time.time() - t_start + 2 * avg > budget
        ckpt_due = time.time() - last_ckpt > args.ckpt_minutes * 60
        flags = all_sum(d, [float(want_stop), float(ckpt_due)])
        if flags[0] > 0:
            logger.line(f"stopping at step {st.step}: {'signal' if stop.requested else 'time budget'}")
            break
        if flags[1] > 0 and st.step > step:
            checkpoint_run(out, d, model, supernet, tc, optimizer, st)
            last_ckpt = time.time()
        t0 = time.time()
        batch = st.stream.next(0 if st.step < tc.curriculum_steps else 1)
        audio = float(batch["feature_lens"].sum()) * FRAME_SECONDS if batch is not None else 0.0
        bad, audio = all_sum(d, [float(batch is None), audio])
        if bad > 0:  # some rank has nothing to train on: all skip together (DDP would hang otherwise)
            st.skipped_batches += 1
            continue
        assert batch is not None
        batch = {k: v.to(d.device) if isinstance(v, torch.Tensor) else v for k, v in batch.items()}
        s_max = s_max_at(st.step, tc)
        lr = lr_at(st.step, tc, st.rewarm_from)
        for g in optimizer.param_groups:
            g["lr"] = lr
        res = train_step(loss_mod, inner, supernet, optimizer, batch, step_configs(supernet, tc, s_max, st.step), tc,
                         refresh=st.step % tc.refresh_every == 0)
        st.step += 1
        st.skipped_steps += 0 if res.stepped else 1
        dt = time.time() - t0
        recent = (recent + [dt])[-50:]
        win["n"] += 1
        win["audio"] += audio
        win["mask"] += res.mask_seconds
        win["compute"] += res.compute_seconds
        for k, v in res.losses.items():
            win["losses"][k] = win["losses"].get(k, 0.0) + v
        if st.step % args.log_every == 0 or st.step == stop_at:
            log_window(logger, win, st, tc, s_max, lr, res.grad_norm, recent, stop_at, budget - (time.time() - t_start))
            win = {"n": 0, "audio": 0.0, "mask": 0.0, "compute": 0.0, "losses": {}}
        if args.eval_every and st.step % args.eval_every == 0 and d.main and dev_items and st.step < stop_at:
            last_eval = log_eval(logger, model, supernet, dev_items, mel, s_max, tc, st.step)
    checkpoint_run(out, d, model, supernet, tc, optimizer, st)
    stop.restore()
    if d.main and dev_items:
        last_eval = log_eval(logger, model, supernet, dev_items, mel, s_max, tc, st.step)
    logger.line(f"done: step {st.step}/{tc.total_steps}, checkpoint {ckpt_path}, dropped items {st.stream.dropped}, "
                f"skipped batches {st.skipped_batches}, skipped steps {st.skipped_steps}")
    logger.close()
    if d.world > 1:
        dist.barrier()
    return {"step": st.step, "s_max": s_max, "dropped": st.stream.dropped, "skipped_batches": st.skipped_batches,
            "eval": last_eval, "model": model, "train_config": tc}


def log_window(logger: Logger, win: dict[str, Any], st: RunState, tc: TrainConfig, s_max: float, lr: float,
               grad_norm: float, recent: list[float], stop_at: int, budget_left: float) -> None:
    n = max(1, win["n"])
    losses = {k: v / n for k, v in win["losses"].items()}
    busy = win["mask"] + win["compute"]
    mask_share = win["mask"] / busy if busy > 0 else 0.0
    step_s = sum(recent) / max(1, len(recent))
    speed = win["audio"] / max(busy, 1e-9)
    eta = min((stop_at - st.step) * step_s, budget_left)
    sparse = f" sparse {losses['rnnt_sparse']:.3f}" if "rnnt_sparse" in losses else ""
    logger.line(f"step {st.step}/{tc.total_steps} | rnnt {losses.get('rnnt', float('nan')):.3f} "
                f"ctc {losses.get('ctc', float('nan')):.3f}{sparse} | s_max {s_max:.3f} | lr {lr:.2e} | "
                f"|g| {grad_norm:.2f} | {speed:.1f} audio-s/s | {step_s:.2f} s/step, masks {100 * mask_share:.1f}% | "
                f"dropped {st.stream.dropped} | ETA {fmt_duration(eta)}")
    logger.record({"type": "train", "step": st.step, "total": tc.total_steps, "s_max": s_max, "lr": lr,
                   "grad_norm": grad_norm, "audio_per_s": speed, "step_s": step_s, "mask_share": mask_share,
                   "dropped": st.stream.dropped, "skipped_batches": st.skipped_batches,
                   "skipped_steps": st.skipped_steps, "eta_s": eta, "time": time.time(), **losses})


def log_eval(logger: Logger, model: Transducer, supernet: Supernet, items: list[EvalItem], mel: LogMel,
             s_max: float, tc: TrainConfig, step: int) -> dict[str, Any]:
    t0 = time.time()
    r = evaluate_levels(model, supernet, items, mel, s_max, tc)
    parts = [f"{k} WER {r[k]['wer']:.3f} CER {r[k]['cer']:.3f}" for k in ("dense", "sparsest") if k in r]
    logger.line(f"eval step {step} ({r['utts']} dev utts, s_max {s_max:.2f}, {time.time() - t0:.0f}s): "
                + " | ".join(parts))
    logger.record({"type": "eval", "step": step, **r})
    return r


def main(argv: Optional[list[str]] = None) -> None:
    argv = sys.argv[1:] if argv is None else argv  # spawned ranks do not see this process's sys.argv
    nproc = parse_args(argv).nproc
    if nproc > 1 and "WORLD_SIZE" not in os.environ:
        launch_local(nproc, argv, main)
        return
    run(argv)
    if dist.is_initialized():
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
