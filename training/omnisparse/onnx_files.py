"""ONNX files of the browser levels, shared by every exporter (export, export_v2, export_final) and by evaluate's
latency probe: the TorchScript exporter call (Identity nodes stripped), the v1 transducer's three graphs, the
onnxruntime-web WebGPU operator check, and the per-file manifest accounting (sha256, sizes, level ids).

Everything here is re-exported by omnisparse.export, where callers have always imported it from.
"""
from __future__ import annotations

import gzip
import hashlib
import inspect
from pathlib import Path
from typing import Any, Optional

import torch
from torch import nn

from .model import StreamingEncoder, Transducer

OPSET = 17
PARITY_TOL = 1e-4

# onnxruntime-web WebGPU kernels (node_modules/onnxruntime-web/docs/webgpu-operators.md, 1.2x) that an export of
# this model can plausibly produce; anything else would silently fall back to the CPU inside a WebGPU session.
WEBGPU_OPS = frozenset("""Abs Add ArgMax Cast Ceil Clip Concat Constant Conv Div Equal Erf Exp Expand Flatten Floor
Gather GatherElements Gemm Greater GreaterOrEqual LayerNormalization Less LessOrEqual Log MatMul Mul Neg Not Pad Pow
Range Reciprocal ReduceMax ReduceMean ReduceSum Relu Reshape Shape Sigmoid Slice Softmax Split Sqrt Squeeze Sub Tanh
Tile Transpose Unsqueeze Where""".split())


# ---- ONNX graphs ----------------------------------------------------------------------------------------------
class _PredictorGraph(nn.Module):
    def __init__(self, model: Transducer):
        super().__init__()
        self.predictor = model.predictor

    def forward(self, context: torch.Tensor) -> torch.Tensor:
        return self.predictor(context)


class _JoinerGraph(nn.Module):
    def __init__(self, model: Transducer):
        super().__init__()
        self.joiner = model.joiner

    def forward(self, encoder_out: torch.Tensor, predictor_out: torch.Tensor) -> torch.Tensor:
        return self.joiner(encoder_out, predictor_out)


def _onnx_export(module: nn.Module, args: tuple, path: Path, inputs: list[str], outputs: list[str],
                 dynamic: Optional[dict] = None) -> None:
    kwargs: dict[str, Any] = dict(opset_version=OPSET, input_names=inputs, output_names=outputs,
                                  dynamic_axes=dynamic or {}, do_constant_folding=True)
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False  # newer torch defaults to the dynamo exporter; the TorchScript one is what we test
    with torch.no_grad():
        torch.onnx.export(module, args, str(path), **kwargs)
    strip_identities(path)


def export_onnx(model: Transducer, out_dir: Path) -> dict[str, Path]:
    """Write encoder/predictor/joiner.onnx of an (already sliced or baked) model into out_dir."""
    model = model.eval()
    out_dir.mkdir(parents=True, exist_ok=True)
    cfg = model.cfg
    step = StreamingEncoder(model.encoder).eval()
    spec = step.state_spec()
    names = [s["name"] for s in spec]
    feats = torch.zeros(1, cfg.chunk_input_frames, cfg.feat_dim)
    paths = {k: out_dir / f"{k}.onnx" for k in ("encoder", "predictor", "joiner")}
    _onnx_export(step, (feats, *step.initial_state()), paths["encoder"], ["features", *names],
                 ["encoder_out", *[n + "_out" for n in names]])
    ctx = torch.zeros(3, cfg.pred_context, dtype=torch.int64)
    _onnx_export(_PredictorGraph(model), (ctx,), paths["predictor"], ["context"], ["predictor_out"],
                 {"context": {0: "N"}, "predictor_out": {0: "N"}})
    j = cfg.eff_joiner_dim
    _onnx_export(_JoinerGraph(model), (torch.zeros(3, j), torch.zeros(3, j)), paths["joiner"],
                 ["encoder_out", "predictor_out"], ["logits"],
                 {"encoder_out": {0: "N"}, "predictor_out": {0: "N"}, "logits": {0: "N"}})
    return paths


def strip_identities(path: Path) -> None:
    """The exporter shares identical initializers (e.g. untrained LayerNorm weights) through Identity nodes, an
    operator the WebGPU kernel list lacks: point their consumers at the source instead."""
    import onnx

    model = onnx.load(str(path))
    g = model.graph
    outputs = {o.name for o in g.output}
    alias = {n.output[0]: n.input[0] for n in g.node if n.op_type == "Identity" and n.output[0] not in outputs}
    if not alias:
        return
    keep = [n for n in g.node if not (n.op_type == "Identity" and n.output[0] in alias)]
    for n in keep:
        for i, name in enumerate(n.input):
            while name in alias:
                name = alias[name]
            n.input[i] = name
    del g.node[:]
    g.node.extend(keep)
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


def op_types(path: Path) -> list[str]:
    import onnx

    return sorted({n.op_type for n in onnx.load(str(path)).graph.node})


def check_ops(paths: dict[str, Path]) -> dict[str, list[str]]:
    ops = {k: op_types(p) for k, p in paths.items()}
    bad = {k: sorted(set(v) - WEBGPU_OPS) for k, v in ops.items() if set(v) - WEBGPU_OPS}
    if bad:
        raise RuntimeError(f"operators without an onnxruntime-web WebGPU kernel: {bad}")
    return ops


# ---- manifest accounting ------------------------------------------------------------------------------------------
def file_entry(path: Path, root: Path) -> dict[str, Any]:
    data = path.read_bytes()
    return {"path": path.relative_to(root).as_posix(), "sha256": hashlib.sha256(data).hexdigest(),
            "bytes": len(data)}


def gzip_bytes(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0))


def level_id(target: float) -> str:
    return f"s{int(round(target * 100)):02d}"
