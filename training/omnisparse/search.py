"""Evolutionary search over per-group sparsity configs of a trained supernet (no retraining: masks only).

    python -m omnisparse.search --ckpt W.pt --dev dev.jsonl --budget-type params|bytes|latency --out pareto.json \
        [--population 16 --generations 8 --limit 100 --grid 0,0.1,...,0.9 --seed 0]

Fitness is streaming dev WER (or CER with `--metric cer`) of the masked supernet on a fixed dev subset; cost is non-zero
parameters, bytes (4 x params, fp32), or a latency estimate summed from a per-group table of onnxruntime timings of
the group's matrices at each kept width. Every evaluated point and the Pareto front (non-dominated in that error rate and cost)
are written to JSON; `omnisparse.export --pareto` picks its levels from that front.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

import numpy as np
import torch

from .evaluate import EvalItem, evaluate_model, featurize, ort_session
from .features import load_frontend
from .sparsity import Supernet, keep_count

DEFAULT_GRID = tuple(round(0.1 * i, 1) for i in range(10))
Config = dict[str, float]


# ---- Pareto ------------------------------------------------------------------------------------------------------
def score(p: dict) -> float:
    """The error rate the search optimizes (`--metric`: WER, or CER while WER is saturated near 100 %)."""
    return p.get("score", p["wer"])


def dominates(a: dict, b: dict) -> bool:
    """a is no worse than b in score and cost, and strictly better in one."""
    return score(a) <= score(b) and a["cost"] <= b["cost"] and (score(a) < score(b) or a["cost"] < b["cost"])


def pareto_front(points: Sequence[dict]) -> list[dict]:
    """Non-dominated points sorted by cost (duplicates of one (score, cost) pair kept once, the lowest WER+CER)."""
    best: dict[tuple[float, float], dict] = {}
    for p in points:
        key = (score(p), p["cost"])
        if key not in best or p["wer"] + p["cer"] < best[key]["wer"] + best[key]["cer"]:
            best[key] = p
    uniq = list(best.values())
    front = [p for p in uniq if not any(dominates(q, p) for q in uniq if q is not p)]
    return sorted(front, key=lambda p: (p["cost"], score(p)))


def front_ranks(points: Sequence[dict]) -> list[int]:
    """Non-dominated sorting: 0 for the front, 1 for the front of the rest, ..."""
    ranks = [-1] * len(points)
    remaining = set(range(len(points)))
    r = 0
    while remaining:
        layer = {i for i in remaining if not any(dominates(points[j], points[i]) for j in remaining if j != i)}
        for i in layer:
            ranks[i] = r
        remaining -= layer
        r += 1
    return ranks


# ---- genetic operators --------------------------------------------------------------------------------------------
def mutate(config: Config, grid: Sequence[float], rng: random.Random, p: float) -> Config:
    """Each group moves one grid step up or down with probability p (small steps keep children near good parents)."""
    out = dict(config)
    for name, s in config.items():
        if rng.random() < p:
            i = min(range(len(grid)), key=lambda k: abs(grid[k] - s))
            out[name] = grid[max(0, min(len(grid) - 1, i + rng.choice((-1, 1))))]
    return out


def crossover(a: Config, b: Config, rng: random.Random) -> Config:
    return {name: (a[name] if rng.random() < 0.5 else b[name]) for name in a}


def config_key(config: Config) -> tuple:
    return tuple(sorted((k, round(v, 4)) for k, v in config.items()))


# ---- cost models --------------------------------------------------------------------------------------------------
def _gemm_ms(rows: int, n_in: int, n_out: int, cache: dict, n: int = 40) -> float:
    """Mean ms of one [rows, n_in] x [n_in, n_out] + bias in onnxruntime (1 thread), built directly in ONNX."""
    key = (rows, n_in, n_out)
    if key in cache:
        return cache[key]
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)
    w = numpy_helper.from_array(rng.standard_normal((n_in, n_out)).astype(np.float32), "W")
    b = numpy_helper.from_array(np.zeros(n_out, dtype=np.float32), "B")
    graph = helper.make_graph([helper.make_node("Gemm", ["X", "W", "B"], ["Y"])], "g",
                              [helper.make_tensor_value_info("X", TensorProto.FLOAT, [rows, n_in])],
                              [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [rows, n_out])], [w, b])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "g.onnx"
        onnx.save(model, str(path))
        sess = ort_session(path, 1)
    x = rng.standard_normal((rows, n_in)).astype(np.float32)
    for _ in range(5):
        sess.run(None, {"X": x})
    t0 = time.perf_counter()
    for _ in range(n):
        sess.run(None, {"X": x})
    cache[key] = 1000.0 * (time.perf_counter() - t0) / n
    return cache[key]


def _calls(net: Supernet, module: torch.nn.Module) -> tuple[int, float]:
    """(rows per call, calls per chunk) of a matrix: encoder matrices see `segment` rows once per chunk; predictor
    and joiner run per symbol (~15 chars/s -> 2.4 per 160 ms chunk) and the joiner also once per encoder frame."""
    cfg = net.model.cfg
    symbols = 15.0 * cfg.segment_frames / 100.0
    if module is net.model.joiner.out:
        return 1, cfg.segment + symbols
    if any(module is m for m in net.model.predictor.modules()):
        return 1, symbols
    return cfg.segment, 1.0


def latency_table(net: Supernet, grid: Sequence[float], log: Callable[[str], None] = print) -> dict[str, dict]:
    """group -> {sparsity: ms per chunk of the group's matrices at that kept width}."""
    if net.granularity != "structured":
        raise ValueError("a latency budget needs structured sparsity (unstructured levels ship dense shapes)")
    cache: dict = {}
    table: dict[str, dict] = {}
    t0 = time.time()
    for g in net.groups:
        row = {}
        for s in grid:
            k = keep_count(g.n_units, s)
            ms = 0.0
            for m, r in g.producers:
                rows, calls = _calls(net, m)
                ms += calls * _gemm_ms(rows, m.in_features, r * k, cache)
            for m, r in g.consumers:
                rows, calls = _calls(net, m)
                ms += calls * _gemm_ms(rows, r * k, m.out_features, cache)
            row[str(s)] = ms
        table[g.name] = row
    log(f"search: latency table of {len(cache)} matrix shapes measured in {time.time() - t0:.1f}s")
    return table


def make_cost(net: Supernet, budget_type: str, grid: Sequence[float],
              table: Optional[dict[str, dict]] = None) -> Callable[[Config], float]:
    if budget_type == "params":
        return lambda c: float(net.nonzero_params(c))
    if budget_type == "bytes":
        return lambda c: 4.0 * net.nonzero_params(c)
    if budget_type == "latency":
        t = table if table is not None else latency_table(net, grid)
        return lambda c: sum(t[g.name][str(c.get(g.name, 0.0))] for g in net.groups)
    raise ValueError(f"unknown budget type {budget_type!r}")


# ---- search -------------------------------------------------------------------------------------------------------
class Evaluator:
    """Memoised fitness + cost of configs on one fixed dev subset."""

    def __init__(self, net: Supernet, items: list[EvalItem], cost: Callable[[Config], float], metric: str = "wer"):
        if metric not in ("wer", "cer"):
            raise ValueError(f"metric must be 'wer' or 'cer', not {metric!r}")
        self.net, self.items, self.cost, self.metric = net, items, cost, metric
        self.cache: dict[tuple, dict] = {}
        self.seconds = 0.0

    def __call__(self, config: Config, generation: int) -> dict:
        key = config_key(config)
        if key not in self.cache:
            t0 = time.time()
            self.net.set_config(config)
            try:
                counter = evaluate_model(self.net.model, self.items)
            finally:
                self.net.set_config(None)
            self.seconds += time.time() - t0
            self.cache[key] = {"config": dict(config), "wer": counter.wer, "cer": counter.cer,
                               "score": counter.cer if self.metric == "cer" else counter.wer,
                               "cost": self.cost(config), "nonzeroParams": self.net.nonzero_params(config),
                               "effectiveSparsity": round(self.net.effective_sparsity(config), 4),
                               "generation": generation}
        return self.cache[key]


def select(points: list[dict], n: int) -> list[dict]:
    """Elitist: best n by (Pareto rank, score, WER, CER, cost)."""
    ranks = front_ranks(points)
    order = sorted(range(len(points)),
                   key=lambda i: (ranks[i], score(points[i]), points[i]["wer"], points[i]["cer"], points[i]["cost"]))
    return [points[i] for i in order[:n]]


def evolve(net: Supernet, evaluate: Evaluator, grid: Sequence[float], population: int, generations: int,
           seed: int = 0, p_mutate: float = 0.3, log: Callable[[str], None] = print) -> list[dict]:
    """-> every evaluated point. Seeds are the uniform configs on the grid (plus random mixes to fill)."""
    rng = random.Random(seed)
    seeds = [net.uniform(s) for s in grid]
    while len(seeds) < population:
        seeds.append(net.sample(rng, max(grid), grid))
    pop = [evaluate(c, 0) for c in seeds]
    t0 = time.time()
    for gen in range(1, generations + 1):
        ranks = front_ranks(pop)

        def tournament() -> dict:
            a, b = rng.sample(range(len(pop)), 2)
            return pop[min((a, b), key=lambda i: (ranks[i], score(pop[i])))]

        children = []
        for _ in range(population):
            child = mutate(crossover(tournament()["config"], tournament()["config"], rng), grid, rng, p_mutate)
            children.append(evaluate(child, gen))
        pop = select(list({config_key(p["config"]): p for p in pop + children}.values()), population)
        done = time.time() - t0
        eta = done / gen * (generations - gen)
        front = pareto_front(list(evaluate.cache.values()))
        log(f"search: generation {gen}/{generations}: {len(evaluate.cache)} configs evaluated, front {len(front)} "
            f"points, best {evaluate.metric.upper()} {min(score(p) for p in pop):.4f}, ETA {eta:.0f}s")
    return list(evaluate.cache.values())


def main(argv: Optional[list[str]] = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(prog="python -m omnisparse.search", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ckpt", required=True)
    p.add_argument("--dev", required=True, help="JSONL dev manifest")
    p.add_argument("--budget-type", choices=("params", "bytes", "latency"), default="params")
    p.add_argument("--out", required=True)
    p.add_argument("--population", type=int, default=16)
    p.add_argument("--generations", type=int, default=8)
    p.add_argument("--limit", type=int, default=100, help="dev utterances used for fitness")
    p.add_argument("--grid", default=",".join(str(s) for s in DEFAULT_GRID))
    p.add_argument("--metric", choices=("wer", "cer"), default="wer",
                   help="error rate to minimise; cer while a young model's WER is saturated (every word wrong)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    from .checkpoint import load_checkpoint
    from .data import read_manifest

    t0 = time.time()
    model, net, _ = load_checkpoint(args.ckpt)
    grid = sorted({round(float(x), 4) for x in args.grid.split(",")})
    items = featurize(read_manifest(args.dev), load_frontend(), args.limit)
    if not items:
        raise SystemExit(f"no readable dev utterances in {args.dev}")
    table = latency_table(net, grid) if args.budget_type == "latency" else None
    evaluator = Evaluator(net, items, make_cost(net, args.budget_type, grid, table), args.metric)
    points = evolve(net, evaluator, grid, args.population, args.generations, args.seed,
                    log=lambda s: print(s, file=sys.stderr, flush=True))
    front = pareto_front(points)
    result = {"ckpt": args.ckpt, "granularity": net.granularity, "budgetType": args.budget_type, "metric": args.metric,
              "costUnit": {"params": "nonzero params", "bytes": "bytes (fp32)",
                           "latency": "ms per chunk (onnxruntime, 1 thread, prunable matrices)"}[args.budget_type],
              "grid": grid, "devUtterances": len(items), "groups": [g.name for g in net.groups],
              "latencyTable": table, "points": points, "front": front, "seconds": round(time.time() - t0, 1)}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"search: {len(points)} configs, front of {len(front)} -> {args.out} ({result['seconds']}s)")
    for q in front:
        print(f"  cost {q['cost']:.4g} sparsity {q['effectiveSparsity']:.3f} WER {q['wer']:.4f} CER {q['cer']:.4f}")
    return result


if __name__ == "__main__":
    main()
