"""Training throughput of one subnet step vs the supernet sandwich step, and the share of step time spent on masks.

    python -m omnisparse.bench [--preset default] [--batch 8] [--seconds 6] [--chars 80] [--steps 3]
    python -m omnisparse.bench --family v2 [--batch 8] [--seconds 6]   # recipe v2's stages (Whisper tiny.en size)

Batches are synthetic (random features and tokens) but of realistic shape, so the numbers measure the model, the
losses and the mask machinery, not the data pipeline.
"""
from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass
from typing import Any, Optional

import torch

from .losses import TransducerLoss
from .model import Transducer, build_config
from .schedules import step_configs
from .sparsity import Supernet
from .train import FRAME_SECONDS, make_optimizer, train_step
from .train_config import TrainConfig

PAD_VALUE = -13.815510557964274


def synthetic_batch(batch: int, seconds: float, chars: int, vocab: int, seed: int = 0) -> dict[str, Any]:
    """Lengths vary +-10 % around the nominal ones, as in a duration-bucketed batch."""
    g = torch.Generator().manual_seed(seed)
    frames = int(seconds / FRAME_SECONDS)
    feat_lens = (frames * (0.9 + 0.1 * torch.rand(batch, generator=g))).long()
    feat_lens[0] = frames
    token_lens = (chars * (0.9 + 0.1 * torch.rand(batch, generator=g))).long().clamp_min(1)
    token_lens[0] = chars
    feats = torch.full((batch, frames, 80), PAD_VALUE)
    for i, n in enumerate(feat_lens.tolist()):
        feats[i, :n] = torch.randn(n, 80, generator=g) * 3 - 5
    tokens = torch.randint(1, vocab, (batch, chars), generator=g)
    tokens[torch.arange(chars)[None, :] >= token_lens[:, None]] = 0
    return {"features": feats, "feature_lens": feat_lens, "tokens": tokens, "token_lens": token_lens}


@dataclass
class BenchRow:
    granularity: str
    kind: str
    n_configs: int
    step_s: float
    audio_per_s: float
    mask_share: float


def bench_one(preset: str, granularity: str, kind: str, batch: dict[str, Any], steps: int,
              s_max: float = 0.9, n_random: int = 1, refresh_every: int = 1) -> BenchRow:
    torch.manual_seed(0)
    model = Transducer(build_config(preset)).train()
    tc = TrainConfig(preset=preset, granularity=granularity, mode="supernet" if kind == "sandwich" else "single",
                     n_random=n_random)
    loss = TransducerLoss(model, PAD_VALUE, tc.ctc_weight)
    supernet = Supernet(model, granularity)
    opt = make_optimizer(model, tc)
    audio = float(batch["feature_lens"].sum()) * FRAME_SECONDS
    # single: one subnet at half the max sparsity (the typical middle of a gradual-pruning run)
    s = s_max if kind == "sandwich" else s_max / 2
    configs: list[Optional[dict[str, float]]] = step_configs(supernet, tc, s, 0)
    train_step(loss, loss, supernet, opt, batch, configs, tc)  # warm-up: allocator, thread pool
    mask = compute = 0.0
    steps = -(-steps // refresh_every) * refresh_every  # whole refresh periods, or the average is biased
    for k in range(steps):
        r = train_step(loss, loss, supernet, opt, batch, step_configs(supernet, tc, s, k + 1), tc,
                       refresh=k % refresh_every == 0)
        mask += r.mask_seconds
        compute += r.compute_seconds
    total = mask + compute
    label = kind if refresh_every == 1 else f"{kind}/r{refresh_every}"
    return BenchRow(granularity, label, len(configs), total / steps, audio * steps / total, mask / total)


def bench_v2(batch: dict[str, Any], steps: int, s_max: float = 0.9) -> list[tuple[str, int, float, float]]:
    """Recipe v2 (omnisparse.stream_train.train_step) per stage on Whisper tiny.en-sized random weights (the numbers
    do not depend on the values): (stage, subnets per step, s/step, audio-s per wall-s)."""
    import random as _random

    from .omni import OmniSupernet, subnets
    from .stream_train import StageConfig, train_step
    from .whisper_model import ModelConfigV2, StreamingTransducer

    torch.manual_seed(0)
    model = StreamingTransducer(ModelConfigV2()).train()
    teacher = StreamingTransducer(ModelConfigV2()).encoder.eval()
    sup = OmniSupernet(model)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-5)
    audio = float(batch["feature_lens"].sum()) * FRAME_SECONDS
    feats = batch["features"].clamp(-1.5, 1.5) / 3  # the whisper front end's range
    offset = torch.zeros(feats.shape[0], dtype=torch.long)
    rows = []
    for stage, head, frozen in (("adapt", False, False), ("head (frozen encoder)", True, True),
                                ("head", True, False), ("supernet", True, False)):
        sc = StageConfig(stage=stage.split()[0])
        cfgs = subnets(sup, _random.Random(0), s_max) if stage == "supernet" else [None]
        args = (model, teacher, sup, cfgs, feats, batch["feature_lens"], batch["tokens"], batch["token_lens"],
                offset, sc, -1.0, head, frozen)
        train_step(*args)  # warm-up
        t0 = time.time()
        for _ in range(steps):
            train_step(*args)
            opt.step()
        dt = (time.time() - t0) / steps
        rows.append((stage, len(cfgs), dt, audio / dt))
        print(f"{stage:<24}{len(cfgs):>8}{dt:>9.2f}{audio / dt:>11.1f}", flush=True)
    return rows


def format_table(rows: list[BenchRow]) -> str:
    head = f"{'granularity':<13}{'step':<12}{'subnets':>8}{'s/step':>9}{'audio-s/s':>11}{'masks':>8}"
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(f"{r.granularity:<13}{r.kind:<12}{r.n_configs:>8}{r.step_s:>9.3f}{r.audio_per_s:>11.1f}"
                     f"{100 * r.mask_share:>7.1f}%")
    return "\n".join(lines)


def main(argv: Optional[list[str]] = None) -> None:
    p = argparse.ArgumentParser(prog="python -m omnisparse.bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--preset", default="default")
    p.add_argument("--granularity", nargs="+", default=["structured", "unstructured"])
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--seconds", type=float, default=6.0)
    p.add_argument("--chars", type=int, default=80)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--s-max", type=float, default=0.9)
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--refresh-every", type=int, default=4, help="extra unstructured sandwich row with this value")
    p.add_argument("--family", choices=["v1", "v2"], default="v1")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    if args.family == "v2":
        batch = synthetic_batch(args.batch, args.seconds, args.chars, 29)
        print(f"recipe v2, batch {args.batch} x {args.seconds:.0f}s x {args.chars} chars, {args.threads} threads, "
              f"load average {os.getloadavg()[0]:.1f} at the start\n{'stage':<24}{'subnets':>8}{'s/step':>9}"
              f"{'audio-s/s':>11}", flush=True)
        bench_v2(batch, args.steps, args.s_max)
        print(f"(load average {os.getloadavg()[0]:.1f} at the end)")
        return
    model_cfg = build_config(args.preset)
    batch = synthetic_batch(args.batch, args.seconds, args.chars, model_cfg.vocab_size)
    print(f"preset {args.preset} ({Transducer(model_cfg).count_params()} params), batch {args.batch} x "
          f"{args.seconds:.0f}s x {args.chars} chars, {args.threads} threads, {args.steps} timed steps each, "
          f"load average {os.getloadavg()[0]:.1f} at the start")
    t0 = time.time()
    jobs = [(g, kind, 1) for g in args.granularity for kind in ("single", "sandwich")]
    if "unstructured" in args.granularity and args.refresh_every > 1:
        jobs.append(("unstructured", "sandwich", args.refresh_every))
    rows = []
    for g, kind, every in jobs:  # each row as soon as it is measured: a slow machine still shows progress
        rows.append(bench_one(args.preset, g, kind, batch, args.steps, args.s_max, refresh_every=every))
        print(format_table(rows).splitlines()[-1] if len(rows) > 1 else format_table(rows), flush=True)
    print(f"(bench took {time.time() - t0:.0f}s, load average {os.getloadavg()[0]:.1f} at the end; 'single' = one subnet per step, 'sandwich' = dense + sparsest + "
          f"random; /rK = masks re-ranked every K steps; masks = refresh + set_config share of step time)")


if __name__ == "__main__":
    main()
