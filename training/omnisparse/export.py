"""Export supernet subnetworks as browser levels: ONNX files + models/manifest.json (docs/contracts.md §3-6).

    python -m omnisparse.export --ckpt W.pt --out models/ --levels 0,0.3,0.5,0.6,0.7,0.8,0.85,0.9 \
        [--pareto pareto.json] [--dev dev.jsonl] [--name NAME] [--default-level s50]

Every level is checked before it is written into the manifest: its graph may only use operators onnxruntime-web
runs on WebGPU (WASM runs every standard operator), and onnxruntime must reproduce PyTorch within 1e-4 on a
multi-chunk stream (state carried) and on random predictor/joiner batches.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any, Optional

import numpy as np
import torch
from torch import nn

from .checkpoint import load_checkpoint
from .evaluate import OnnxBackend, StreamGeometry, TorchBackend, evaluate_items, featurize, stream_chunks
from .features import load_frontend
from .model import StreamingEncoder, Transducer
# re-exported: callers (export_v2, export_final, tests) import these from here
from .onnx_files import (OPSET, PARITY_TOL, WEBGPU_OPS, _JoinerGraph, _onnx_export, _PredictorGraph,  # noqa: F401
                         check_ops, export_onnx, file_entry, gzip_bytes, level_id, op_types, strip_identities)
from .search import score
from .sparsity import Supernet, export_model, keep_count
from .text import BLANK, VOCAB

CHARS_PER_SECOND = 15.0  # greedy estimate of emitted symbols per audio second (flopsPerSecond)


# ---- parity ---------------------------------------------------------------------------------------------------
def parity(model: Transducer, paths: dict[str, Path], n_chunks: int = 4, seed: int = 0) -> dict[str, float]:
    """Max |onnx - torch| over a streamed random utterance (state carried) and random predictor/joiner batches."""
    rng = np.random.default_rng(seed)
    cfg = model.cfg
    ref = TorchBackend(model)
    onnx_be = OnnxBackend(paths, StreamingEncoder(model.encoder).state_spec())
    geo = StreamGeometry.from_config(cfg, pad_value=-13.815510557964274)
    n_frames = n_chunks * cfg.segment_frames - 3  # ragged end: exercises the padded last chunk
    feats = (rng.standard_normal((n_frames, cfg.feat_dim)) * 3 - 5).astype(np.float32)
    s_ref, s_onx = ref.initial_state(), onnx_be.initial_state()
    enc_diff, state_diff = 0.0, 0.0
    for chunk in stream_chunks(feats, geo):
        a, s_ref = ref.encode_chunk(chunk, s_ref)
        b, s_onx = onnx_be.encode_chunk(chunk, s_onx)
        enc_diff = max(enc_diff, float(np.abs(a - b).max()))
        state_diff = max(state_diff, max(float(np.abs(x - y).max()) for x, y in zip(s_ref, s_onx)))
    ctx = rng.integers(0, cfg.vocab_size, size=(7, cfg.pred_context)).astype(np.int64)
    with torch.no_grad():
        p_ref = model.predictor(torch.from_numpy(ctx)).numpy()
        p_onx = onnx_be.pred.run(None, {"context": ctx})[0]
        e = rng.standard_normal((7, cfg.eff_joiner_dim)).astype(np.float32)
        p = rng.standard_normal((7, cfg.eff_joiner_dim)).astype(np.float32)
        j_ref = model.joiner(torch.from_numpy(e), torch.from_numpy(p)).numpy()
    j_onx = onnx_be.joiner.run(None, {"encoder_out": e, "predictor_out": p})[0]
    return {"encoder": enc_diff, "state": state_diff, "predictor": float(np.abs(p_ref - p_onx).max()),
            "joiner": float(np.abs(j_ref - j_onx).max()), "chunks": float(onnx_be.chunks)}


# ---- accounting -----------------------------------------------------------------------------------------------
def _nonzero(w: torch.Tensor) -> int:
    return int(torch.count_nonzero(w))


@torch.no_grad()
def macs_per_second(model: Transducer, chars_per_second: float = CHARS_PER_SECOND) -> int:
    """Multiply-adds per audio second: encoder chunks + `chars_per_second` predictor calls + one joiner call per
    encoder frame and per emitted symbol. Only non-zero weights count (theoretical for unstructured levels, whose
    dense kernels do every multiply anyway)."""
    cfg = model.cfg
    step = StreamingEncoder(model.encoder).eval()
    total = [0]

    def hook(mod: nn.Module, inp: tuple, _out: Any) -> None:
        x = inp[0]
        if isinstance(mod, nn.Linear):
            total[0] += (x.numel() // mod.in_features) * _nonzero(mod.weight)
        elif isinstance(mod, nn.Conv1d):
            total[0] += (x.shape[-1] - mod.kernel_size[0] + 1) * _nonzero(mod.weight)

    handles = [m.register_forward_hook(hook) for m in step.modules() if isinstance(m, (nn.Linear, nn.Conv1d))]
    try:
        step(torch.zeros(1, cfg.chunk_input_frames, cfg.feat_dim), *step.initial_state())
    finally:
        for h in handles:
            h.remove()
    keys = cfg.left_context + cfg.segment
    attn = sum(cfg.n_heads * cfg.segment * keys * (cfg.layer_qk(i) + cfg.layer_vo(i)) for i in range(cfg.n_layers))
    chunks_per_s = 100.0 / cfg.segment_frames  # 10 ms feature frames
    enc_frames_per_s = 100.0 / cfg.subsampling
    pred = _nonzero(model.predictor.lin1.weight) + _nonzero(model.predictor.lin2.weight)
    join = _nonzero(model.joiner.out.weight)
    return int(round(chunks_per_s * (total[0] + attn) + chars_per_second * pred
                     + (enc_frames_per_s + chars_per_second) * join))


def layer_sparsity(net: Supernet, config: dict[str, float]) -> list[float]:
    """Fraction actually removed per group (structured rounding to whole units included)."""
    out = []
    for g in net.groups:
        s = float(config.get(g.name, 0.0))
        if net.granularity == "structured":
            s = 1.0 - keep_count(g.n_units, s) / g.n_units if s > 0 else 0.0
        out.append(round(s, 4))
    return out


# ---- level selection --------------------------------------------------------------------------------------------
def uniform_at_least(net: Supernet, t: float, step: float = 0.0025) -> dict[str, float]:
    """The least sparse uniform config whose effective sparsity is >= t (per-group rounding can leave uniform(t)
    a hair below t: 0.8997 for 0.9, and a level called s90 should be at least 90 % sparse)."""
    s = t
    while net.effective_sparsity(net.uniform(s)) < t - 1e-9 and s + step < min(1.0, t + 0.05):
        s = round(s + step, 6)
    return net.uniform(s)


def configs_from_pareto(pareto: dict, net: Supernet, targets: list[float]) -> list[tuple[float, dict, str]]:
    """For each target t: the front's lowest-error config (the search's metric) whose effective sparsity lies in
    [t, t + (next target - t) / 2) — at least as sparse as its name, and nearer its own target than the next one's, so
    neighbouring levels never collapse onto one config — or the uniform config when no front point is in that band.
    Target 0 is always the dense network: the slider's top end is the whole supernet, not a lucky sparse mix."""
    out = []
    ordered = sorted(targets)
    for i, t in enumerate(ordered):
        if t <= 0.0:
            out.append((t, net.uniform(0.0), "dense"))
            continue
        upper = t + (ordered[i + 1] - t) / 2 if i + 1 < len(ordered) else min(1.0, t + 0.1)
        ok = [p for p in pareto["front"] if t - 1e-9 <= net.effective_sparsity(p["config"]) < upper - 1e-9]
        if ok:
            best = min(ok, key=lambda p: (score(p), p["wer"], p["cer"], net.nonzero_params(p["config"])))
            config, source = best["config"], "pareto"
        else:
            print(f"export: no Pareto point in sparsity [{t:.2f}, {upper:.2f}); using the uniform config",
                  file=sys.stderr)
            config, source = uniform_at_least(net, t), "uniform"
        out.append((t, config, source))
    return out


# ---- one level --------------------------------------------------------------------------------------------------
def export_level(net: Supernet, target: float, config: dict[str, float], root: Path,
                 dev_items: Optional[list] = None, dev_set: str = "", log=print) -> dict[str, Any]:
    lid = level_id(target)
    out_dir = root / "levels" / lid
    if out_dir.exists():
        shutil.rmtree(out_dir)
    net.set_config(None)
    model = export_model(net, config)
    paths = export_onnx(model, out_dir)
    ops = check_ops(paths)
    for k, v in ops.items():
        log(f"  {lid} {k}.onnx ops: {' '.join(v)}")
    diffs = parity(model, paths)
    log(f"  {lid} parity max|onnx-torch|: " + ", ".join(f"{k}={v:.2e}" for k, v in diffs.items() if k != "chunks")
        + f" over {int(diffs['chunks'])} chunks")
    worst = max(v for k, v in diffs.items() if k != "chunks")
    if worst > PARITY_TOL:
        raise RuntimeError(f"level {lid}: ONNX/PyTorch mismatch {worst:.3e} > {PARITY_TOL}")
    files = {k: file_entry(p, root) for k, p in paths.items()}
    wer = cer = None
    if dev_items:
        state = StreamingEncoder(model.encoder).state_spec()
        counter = evaluate_items(OnnxBackend({k: root / f["path"] for k, f in files.items()}, state), dev_items,
                                 StreamGeometry.from_config(model.cfg, load_frontend().pad_value))
        wer, cer = counter.wer, counter.cer
        log(f"  {lid} dev WER {wer:.4f} CER {cer:.4f} ({counter.utts} utts)")
    flops = macs_per_second(model)
    return {
        "id": lid, "label": f"{int(round(100 * net.effective_sparsity(config)))} % sparse",
        "sparsity": round(net.effective_sparsity(config), 4), "granularity": net.granularity,
        "nonzeroParams": net.nonzero_params(config), "totalParams": model.count_params(),
        "bytes": {"raw": sum(f["bytes"] for f in files.values()), "gzip": sum(gzip_bytes(p) for p in paths.values())},
        "flopsPerSecond": flops,
        # joiner units are prunable, so J differs per level (top-level joinerDim is the dense width)
        "joinerDim": model.cfg.eff_joiner_dim,
        "dev": {"wer": wer, "cer": cer, "set": dev_set},
        "files": files,
        "state": StreamingEncoder(model.encoder).state_spec(),
        "layerSparsity": layer_sparsity(net, config),
    }


def build_manifest(model: Transducer, name: str, created_by: str, levels: list[dict], default_level: str,
                   max_symbols: int = 5) -> dict[str, Any]:
    cfg = model.cfg
    spec = load_frontend()
    levels = sorted(levels, key=lambda lv: lv["sparsity"])
    ids = [lv["id"] for lv in levels]
    if default_level not in ids:
        raise ValueError(f"--default-level {default_level!r} is not one of the exported levels {ids}")
    return {
        "formatVersion": 1, "name": name, "createdBy": created_by, "frontend": spec.to_json(),
        "vocabulary": list(VOCAB), "blankId": BLANK, "featureDim": cfg.feat_dim, "subsampling": cfg.subsampling,
        "segmentFrames": cfg.segment_frames, "lookaheadFrames": cfg.chunk_input_frames - cfg.segment_frames,
        "chunkInputFrames": cfg.chunk_input_frames, "encoderFramesPerChunk": cfg.segment,
        "leftContextFrames": cfg.left_context, "padValue": spec.pad_value, "contextSize": cfg.pred_context,
        "maxSymbolsPerFrame": max_symbols, "joinerDim": cfg.joiner_dim, "defaultLevel": default_level,
        "levels": levels,
    }


def main(argv: Optional[list[str]] = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(prog="python -m omnisparse.export", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ckpt", required=True)
    p.add_argument("--out", required=True, help="folder that receives manifest.json and levels/")
    p.add_argument("--levels", default="0,0.3,0.5,0.6,0.7,0.8,0.85,0.9", help="target sparsities")
    p.add_argument("--pareto", help="pareto.json of omnisparse.search: per-group configs instead of uniform")
    p.add_argument("--dev", help="JSONL dev manifest: fill dev.wer/cer (ONNX, streaming)")
    p.add_argument("--dev-limit", type=int, default=None)
    p.add_argument("--dev-set", default="synthetic held-out voices", help="description written to dev.set")
    p.add_argument("--name", default="omnisparse-default")
    p.add_argument("--default-level", default=None, help="level id (default: the one nearest 50 %%)")
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    t0 = time.time()
    model, net, _ = load_checkpoint(args.ckpt)
    targets = sorted({float(x) for x in args.levels.split(",") if x.strip()})
    if args.pareto:
        chosen = configs_from_pareto(json.loads(Path(args.pareto).read_text()), net, targets)
    else:
        chosen = [(t, net.uniform(t), "uniform") for t in targets]
    dev_items = None
    if args.dev:
        from .data import read_manifest

        dev_items = featurize(read_manifest(args.dev), load_frontend(), args.dev_limit)
    root = Path(args.out)
    root.mkdir(parents=True, exist_ok=True)
    levels = []
    for t, config, source in chosen:
        print(f"export: level {level_id(t)} ({source} config, {net.granularity})", flush=True)
        levels.append(export_level(net, t, config, root, dev_items, args.dev_set if args.dev else ""))
    default = args.default_level or min(levels, key=lambda lv: abs(lv["sparsity"] - 0.5))["id"]
    manifest = build_manifest(model, args.name, "python -m omnisparse.export " + " ".join(sys.argv[1:] if argv is None
                                                                                         else argv), levels, default)
    (root / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    if net.granularity == "unstructured":
        print("export: flopsPerSecond of unstructured levels counts non-zero weights only (theoretical: the dense "
              "kernels still do every multiply)")
    for lv in manifest["levels"]:
        print(f"  {lv['id']}: sparsity {lv['sparsity']:.3f} params {lv['nonzeroParams']}/{lv['totalParams']} "
              f"bytes {lv['bytes']['raw']} (gzip {lv['bytes']['gzip']}) MAC/s {lv['flopsPerSecond']}")
    print(f"export: wrote {root / 'manifest.json'} ({len(levels)} levels) in {time.time() - t0:.1f}s")
    return manifest


if __name__ == "__main__":
    main()
