"""The paper's experiment at our scale: supernet subnets vs individually pruned models at the same sparsity.

Each individually pruned baseline is a `--mode single --target-sparsity s` run of the same recipe, started from the
same weights and trained for the same steps as the supernet; this module decodes every model on the same data (the
browser's streaming decode, `evaluate.evaluate_model`) and reports WER/CER side by side, a paired bootstrap interval
of the difference (test sets here are a few hundred utterances: small gaps are noise), and the training compute of
every run read back from its `metrics.jsonl`.

    python -m omnisparse.compare --supernet W.pt --baseline 0.5=B50.pt 0.7=B70.pt 0.9=B90.pt \
        --data synth=test.jsonl fsdd=fsdd_test.jsonl --cost supernet=runs/a/metrics.jsonl:1166:1537 \
        --cost 0.5=runs/b/metrics.jsonl:1166:1537 --out comparison.json

Model family v2 (stream_train checkpoints) is recognised by its config: the streaming decode is then the recipe's
chunked encoder + greedy transducer (== the browser's), each checkpoint's masks are the unit ranking it was trained
with, and `--pareto` adds the supernet at the searched config nearest each level (search_v2's front) besides the
uniform one. `--cost NAME=metrics.jsonl` (no step range) reads a v2 run's steps and wall time from its last record.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path
from typing import Any, Optional, Sequence

import torch

from .checkpoint import load_checkpoint
from .metrics import ErrorCounter


# ---- compute accounting --------------------------------------------------------------------------------------------
def training_cost(records: Sequence[dict[str, Any]], first_step: int, last_step: int) -> dict[str, float]:
    """Wall seconds and audio seconds spent on steps (first_step, last_step], from the periodic train records
    (each carries the mean `step_s` and `audio_per_s` of the steps since the previous record)."""
    wall = audio = 0.0
    prev = first_step
    steps = 0
    for r in sorted((r for r in records if r.get("type") == "train"), key=lambda r: r["step"]):
        if r["step"] <= first_step or r["step"] > last_step:
            continue
        n = r["step"] - prev
        prev = r["step"]
        steps += n
        wall += n * r["step_s"]
        audio += n * r["step_s"] * r["audio_per_s"]
    return {"steps": steps, "wall_s": wall, "audio_s": audio}


def run_cost(records: Sequence[dict[str, Any]]) -> dict[str, float]:
    """A v2 run (stream_train metrics.jsonl): steps and wall seconds at its last record (evaluations included)."""
    last = max((r for r in records if "step" in r and "spent" in r), key=lambda r: (r["step"], r["spent"]))
    return {"steps": int(last["step"]), "wall_s": float(last["spent"]), "audio_s": float("nan")}


def log_cost(paths: Sequence[str | Path]) -> dict[str, float]:
    """Steps and wall seconds of v2 runs from their stream_train logs (one uninterrupted run each, chained with '+'):
    for runs whose metrics.jsonl was not kept, the committed logs are the record. Wall = first to last timestamp."""
    steps, wall = 0, 0.0
    for path in paths:
        text = Path(path).read_text(encoding="utf-8")
        if "resumed at step" in text:
            raise ValueError(f"{path}: a resumed run's log does not hold its whole cost; use its metrics.jsonl")
        done = re.findall(r"done: step (\d+)", text)
        stamps = [int(h) * 3600 + int(m) * 60 + int(s_) for h, m, s_ in
                  re.findall(r"^(\d\d):(\d\d):(\d\d) ", text, flags=re.M)]
        if not done or len(stamps) < 2:
            raise ValueError(f"{path}: not a finished stream_train log (no 'done: step N' line)")
        steps += int(done[-1])
        wall += (stamps[-1] - stamps[0]) % 86400   # a run that crossed midnight
    return {"steps": steps, "wall_s": wall, "audio_s": float("nan")}


def read_records(path: str | Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


# ---- paired statistics ---------------------------------------------------------------------------------------------
def utterance_errors(refs: Sequence[str], hyps: Sequence[str], unit: str) -> list[tuple[int, int]]:
    """(edits, reference length) per utterance, unit 'word' or 'char', counted by metrics.ErrorCounter itself."""
    out = []
    for r, h in zip(refs, hyps):
        c = ErrorCounter()
        c.add(r, h)
        out.append((c.word_errors, c.words) if unit == "word" else (c.char_errors, c.chars))
    return out


def paired_bootstrap(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]], n: int = 1000,
                     seed: int = 0) -> tuple[float, float]:
    """95 % interval of rate(b) - rate(a) when the utterances are resampled (same draw for both systems)."""
    if len(a) != len(b) or not a:
        raise ValueError("paired bootstrap needs two equally long, non-empty lists")
    rng = random.Random(seed)
    diffs = []
    idx = range(len(a))
    for _ in range(n):
        pick = [rng.choice(idx) for _ in idx]
        ref = sum(a[i][1] for i in pick) or 1
        diffs.append((sum(b[i][0] for i in pick) - sum(a[i][0] for i in pick)) / ref)
    diffs.sort()
    return diffs[int(0.025 * n)], diffs[min(n - 1, int(0.975 * n))]


# ---- decoding ------------------------------------------------------------------------------------------------------
def decode_at(ckpt: str, sparsity: float, items: list, max_symbols: int = 5) -> dict[str, Any]:
    """Hypotheses of the uniform subnet of `ckpt` at `sparsity` (magnitude masks of that checkpoint's own weights)."""
    from .evaluate import evaluate_model

    model, net, _ = load_checkpoint(ckpt)
    config = net.uniform(sparsity)
    net.set_config(config)
    hyps: list[str] = []
    counter = evaluate_model(model, items, max_symbols=max_symbols, hyps=hyps)
    return {"sparsity": round(net.effective_sparsity(config), 4), "nonzero": net.nonzero_params(config),
            **counter.as_dict(), "hyps": hyps}


def is_v2(ckpt: str) -> bool:
    return "stream" in torch.load(ckpt, map_location="cpu").get("config", {})


def v2_items(manifest: str, limit: Optional[int]) -> list[tuple[torch.Tensor, str]]:
    from .data import load_audio, read_manifest
    from .features import LogMel, load_frontend
    from .stream_train import FRONTEND_V2

    mel = LogMel(load_frontend(FRONTEND_V2))
    return [(mel(load_audio(u.audio)).float(), u.text) for u in read_manifest(manifest)[:limit]]


@torch.no_grad()
def decode_v2(ckpt: str, sparsity: float, items: list[tuple[torch.Tensor, str]],
              config: Optional[dict[str, float]] = None) -> dict[str, Any]:
    """Hypotheses of a v2 checkpoint's subnet: `config`, or the uniform one reaching `sparsity`."""
    from .features import load_frontend
    from .stream_train import FRONTEND_V2, load_supernet
    from .text import decode
    from .whisper_model import greedy_decode

    model, sup = load_supernet(ckpt)
    model.eval()
    cfg = config if config is not None else sup.config_for_budget(sparsity)
    sup.set_config(cfg)
    pad = load_frontend(FRONTEND_V2).pad_value
    counter, hyps = ErrorCounter(), []
    for feats, ref in items:
        u = (feats.shape[0] - 1) // 2 + 1
        out = model.encoder.forward_chunked(feats[None], model.cfg.stream, pad)[0][:, :u]
        toks, _ = greedy_decode(model, model.readout(out)[0])
        hyps.append(decode(toks))
        counter.add(ref, hyps[-1])
    return {"sparsity": round(sup.effective_sparsity(cfg), 4), "nonzero": sup.nonzero_params(cfg),
            **counter.as_dict(), "hyps": hyps}


def searched_config(pareto: Optional[dict[str, Any]], sparsity: float, window: float = 0.05
                    ) -> Optional[dict[str, float]]:
    """The front's lowest-error config with effective sparsity in [sparsity, sparsity + window), if any."""
    metric = (pareto or {}).get("metric", "wer")
    near = [p for p in (pareto or {}).get("front", []) if sparsity - 1e-9 <= p["sparsity"] < sparsity + window]
    return min(near, key=lambda p: (p[metric], p["wer"]))["config"] if near else None


def compare(supernet: str, baselines: dict[float, str], data: dict[str, str], limit: Optional[int] = None,
            bootstrap: int = 1000, pareto: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    from .data import read_manifest
    from .evaluate import featurize

    v2 = is_v2(supernet)
    rows = []
    for name, path in data.items():
        items: list = v2_items(path, limit) if v2 else featurize(read_manifest(path), None, limit)
        refs = [it[1] for it in items] if v2 else [it.text for it in items]
        for s, bpath in sorted(baselines.items()):
            arms = {"supernet": decode_v2(supernet, s, items) if v2 else decode_at(supernet, s, items),
                    "single": decode_v2(bpath, s, items) if v2 else decode_at(bpath, s, items)}
            cfg = searched_config(pareto, s) if v2 else None
            if cfg is not None:
                arms["searched"] = decode_v2(supernet, s, items, cfg)
            row: dict[str, Any] = {"data": name, "target": s, "utts": len(items),
                                   **{k: {m: v for m, v in a.items() if m != "hyps"} for k, a in arms.items()}}
            base_errs = {u: utterance_errors(refs, arms["single"]["hyps"], u) for u in ("word", "char")}
            for arm, suffix in (("supernet", ""), ("searched", "_searched")):
                if arm not in arms:
                    continue
                for unit, key in (("word", "wer"), ("char", "cer")):
                    lo, hi = paired_bootstrap(utterance_errors(refs, arms[arm]["hyps"], unit), base_errs[unit],
                                              bootstrap)
                    row[f"{key}_diff_ci95{suffix}"] = [lo, hi]  # single - supernet: > 0 means the supernet is better
            rows.append(row)
            print(f"compare: {name} s={s}: " + " | ".join(f"{k} {a['sparsity']:.3f} WER {a['wer']:.3f} "
                                                          f"CER {a['cer']:.3f}" for k, a in arms.items()),
                  file=sys.stderr, flush=True)
    return {"supernet": supernet, "baselines": {str(k): v for k, v in baselines.items()}, "rows": rows}


def markdown(report: dict[str, Any]) -> str:
    # gap = individually pruned minus supernet: > 0 where the supernet's subnet is better
    out = ["| data (utts) | sparsity | supernet WER / CER % | individually pruned WER / CER % | "
           "WER: single − supernet, 95 % CI (pp) | CER: single − supernet, 95 % CI (pp) |",
           "|---|---:|---:|---:|---:|---:|"]
    for r in report["rows"]:
        sup, one = r["supernet"], r["single"]
        ci = lambda k: f"{100 * r[k][0]:+.1f} … {100 * r[k][1]:+.1f}"  # noqa: E731
        out.append(f"| {r['data']} ({r['utts']}) | {sup['sparsity']:.2f} | {100 * sup['wer']:.1f} / "
                   f"{100 * sup['cer']:.1f} | {100 * one['wer']:.1f} / {100 * one['cer']:.1f} | "
                   f"{ci('wer_diff_ci95')} | {ci('cer_diff_ci95')} |")
        if "searched" in r:
            s_ = r["searched"]
            out.append(f"| {r['data']} ({r['utts']}) | {s_['sparsity']:.2f} searched | {100 * s_['wer']:.1f} / "
                       f"{100 * s_['cer']:.1f} | (as above) | {ci('wer_diff_ci95_searched')} | "
                       f"{ci('cer_diff_ci95_searched')} |")
    if report.get("cost"):
        out += ["", "| run | steps logged | wall min (2 procs × 1 thread) | audio h seen |", "|---|---:|---:|---:|"]
        for name, c in report["cost"].items():
            hours = "–" if c["audio_s"] != c["audio_s"] else f"{c['audio_s'] / 3600:.2f}"   # NaN: not logged (v2)
            out.append(f"| {name} | {c['steps']} | {c['wall_s'] / 60:.1f} | {hours} |")
    return "\n".join(out) + "\n"


def _pairs(values: Sequence[str], flag: str) -> list[tuple[str, str]]:
    from .evaluate import named_values

    try:
        return named_values(values, flag)
    except ValueError as err:
        raise SystemExit(str(err)) from None


def main(argv: Optional[list[str]] = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(prog="python -m omnisparse.compare", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--supernet", required=True, help="supernet checkpoint")
    p.add_argument("--baseline", nargs="+", required=True, help="SPARSITY=ckpt of an individually pruned run")
    p.add_argument("--data", nargs="+", required=True, help="NAME=manifest.jsonl")
    # extend: `--cost a=… --cost b=…` adds both (with nargs alone the second flag silently replaced the first)
    p.add_argument("--cost", nargs="*", default=None, action="extend",
                   help="NAME=metrics.jsonl:FIRST:LAST (v1: steps (FIRST, LAST]), NAME=metrics.jsonl (v2 run) or "
                        "NAME=a.log+b.log (v2 runs' stream_train logs, chained)")
    p.add_argument("--pareto", help="v2: search_v2's report; adds the supernet at searched configs")
    p.add_argument("--limit", type=int)
    p.add_argument("--bootstrap", type=int, default=1000)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    baselines = {float(k): v for k, v in _pairs(args.baseline, "--baseline")}
    pareto = json.loads(Path(args.pareto).read_text(encoding="utf-8")) if args.pareto else None
    report = compare(args.supernet, baselines, dict(_pairs(args.data, "--data")), args.limit, args.bootstrap, pareto)
    cost = {}
    for name, spec in _pairs(args.cost or [], "--cost"):
        if spec.endswith(".jsonl"):
            cost[name] = run_cost(read_records(spec))
            continue
        if spec.endswith(".log"):
            cost[name] = log_cost(spec.split("+"))
            continue
        path, first, last = spec.rsplit(":", 2)
        cost[name] = training_cost(read_records(path), int(first), int(last))
    report["cost"] = cost
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    table = markdown(report)
    out.with_suffix(".md").write_text(table, encoding="utf-8")
    print(table, end="")
    return report


if __name__ == "__main__":
    main()
