"""Choose each level's blank penalty on dev sets (real speech): the value `export_v2 --blank-penalty` bakes in.

The transducer learned its blank rate on synthetic voices; on real speech it drops characters and words (v2.3, real
dev: 61 of 508 reference words deleted outright). Lowering the blank logit by a constant trades deletions for
insertions. Per level (the uniform subnet, as exported) and per penalty in the grid, the PyTorch streaming greedy
decode (`compare.decode_v2`'s procedure) is scored on every dev set; the level gets the penalty with the fewest word
errors over all dev sets pooled (ties: the smaller penalty; 0 is always in the grid, so a level never gets worse on
dev). Test sets stay out of it.

    python -m omnisparse.tune_blank --ckpt runs/super4/last.pt --levels 0,0.1,0.2,0.3,0.4,0.5,0.6,0.75,0.9 \
        --dev real=/work/data/real2/dev.jsonl fsdd=/work/data/fsdd/dev.jsonl --out runs/blank.json
"""
from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any, Optional

import torch

from .evaluate import named_values

DEFAULT_GRID = (0.0, 0.25, 0.5, 0.75, 1.0)


def pick(scores: dict[float, tuple[int, int]]) -> float:
    """penalty -> (word errors, reference words) pooled over the dev sets; the fewest errors, ties to the smaller."""
    return min(scores, key=lambda p: (scores[p][0], p))


@torch.no_grad()
def tune(ckpt: str, targets: list[float], dev: dict[str, str], grid: tuple[float, ...] = DEFAULT_GRID,
         limit: Optional[int] = None, log=print) -> dict[str, Any]:
    from .compare import v2_items
    from .features import load_frontend
    from .metrics import ErrorCounter
    from .onnx_files import level_id
    from .stream_train import FRONTEND_V2, load_supernet
    from .text import BLANK, decode
    from .whisper_model import greedy_decode

    if 0.0 not in grid:
        grid = (0.0, *grid)
    model, sup = load_supernet(ckpt)
    model.eval()
    pad = load_frontend(FRONTEND_V2).pad_value
    items = {name: v2_items(path, limit) for name, path in dev.items()}
    bias = model.joiner.out.bias
    base = float(bias[BLANK])
    report: dict[str, Any] = {"ckpt": ckpt, "grid": list(grid), "dev": dev, "levels": {}}
    for t in targets:
        lid = level_id(t)
        sup.set_config(sup.config_for_budget(t))
        readouts = {name: [model.readout(model.encoder.forward_chunked(f[None], model.cfg.stream, pad)[0]
                                         [:, :(f.shape[0] - 1) // 2 + 1])[0] for f, _ in its]
                    for name, its in items.items()}
        rows: dict[str, dict[str, Any]] = {}
        pooled: dict[float, tuple[int, int]] = {}
        for p in grid:
            bias[BLANK] = base - p
            errs = words = 0
            per_set = {}
            for name, its in items.items():
                c = ErrorCounter()
                for r, (_, ref) in zip(readouts[name], its):
                    c.add(ref, decode(greedy_decode(model, r)[0]))
                d = c.as_dict()
                per_set[name] = {"wer": d["wer"], "cer": d["cer"]}
                errs, words = errs + c.word_errors, words + c.words
            pooled[p] = (errs, words)
            rows[str(p)] = {"pooled_wer": errs / max(1, words), **per_set}
            log(f"{lid} penalty {p:.2f}: pooled WER {100 * errs / max(1, words):.1f} | " + " | ".join(
                f"{n} {100 * v['wer']:.1f}/{100 * v['cer']:.1f}" for n, v in per_set.items()))
        bias[BLANK] = base
        chosen = pick(pooled)
        report["levels"][lid] = {"sparsity": t, "chosen": chosen, "grid": rows}
        log(f"{lid}: penalty {chosen}")
    sup.set_config(None)
    report["argument"] = ",".join(f"{lid}={v['chosen']:g}" for lid, v in report["levels"].items())
    return report


def main(argv: Optional[list[str]] = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(prog="python -m omnisparse.tune_blank", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ckpt", required=True)
    p.add_argument("--levels", default="0,0.1,0.2,0.3,0.4,0.5,0.6,0.75,0.9", help="sparsity targets, as export_v2's")
    p.add_argument("--dev", nargs="+", required=True, help="NAME=manifest.jsonl (dev sets only)")
    p.add_argument("--grid", default=",".join(f"{g:g}" for g in DEFAULT_GRID))
    p.add_argument("--limit", type=int, default=None)
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    try:
        dev = dict(named_values(args.dev, "--dev"))
    except ValueError as err:
        p.error(str(err))
    try:
        targets = [float(x) for x in args.levels.split(",")]
        grid = tuple(float(x) for x in args.grid.split(","))
    except ValueError:
        p.error("--levels and --grid are comma-separated numbers")
    if any(g < 0 for g in grid):
        p.error("--grid: penalties are >= 0")
    report = tune(args.ckpt, targets, dev, grid, args.limit)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(f"export_v2 --blank-penalty {report['argument']}")
    return report


if __name__ == "__main__":
    main()
