"""Evolutionary search of the supernet's Pareto front (error vs non-zero parameters) without retraining, for model
family v2 (omnisparse.omni). The population starts from uniform configs across the sparsity range AND random
per-layer mixes; each generation breeds children from the current front (uniform crossover per group + mutation),
scores them by streaming greedy decoding on a dev set (real speech first), and keeps every evaluation.

    python -m omnisparse.search_v2 --ckpt runs/supernet/last.pt --dev real=/work/data/real2/dev.jsonl \
        --metric cer --generations 4 --population 12 --out runs/pareto_v2.json
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any, Optional

import torch

from .data import load_audio, read_manifest
from .evaluate import named_values
from .features import LogMel, load_frontend
from .metrics import ErrorCounter
from .omni import Config, OmniSupernet
from .stream_train import FRONTEND_V2, load_supernet
from .text import decode
from .whisper_model import StreamingTransducer, greedy_decode


@torch.no_grad()
def score(model: StreamingTransducer, sup: OmniSupernet, config: Optional[Config],
          items: list[tuple[torch.Tensor, str]], pad: float) -> dict[str, float]:
    """Streaming (chunked-mode == step-by-step) greedy WER/CER of one subnet."""
    sup.set_config(config)
    counter = ErrorCounter()
    for feats, ref in items:
        u = (feats.shape[0] - 1) // 2 + 1
        out = model.encoder.forward_chunked(feats[None], model.cfg.stream, pad)[0][:, :u]
        toks, _ = greedy_decode(model, model.readout(out)[0])
        counter.add(ref, decode(toks))
    sup.set_config(None)
    return {"wer": counter.wer, "cer": counter.cer}


def pareto_front(points: list[dict[str, Any]], metric: str) -> list[dict[str, Any]]:
    """Points not dominated in (params, metric): no other point has fewer-or-equal params and a lower-or-equal error
    with one of them strictly lower."""
    front = []
    for p in points:
        dominated = any(q["params"] <= p["params"] and q[metric] <= p[metric]
                        and (q["params"] < p["params"] or q[metric] < p[metric]) for q in points)
        if not dominated:
            front.append(p)
    return sorted(front, key=lambda p: p["params"])


def mutate(cfg: Config, rng: random.Random, s_max: float, rate: float = 0.3, step: float = 0.15) -> Config:
    return {g: (min(s_max, max(0.0, s + rng.uniform(-step, step))) if rng.random() < rate else s)
            for g, s in cfg.items()}


def crossover(a: Config, b: Config, rng: random.Random) -> Config:
    return {g: (a[g] if rng.random() < 0.5 else b[g]) for g in a}


def main(argv: Optional[list[str]] = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(prog="python -m omnisparse.search_v2", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ckpt", required=True)
    p.add_argument("--dev", nargs="+", required=True, help="NAME=manifest.jsonl (pooled)")
    p.add_argument("--limit", type=int, default=60, help="utterances per dev set")
    p.add_argument("--metric", choices=["wer", "cer"], default="wer")
    p.add_argument("--population", type=int, default=12)
    p.add_argument("--generations", type=int, default=4)
    p.add_argument("--s-max", type=float, default=0.95)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    rng = random.Random(args.seed)
    model, sup = load_supernet(args.ckpt)   # the masks' unit ranking as trained
    model.eval()
    spec = load_frontend(FRONTEND_V2)
    mel = LogMel(spec)
    items = []
    for _, path in named_values(args.dev, "--dev"):
        utts = read_manifest(path)
        random.Random(0).shuffle(utts)
        items += [(mel(load_audio(u.audio)).float(), u.text) for u in utts[:args.limit]]
    t0 = time.time()
    evaluated: list[dict[str, Any]] = []

    def add(cfg: Config, origin: str) -> None:
        r = score(model, sup, cfg, items, spec.pad_value)
        evaluated.append({"config": cfg, "origin": origin, "params": sup.nonzero_params(cfg),
                          "sparsity": sup.effective_sparsity(cfg), **r})
        print(f"[{len(evaluated)}] {origin:9s} sparsity {evaluated[-1]['sparsity']:.3f} WER {r['wer']:.3f} "
              f"CER {r['cer']:.3f} ({time.time() - t0:.0f}s)", file=sys.stderr, flush=True)

    n_uniform = args.population // 2
    for i in range(n_uniform):
        add(sup.uniform(args.s_max * i / max(1, n_uniform - 1)), "uniform")
    for _ in range(args.population - n_uniform):
        add(sup.sample(rng, args.s_max), "random")
    for gen in range(args.generations):
        front = pareto_front(evaluated, args.metric)
        for _ in range(args.population):
            a, b = rng.choice(front)["config"], rng.choice(evaluated)["config"]
            add(mutate(crossover(a, b, rng), rng, args.s_max), f"gen{gen + 1}")
    front = pareto_front(evaluated, args.metric)
    report = {"metric": args.metric, "ckpt": args.ckpt, "dev": args.dev, "utterances": len(items),
              "front": front, "evaluated": evaluated, "seconds": time.time() - t0}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(f"front: {[(round(f['sparsity'], 3), round(f[args.metric], 3)) for f in front]}", file=sys.stderr)
    return report


if __name__ == "__main__":
    main()
