"""Export model family v2 (Whisper tiny.en streaming transducer + omni-sparsity levels) for the browser:
per level encoder.onnx (one 160 ms chunk with explicit caches), predictor.onnx, joiner.onnx, and manifest.json.

    python -m omnisparse.export_v2 --ckpt runs/supernet/last.pt --out ../models --levels 0,0.3,0.5,0.6,0.7,0.8,0.85,0.9 \
        [--pareto runs/pareto.json] [--dev fsdd=/work/data/fsdd/dev.jsonl] [--quantize none|int8|fp16]

The encoder graph follows docs/contracts.md §3 (features [1, chunkInputFrames, 80] + the manifest's states in order ->
encoder_out [1, encoderFramesPerChunk, J] + `<state>_out`), so the app, the CLI and `omnisparse.evaluate` run it with
the code that runs family v1. Every level is parity-checked against PyTorch's chunk-by-chunk streaming before it is
written into the manifest.
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

from .evaluate import OnnxBackend, StreamGeometry, evaluate_items, featurize
from .export import PARITY_TOL, _JoinerGraph, _onnx_export, _PredictorGraph, check_ops, file_entry, gzip_bytes, \
    level_id
from .export_final import export_encoder_full, export_whisper, final_pass_entry
from .quantize import dequantize_at_load, quantize_fp16, quantize_int8
from .features import FrontendSpec, load_frontend
from .omni import Config, OmniSupernet, layer_sparsity, slice_model
from .pretrained import WHEEL_NAME, WHEEL_SHA256, WHEEL_VERSION
from .stream_train import FRONTEND_V2, load_supernet
from .text import BLANK, VOCAB
from .whisper_model import StreamingTransducer, stream_encode

# max |quantized - fp32| on encoder_out over the parity stream, relative to the largest |fp32| output; the accuracy
# cost itself is measured as dev WER per level.
QUANT_REL_TOL = 0.1


class EncoderStep(nn.Module):
    """One chunk: features + states (manifest order) -> readout frames + new states (same order)."""

    def __init__(self, model: StreamingTransducer) -> None:
        super().__init__()
        self.encoder = model.encoder
        self.readout = model.readout
        self.stream = model.cfg.stream
        self.names = list(self.encoder.initial_stream_state(self.stream).keys())

    def forward(self, features: torch.Tensor, *states: torch.Tensor):
        out, new = self.encoder.step(features, dict(zip(self.names, states)), self.stream)
        return (self.readout(out), *[new[n] for n in self.names])


def state_spec(model: StreamingTransducer) -> list[dict[str, Any]]:
    st = model.encoder.initial_stream_state(model.cfg.stream)
    return [{"name": k, "shape": list(v.shape), "dtype": "int64" if v.dtype == torch.long else "float32"}
            for k, v in st.items()]


def export_onnx(model: StreamingTransducer, out_dir: Path) -> dict[str, Path]:
    model = model.eval()
    out_dir.mkdir(parents=True, exist_ok=True)
    step = EncoderStep(model).eval()
    init = model.encoder.initial_stream_state(model.cfg.stream)
    feats = torch.zeros(1, model.cfg.stream.chunk_input_mel, model.cfg.encoder.n_mels)
    paths = {k: out_dir / f"{k}.onnx" for k in ("encoder", "predictor", "joiner")}
    _onnx_export(step, (feats, *init.values()), paths["encoder"], ["features", *step.names],
                 ["encoder_out", *[n + "_out" for n in step.names]])
    h = model.cfg.head
    _onnx_export(_PredictorGraph(model), (torch.zeros(3, h.context, dtype=torch.int64),), paths["predictor"],
                 ["context"], ["predictor_out"], {"context": {0: "N"}, "predictor_out": {0: "N"}})
    _onnx_export(_JoinerGraph(model), (torch.zeros(3, h.joiner), torch.zeros(3, h.joiner)), paths["joiner"],
                 ["encoder_out", "predictor_out"], ["logits"],
                 {"encoder_out": {0: "N"}, "predictor_out": {0: "N"}, "logits": {0: "N"}})
    return paths


@torch.no_grad()
def parity(model: StreamingTransducer, paths: dict[str, Path], n_chunks: int = 6, seed: int = 0) -> dict[str, float]:
    """max |onnx - torch| of the encoder over a multi-chunk stream (state carried), and of predictor/joiner."""
    from .evaluate import ort_session

    g = torch.Generator().manual_seed(seed)
    s = model.cfg.stream
    mel = torch.randn(1, n_chunks * s.mel_per_chunk, model.cfg.encoder.n_mels, generator=g) * 0.4
    ref = model.readout(stream_encode(model.encoder, mel, s, -1.0))[0].numpy()
    enc = ort_session(paths["encoder"])
    st = [v.numpy() for v in model.encoder.initial_stream_state(s).values()]
    padded, _ = model.encoder.pad_for_chunks(mel, s, -1.0)
    outs = []
    for i in range(n_chunks):
        chunk = padded[:, i * s.mel_per_chunk: i * s.mel_per_chunk + s.chunk_input_mel].numpy()
        names = [i_.name for i_ in enc.get_inputs()]
        res = enc.run(None, dict(zip(names, [chunk, *st])))
        outs.append(res[0][0])
        st = res[1:]
    got = np.concatenate(outs)
    h = model.cfg.head
    ctx = torch.randint(0, h.vocab, (5, h.context), generator=g)
    e, p_ = torch.randn(5, h.joiner, generator=g), torch.randn(5, h.joiner, generator=g)
    pred = ort_session(paths["predictor"]).run(None, {"context": ctx.numpy()})[0]
    join = ort_session(paths["joiner"]).run(None, {"encoder_out": e.numpy(), "predictor_out": p_.numpy()})[0]
    return {"encoder": float(np.abs(got - ref).max()), "encoder_scale": float(np.abs(ref).max()),
            "predictor": float(np.abs(pred - model.predictor(ctx).numpy()).max()),
            "joiner": float(np.abs(join - model.joiner(e, p_).numpy()).max()), "chunks": n_chunks}


def macs_per_second(model: StreamingTransducer, chars_per_second: float = 15.0) -> int:
    """Multiply-adds per audio second of the streaming encoder (right context recomputed), attention included,
    + one joiner call per transducer frame and emitted symbol + a predictor call per symbol."""
    e, s, h = model.cfg.encoder, model.cfg.stream, model.cfg.head
    rows = s.chunk + s.right
    per_chunk = (2 * s.chunk + 2 * s.right) * e.n_mels * e.d_model * 3 + rows * e.d_model * e.d_model * 3
    for layer in model.encoder.layers:
        a = layer.n_heads * layer.d_head
        keys = s.left + rows
        per_chunk += rows * (e.d_model * 3 * a + a * e.d_model + 2 * e.d_model * layer.fc1.out_features)
        per_chunk += 2 * rows * keys * a
    per_chunk += (s.chunk // h.stack) * (e.d_model * h.stack * h.hidden + h.hidden * h.joiner)
    chunks_per_s = 1.0 / (0.02 * s.chunk)
    frames_per_s = 50.0 / h.stack
    return int(chunks_per_s * per_chunk + chars_per_second * h.joiner * (h.joiner * h.context)
               + (frames_per_s + chars_per_second) * h.joiner * h.vocab)


def parse_blank_penalty(spec: Optional[str], level_ids: list[str]) -> dict[str, float]:
    """`--blank-penalty`: one number for every level, or `s00=0.75,s10=0.5` (levels not named get 0)."""
    out = {lid: 0.0 for lid in level_ids}
    if not spec:
        return out
    try:
        if "=" not in spec:
            out = {lid: float(spec) for lid in level_ids}
        else:
            for part in spec.split(","):
                lid, _, value = part.partition("=")
                if lid.strip() not in out:
                    raise ValueError(f"no level {lid.strip()!r} among {level_ids}")
                out[lid.strip()] = float(value)
    except ValueError as err:
        raise ValueError(f"--blank-penalty {spec!r}: {err}") from err
    if any(v < 0 for v in out.values()):
        raise ValueError(f"--blank-penalty {spec!r}: penalties are >= 0 (they lower the blank logit)")
    return out


def penalize_blank(model: StreamingTransducer, penalty: float) -> None:
    """Lower the joiner's blank logit by `penalty` (in the exported weights: the runtime's greedy argmax stays the
    contract's). The transducer trained on synthetic voices emits too little on real speech; a tuned penalty trades
    those deletions for a few insertions (`omnisparse.tune_blank`)."""
    with torch.no_grad():
        model.joiner.out.bias[BLANK] -= penalty


def export_level(sup: OmniSupernet, target: float, config: Config, root: Path, quantize: str,
                 dev: Optional[tuple[str, list]], geo: StreamGeometry, source: str, log=print,
                 final_pass: bool = True, blank_penalty: float = 0.0) -> dict[str, Any]:
    lid = level_id(target)
    out_dir = root / "levels" / lid
    if out_dir.exists():
        shutil.rmtree(out_dir)
    sup.set_config(None)
    model = slice_model(sup, config).eval()  # a copy: the penalty below stays out of the supernet
    if blank_penalty:
        penalize_blank(model, blank_penalty)
    paths = export_onnx(model, out_dir)
    check_ops(paths)
    diffs = parity(model, paths)
    log(f"  {lid} fp32 parity max|onnx-torch|: " + ", ".join(f"{k}={v:.2e}" for k, v in diffs.items()
                                                                 if k not in ("chunks", "encoder_scale")))
    worst = max(v for k, v in diffs.items() if k not in ("chunks", "encoder_scale"))
    if worst > PARITY_TOL:
        raise RuntimeError(f"level {lid}: ONNX/PyTorch mismatch {worst:.3e} > {PARITY_TOL}")
    if quantize in ("int8", "fp16"):
        (quantize_int8 if quantize == "int8" else quantize_fp16)(paths)
        if quantize == "int8":
            for p in paths.values():
                dequantize_at_load(p)
        q = parity(model, paths)
        rel = q["encoder"] / max(q["encoder_scale"], 1e-9)
        log(f"  {lid} {quantize} max|onnx-torch|: " + ", ".join(f"{k}={v:.2e}" for k, v in q.items() if k != "chunks")
            + f" (encoder {100 * rel:.1f} % of its largest output)")
        if rel > QUANT_REL_TOL:
            raise RuntimeError(f"level {lid}: {quantize} encoder deviates {100 * rel:.1f} % > {100 * QUANT_REL_TOL:.0f} %")
    files = {k: file_entry(p, root) for k, p in paths.items()}
    if final_pass:
        # the same weights in full-context mode, for the second pass at each endpoint (lazy-loaded by the app)
        files["encoderFull"] = file_entry(export_encoder_full(model, out_dir, quantize, log=log), root)
    wer = cer = None
    if dev:
        be = OnnxBackend({k: root / f["path"] for k, f in files.items()}, state_spec(model))
        counter = evaluate_items(be, dev[1], geo)
        wer, cer = counter.wer, counter.cer
        log(f"  {lid} dev ({dev[0]}) WER {wer:.4f} CER {cer:.4f} ({counter.utts} utts), "
            f"encoder {1000 * be.encoder_seconds / max(1, be.chunks):.2f} ms/chunk")
    return {
        "id": lid, "label": f"{int(round(100 * sup.effective_sparsity(config)))} % sparse",
        "sparsity": round(sup.effective_sparsity(config), 4), "granularity": "structured",
        "nonzeroParams": sup.nonzero_params(config), "totalParams": model.count_params(),
        "bytes": {"raw": sum(f["bytes"] for k, f in files.items() if k in paths),
                  "gzip": sum(gzip_bytes(p) for p in paths.values()),
                  **({"finalPassGzip": gzip_bytes(root / files["encoderFull"]["path"])} if final_pass else {})},
        "flopsPerSecond": macs_per_second(model), "joinerDim": model.cfg.head.joiner,
        "dev": {"wer": wer, "cer": cer, "set": dev[0] if dev else ""},
        "files": files, "state": state_spec(model), "layerSparsity": [round(x, 4) for x in layer_sparsity(sup, config)],
        "heads": model.cfg.encoder.heads, "ffn": model.cfg.encoder.ffns, "config": source,
        "quantization": quantize, **({"blankPenalty": blank_penalty} if blank_penalty else {}),
    }


def build_manifest(model: StreamingTransducer, spec: FrontendSpec, name: str, created_by: str,
                   levels: list[dict], default_level: str, max_symbols: int = 5) -> dict[str, Any]:
    s, h, e = model.cfg.stream, model.cfg.head, model.cfg.encoder
    levels = sorted(levels, key=lambda lv: lv["sparsity"])
    if default_level not in [lv["id"] for lv in levels]:
        raise ValueError(f"default level {default_level!r} not exported")
    return {
        "formatVersion": 2, "name": name, "createdBy": created_by,
        "family": {"name": "whisper-tiny.en-streaming-transducer", "encoderLayers": e.n_layers,
                   "dModel": e.d_model, "heads": e.n_heads, "ffn": e.ffn,
                   "pretrained": {"package": f"{WHEEL_NAME}=={WHEEL_VERSION}", "sha256": WHEEL_SHA256,
                                  "weights": "OpenAI Whisper tiny.en encoder", "license": "MIT"}},
        "stream": {"chunkMs": 20 * s.chunk, "rightContextMs": 20 * s.right, "leftContextMs": 20 * s.left,
                   "positions": {"scheme": "wrap", "table": e.n_positions}},
        "frontend": spec.to_json(), "vocabulary": list(VOCAB), "blankId": BLANK, "featureDim": e.n_mels,
        "subsampling": 2 * h.stack, "segmentFrames": s.mel_per_chunk, "lookaheadFrames": s.lookahead_mel,
        "chunkInputFrames": s.chunk_input_mel, "encoderFramesPerChunk": s.chunk // h.stack,
        "leftContextFrames": s.left, "padValue": spec.pad_value, "contextSize": h.context,
        "maxSymbolsPerFrame": max_symbols, "joinerDim": h.joiner, "defaultLevel": default_level, "levels": levels,
    }


def configs_for(sup: OmniSupernet, targets: list[float], pareto: Optional[dict]) -> list[tuple[float, Config, str]]:
    """Per target: dense for 0; else the searched front's best config within [t, midpoint to the next target), or
    the uniform config that reaches t."""
    out = []
    ordered = sorted(targets)
    for i, t in enumerate(ordered):
        if t <= 0:
            out.append((t, sup.uniform(0.0), "dense"))
            continue
        upper = t + (ordered[i + 1] - t) / 2 if i + 1 < len(ordered) else min(1.0, t + 0.1)
        metric = (pareto or {}).get("metric", "wer")
        front = [p for p in (pareto or {}).get("front", [])
                 if t - 1e-9 <= sup.effective_sparsity(p["config"]) < upper - 1e-9]
        # a front point is only better than the uniform config at t if it beats an evaluated uniform config that is
        # no sparser than t (error grows with sparsity, so that one bounds the uniform config's error from below);
        # otherwise the front point is merely undominated among the few evaluated mixes
        below = [p for p in (pareto or {}).get("evaluated", [])
                 if p.get("origin") == "uniform" and p["sparsity"] <= t + 1e-9]
        uniform_bound = max(below, key=lambda p: p["sparsity"])[metric] if below else None
        best = min(front, key=lambda p: (p[metric], p["wer"], p["cer"])) if front else None
        if best is not None and (uniform_bound is None or best[metric] <= uniform_bound):
            out.append((t, best["config"], "pareto"))
        else:
            out.append((t, sup.config_for_budget(t), "uniform"))
    return out


def main(argv: Optional[list[str]] = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(prog="python -m omnisparse.export_v2", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ckpt", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--levels", default="0,0.3,0.5,0.6,0.7,0.8,0.85,0.9")
    p.add_argument("--pareto")
    p.add_argument("--dev", help="NAME=manifest.jsonl evaluated per level (its WER/CER go into the manifest)")
    p.add_argument("--dev-limit", type=int, default=100)
    p.add_argument("--quantize", choices=["none", "int8", "fp16"], default="int8")
    p.add_argument("--name", default="omnisparse-v2")
    p.add_argument("--default-level", default="s00")
    p.add_argument("--final-pass", choices=["whisper", "transducer", "none"], default="whisper",
                   help="second-pass files: full-context encoder per level (transducer), + Whisper's decoder (whisper)")
    p.add_argument("--blank-penalty", help="subtracted from the joiner's blank logit in the exported weights: one "
                   "number, or LEVEL=NUMBER pairs (`s00=0.75,s10=0.5`; others 0), as omnisparse.tune_blank prints")
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    t0 = time.time()
    model, sup = load_supernet(args.ckpt)   # the masks' unit ranking as trained
    model.eval()
    spec = load_frontend(FRONTEND_V2)
    root = Path(args.out)
    root.mkdir(parents=True, exist_ok=True)
    pareto = json.loads(Path(args.pareto).read_text()) if args.pareto else None
    dev = None
    if args.dev:
        from .data import read_manifest

        name, path = args.dev.split("=", 1)
        dev = (name, featurize(read_manifest(path), spec, args.dev_limit))
    proto = build_manifest(model, spec, args.name, "", [{"id": "x", "sparsity": 0}], "x")
    geo = StreamGeometry.from_manifest(proto)
    targets = [float(x) for x in args.levels.split(",")]
    try:
        penalties = parse_blank_penalty(args.blank_penalty, [level_id(t) for t in targets])
    except ValueError as err:
        p.error(str(err))
    levels = []
    for t, config, source in configs_for(sup, targets, pareto):
        print(f"level {level_id(t)} ({source}): {sup.effective_sparsity(config):.3f} sparse", file=sys.stderr)
        levels.append(export_level(sup, t, config, root, args.quantize, dev, geo, source,
                                   log=lambda m: print(m, file=sys.stderr), final_pass=args.final_pass != "none",
                                   blank_penalty=penalties[level_id(t)]))
    created = "python -m omnisparse.export_v2 " + " ".join(argv if argv is not None else sys.argv[1:])
    manifest = build_manifest(model, spec, args.name, created, levels, args.default_level)
    if args.final_pass != "none":
        whisper = (export_whisper(root, args.quantize, log=lambda m: print(m, file=sys.stderr))
                   if args.final_pass == "whisper" else None)
        manifest["finalPass"] = final_pass_entry(whisper, model.cfg.encoder.n_positions)
    (root / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {root / 'manifest.json'}: {[lv['id'] for lv in levels]} in {time.time() - t0:.0f}s", file=sys.stderr)
    return manifest


if __name__ == "__main__":
    main()
