"""Weight storage for the exported graphs: int8 (per-channel, DequantizeLinear in front of the consumer) or fp16
(Cast back to float32, folded when the session starts). Shared by every export (levels, second pass)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np


def quantize_int8(paths: dict[str, Path], min_size: int = 4096) -> None:
    """int8 weights: every large MatMul/Gemm/Conv weight (and Gather table) becomes int8 with a per-output-channel
    scale and a DequantizeLinear in front of its consumer, in place; the download shrinks ~4x. Exports follow it with
    dequantize_at_load: onnxruntime's CPU/WASM kernels otherwise dequantize every weight on every call (measured on
    the streaming encoder: 8.7 ms/chunk vs 3.5 ms/chunk folded at load).
    (onnxruntime.quantization needs onnx >= 1.13; Debian ships 1.12, and this needs only onnx's helpers.)"""
    import onnx
    from onnx import numpy_helper

    for p in paths.values():
        m = onnx.load(str(p))
        g = m.graph
        inits = {i.name: i for i in g.initializer}
        new_nodes = []
        done: dict[str, str] = {}
        for node in g.node:
            for slot, name in enumerate(node.input):
                axis = _weight_axis(node, slot)
                if axis is None or name not in inits:
                    continue
                w = numpy_helper.to_array(inits[name])
                if w.dtype != np.float32 or w.size < min_size or w.ndim < 2:
                    continue
                if name not in done:
                    other = tuple(i for i in range(w.ndim) if i != axis)
                    scale = (np.abs(w).max(axis=other) / 127.0).astype(np.float32)
                    scale[scale == 0] = 1.0
                    shape = [1] * w.ndim
                    shape[axis] = -1
                    q = np.clip(np.round(w / scale.reshape(shape)), -127, 127).astype(np.int8)
                    g.initializer.remove(inits[name])
                    g.initializer.extend([numpy_helper.from_array(q, name + "_q8"),
                                          numpy_helper.from_array(scale, name + "_scale"),
                                          numpy_helper.from_array(np.zeros_like(scale, dtype=np.int8), name + "_zp")])
                    new_nodes.append(onnx.helper.make_node("DequantizeLinear", [name + "_q8", name + "_scale",
                                                                                name + "_zp"], [name + "_dq"],
                                                           axis=axis))
                    done[name] = name + "_dq"
                node.input[slot] = done[name]
        nodes = new_nodes + list(g.node)
        del g.node[:]
        g.node.extend(nodes)
        onnx.checker.check_model(m)
        onnx.save(m, str(p))


def quantize_fp16(paths: dict[str, Path], min_size: int = 4096) -> None:
    """fp16 storage of the large float initializers, each followed by a Cast back to float32 (folded into a float32
    constant when the session starts): half the download, float32 compute."""
    import onnx
    from onnx import TensorProto, numpy_helper

    for p in paths.values():
        m = onnx.load(str(p))
        g = m.graph
        casts = []
        for init in list(g.initializer):
            w = numpy_helper.to_array(init)
            if w.dtype != np.float32 or w.size < min_size:
                continue
            name = init.name
            g.initializer.remove(init)
            g.initializer.append(numpy_helper.from_array(w.astype(np.float16), name + "_f16"))
            casts.append(onnx.helper.make_node("Cast", [name + "_f16"], [name], to=TensorProto.FLOAT))
        nodes = casts + list(g.node)
        del g.node[:]
        g.node.extend(nodes)
        onnx.checker.check_model(m)
        onnx.save(m, str(p))


def _weight_axis(node, slot: int) -> Optional[int]:
    """The output-channel axis of a weight input, or None if the input is not a weight."""
    if node.op_type == "MatMul" and slot == 1:
        return 1                       # [in, out]
    if node.op_type == "Gemm" and slot == 1:
        trans_b = next((a.i for a in node.attribute if a.name == "transB"), 0)
        return 0 if trans_b else 1
    if node.op_type == "Conv" and slot == 1:
        return 0                       # [out, in, k]
    if node.op_type == "Gather" and slot == 0:
        return 1                       # a table [rows, dim] (positions, embeddings): a scale per dim
    return None


def dequantize_at_load(path: Path) -> None:
    """int8 storage, float32 compute: every DequantizeLinear of a constant becomes Cast + Mul, which onnxruntime folds
    into a float32 constant when the session starts (4x the weights' memory, none of the per-call dequantization:
    Whisper's decoder 131 -> 11 ms/token, the streaming encoder 8.7 -> 3.5 ms/chunk, onnxruntime CPU, 1 thread)."""
    import onnx
    from onnx import TensorProto, numpy_helper

    m = onnx.load(str(path))
    g = m.graph
    inits = {i.name: i for i in g.initializer}
    nodes = []
    for nd in g.node:
        if nd.op_type != "DequantizeLinear" or nd.input[0] not in inits:
            nodes.append(nd)
            continue
        q = numpy_helper.to_array(inits[nd.input[0]])
        axis = next((a.i for a in nd.attribute if a.name == "axis"), 1)
        scale = numpy_helper.to_array(inits[nd.input[1]])
        shape = [1] * q.ndim
        shape[axis] = -1
        sname = nd.input[1] + "_bcast"
        g.initializer.append(numpy_helper.from_array(scale.reshape(shape).astype(np.float32), sname))
        nodes.append(onnx.helper.make_node("Cast", [nd.input[0]], [nd.output[0] + "_f"], to=TensorProto.FLOAT))
        nodes.append(onnx.helper.make_node("Mul", [nd.output[0] + "_f", sname], [nd.output[0]]))
    del g.node[:]
    g.node.extend(nodes)
    used = {i for nd in g.node for i in nd.input}
    for init in list(g.initializer):
        if init.name not in used:
            g.initializer.remove(init)
    onnx.checker.check_model(m)
    onnx.save(m, str(path))
