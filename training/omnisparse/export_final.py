"""ONNX graphs of the full-context second pass (issue "Accurate finals"): per level the encoder in full-context mode
(`encoder_full.onnx`), and once for all levels Whisper tiny.en's own decoder (`whisper/cross.onnx`,
`whisper/decoder.onnx`, `whisper/tokens.json`). Called by export_v2 (one command exports a release); also usable
alone on an existing release:

    python -m omnisparse.export_final --ckpt CKPT.pt --models ../models --quantize int8

Contracts (docs/contracts.md §6, manifest `finalPass`, level `files.encoderFull`):
    encoder_full: features [1, T, 80] -> hidden [1, U, 384] (U = (T - 1) // 2 + 1), encoder_out [1, U // 2, J]
    cross:        hidden [1, U, 384] -> cross_k0, cross_v0, ... each [1, U, 384]
    decoder:      tokens int64 [1, N], self_k0, self_v0, ... [1, P, 384], cross_k0, ... -> logits [1, V] (last token),
                  self_k0_out, self_v0_out, ... [1, P + N, 384]
The second pass appends SILENCE_PAD_FRAMES of the front end's silence value before encoding: Whisper's decoder was
trained on 30 s windows and loops without seeing the audio end (measured in the model card).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Optional

import numpy as np
import torch
from torch import nn

from .export import PARITY_TOL, _onnx_export, check_ops, file_entry, gzip_bytes
from .quantize import dequantize_at_load, quantize_fp16, quantize_int8
from .whisper_decoder import TokenRules, WhisperDecoder, load_decoder, read_vocabulary, token_rules
from .whisper_model import StreamingTransducer

# full-context mode: the most feature frames (Whisper's position table: 1500 encoder frames = 30 s)
MAX_FRAMES = 3000
# silence frames appended to an utterance before the Whisper decoder reads it (see the model card's table)
SILENCE_PAD_FRAMES = 800
# int8: greedy tokens may differ; the logits' deviation is logged relative to their range
QUANT_REL_TOL = 0.15


class EncoderFull(nn.Module):
    def __init__(self, model: StreamingTransducer) -> None:
        super().__init__()
        self.encoder, self.readout = model.encoder, model.readout

    def forward(self, features: torch.Tensor):
        hidden = self.encoder.forward_full(features)[0]
        return hidden, self.readout(hidden)


class CrossGraph(nn.Module):
    def __init__(self, dec: WhisperDecoder) -> None:
        super().__init__()
        self.dec = dec

    def forward(self, hidden: torch.Tensor):
        return tuple(self.dec.cross(hidden))


class StepGraph(nn.Module):
    """One decoder call. The token embedding is read from the output projection's table ([d, V], tied weights), so
    the 51,864 x 384 table is stored once; for int8 the lookup is rewired to the int8 table (see _gather_int8)."""

    def __init__(self, dec: WhisperDecoder) -> None:
        super().__init__()
        self.dec = dec
        self.proj = nn.Parameter(dec.embed.weight.detach().t().contiguous())
        self.n = dec.dims.n_layers

    def forward(self, tokens: torch.Tensor, *caches: torch.Tensor):
        past, cross = list(caches[:2 * self.n]), list(caches[2 * self.n:])
        emb = self.proj.index_select(1, tokens.reshape(-1)).t().unsqueeze(0)
        p = past[0].shape[1]
        x = emb + self.dec.positions[p:p + tokens.shape[1]]
        grown = []
        for i, layer in enumerate(self.dec.layers):
            x, k, v = layer(x, past[2 * i], past[2 * i + 1], cross[2 * i], cross[2 * i + 1])
            grown += [k, v]
        logits = self.dec.ln(x[:, -1]) @ self.proj
        return (logits, *grown)


def cache_names(n_layers: int, prefix: str) -> list[str]:
    return [f"{prefix}_{kv}{i}" for i in range(n_layers) for kv in ("k", "v")]


# --------------------------------------------------------------------------------------------------- encoder (level)
def export_encoder_full(model: StreamingTransducer, out_dir: Path, quantize: str, log=print) -> Path:
    path = out_dir / "encoder_full.onnx"
    graph = EncoderFull(model).eval()
    longest = 2 * model.cfg.encoder.n_positions - 1       # the most frames the position table covers unwrapped
    x = torch.randn(1, min(203, longest), model.cfg.encoder.n_mels) * 0.4
    _onnx_export(graph, (x,), path, ["features"], ["hidden", "encoder_out"],
                 {"features": {1: "T"}, "hidden": {1: "U"}, "encoder_out": {1: "M"}})
    check_ops({"encoder_full": path})
    diff = encoder_full_parity(graph, path)
    log(f"  encoder_full fp32 parity max|onnx-torch|: hidden={diff['hidden']:.2e} encoder_out={diff['encoder_out']:.2e}")
    if max(diff["hidden"], diff["encoder_out"]) > PARITY_TOL * 10:
        raise RuntimeError(f"encoder_full: ONNX/PyTorch mismatch {diff}")
    if quantize in ("int8", "fp16"):
        (quantize_int8 if quantize == "int8" else quantize_fp16)({"encoder_full": path})
        if quantize == "int8":
            dequantize_at_load(path)
        q = encoder_full_parity(graph, path)
        rel = q["hidden"] / max(q["hidden_scale"], 1e-9)
        log(f"  encoder_full {quantize}: hidden {100 * rel:.1f} % of its largest output")
        if rel > QUANT_REL_TOL:
            raise RuntimeError(f"encoder_full {quantize} deviates {100 * rel:.1f} %")
    return path


@torch.no_grad()
def encoder_full_parity(graph: EncoderFull, path: Path, frames: tuple[int, ...] = (37, 420)) -> dict[str, float]:
    from .evaluate import ort_session

    sess = ort_session(path)
    g = torch.Generator().manual_seed(1)
    out = {"hidden": 0.0, "encoder_out": 0.0, "hidden_scale": 0.0}
    for t in frames:
        t = min(t, 2 * graph.encoder.dims.n_positions - 1)
        x = torch.randn(1, t, graph.encoder.dims.n_mels, generator=g) * 0.4
        h, e = graph(x)
        oh, oe = sess.run(None, {"features": x.numpy()})
        out["hidden"] = max(out["hidden"], float(np.abs(oh - h.numpy()).max()))
        out["encoder_out"] = max(out["encoder_out"], float(np.abs(oe - e.numpy()).max()))
        out["hidden_scale"] = max(out["hidden_scale"], float(h.abs().max()))
    return out


# ---------------------------------------------------------------------------------------------------- Whisper decoder
def export_whisper(root: Path, quantize: str, dec: Optional[WhisperDecoder] = None, rules: Optional[TokenRules] = None,
                   vocab: Optional[list[str]] = None, log=print) -> dict[str, Any]:
    """Writes root/whisper/{cross,decoder}.onnx and tokens.json; returns the manifest's finalPass.whisper entry."""
    from .pretrained import fetch_whisper_tiny_en

    if dec is None or rules is None or vocab is None:
        model_dir = fetch_whisper_tiny_en()
        dec, rules, vocab = load_decoder(), token_rules(model_dir), read_vocabulary(model_dir)
    dec = dec.eval()
    out = root / "whisper"
    out.mkdir(parents=True, exist_ok=True)
    d, n = dec.dims.d_model, dec.dims.n_layers
    paths = {"cross": out / "cross.onnx", "decoder": out / "decoder.onnx"}
    hidden = torch.randn(1, 57, d)
    ck = cache_names(n, "cross")
    _onnx_export(CrossGraph(dec).eval(), (hidden,), paths["cross"], ["hidden"], ck,
                 {"hidden": {1: "U"}, **{c: {1: "U"} for c in ck}})
    step = StepGraph(dec).eval()
    sk = cache_names(n, "self")
    past = [torch.randn(1, 3, d) * 0.5 for _ in sk]
    cross = [torch.randn(1, 57, d) * 0.5 for _ in ck]
    dyn: dict[str, dict[int, str]] = {"tokens": {1: "N"}, **{s: {1: "P"} for s in sk}, **{c: {1: "U"} for c in ck},
                                      **{s + "_out": {1: "P1"} for s in sk}}
    _onnx_export(step, (torch.tensor([[50257, 50362]]), *past, *cross), paths["decoder"], ["tokens", *sk, *ck],
                 ["logits", *[s + "_out" for s in sk]], dyn)
    check_ops(paths)
    diff = whisper_parity(dec, paths)
    log(f"  whisper fp32 parity max|onnx-torch|: " + ", ".join(f"{k}={v:.2e}" for k, v in diff.items()))
    if max(diff["cross"], diff["logits"] / max(diff["logits_scale"], 1e-9)) > PARITY_TOL * 10:
        raise RuntimeError(f"whisper decoder: ONNX/PyTorch mismatch {diff}")
    if quantize == "int8":
        quantize_int8({"decoder": paths["decoder"]}, min_size=4096)
        _gather_int8(paths["decoder"])
        quantize_int8({"cross": paths["cross"]})
        for p in paths.values():
            dequantize_at_load(p)
    elif quantize == "fp16":
        quantize_fp16(paths)
    if quantize in ("int8", "fp16"):
        q = whisper_parity(dec, paths)
        rel = q["logits"] / max(q["logits_scale"], 1e-9)
        log(f"  whisper {quantize}: logits {100 * rel:.1f} % of their range, cross {q['cross']:.2e}")
        if rel > QUANT_REL_TOL:
            raise RuntimeError(f"whisper decoder {quantize} deviates {100 * rel:.1f} %")
    tokens_path = out / "tokens.json"
    tokens_path.write_text(json.dumps({
        "vocab": vocab, "eot": rules.eot, "sot": rules.sot, "noTimestamps": rules.no_timestamps,
        "prompt": rules.prompt, "suppress": rules.suppress, "beginSuppress": rules.begin_suppress,
    }, ensure_ascii=False) + "\n", encoding="utf-8")
    all_paths = {**paths, "tokens": tokens_path}
    files = {k: file_entry(p, root) for k, p in all_paths.items()}
    return {**files, "layers": n, "dModel": d, "vocabSize": dec.dims.vocab, "maxTokens": rules.max_tokens,
            "baseTokens": rules.base_tokens, "tokensPerSecond": rules.tokens_per_second,
            "minAvgLogprob": rules.min_avg_logprob,
            "minAvgLogprobOneWord": rules.min_avg_logprob_one_word,
            "quantization": quantize,
            "bytes": {"raw": sum(f["bytes"] for f in files.values()),
                      "gzip": sum(gzip_bytes(p) for p in all_paths.values())},
            "license": "MIT (OpenAI Whisper tiny.en)"}


def _gather_int8(path: Path) -> None:
    """After quantize_int8 the tied table is int8 + a DequantizeLinear shared by the projection MatMul and the
    embedding Gather. onnxruntime fuses the MatMul side into its int8 kernel, but the Gather would dequantize all
    20 M values on every token; read the looked-up int8 columns instead and scale just those."""
    import onnx
    from onnx import TensorProto

    m = onnx.load(str(path))
    g = m.graph
    dq = next(nd for nd in g.node if nd.op_type == "DequantizeLinear" and nd.input[0].endswith("proj_q8"))
    table, scale = dq.input[0], dq.input[1]
    gathers = [nd for nd in g.node if nd.op_type == "Gather" and nd.input[0] == dq.output[0]]
    if len(gathers) != 1:
        raise RuntimeError(f"expected one embedding Gather on {dq.output[0]}, found {len(gathers)}")
    gather = gathers[0]
    idx, out = gather.input[1], gather.output[0]
    new = [
        onnx.helper.make_node("Gather", [table, idx], [out + "_q8"], axis=1),
        onnx.helper.make_node("Cast", [out + "_q8"], [out + "_f"], to=TensorProto.FLOAT),
        onnx.helper.make_node("Gather", [scale, idx], [out + "_s"], axis=0),
        onnx.helper.make_node("Mul", [out + "_f", out + "_s"], [out]),
    ]
    nodes = []
    for nd in g.node:
        if nd is gather:
            nodes.extend(new)
        else:
            nodes.append(nd)
    del g.node[:]
    g.node.extend(nodes)
    onnx.checker.check_model(m)
    onnx.save(m, str(path))


@torch.no_grad()
def whisper_parity(dec: WhisperDecoder, paths: dict[str, Path], steps: int = 4) -> dict[str, float]:
    """Cross K/V and a few greedy-fed decoder steps (prompt, then single tokens, caches carried): max |onnx - torch|."""
    from .evaluate import ort_session

    g = torch.Generator().manual_seed(2)
    hidden = torch.randn(1, 80, dec.dims.d_model, generator=g)
    cross_t = dec.cross(hidden)
    cs, ds = ort_session(paths["cross"]), ort_session(paths["decoder"])
    cross_o = cs.run(None, {"hidden": hidden.numpy()})
    out = {"cross": max(float(np.abs(a - b.numpy()).max()) for a, b in zip(cross_o, cross_t)),
           "logits": 0.0, "logits_scale": 0.0}
    n = dec.dims.n_layers
    past_t = dec.empty_past()
    past_o = [p.numpy() for p in past_t]
    tokens = torch.tensor([[50257, 50362]])
    for _ in range(steps):
        lt, past_t = dec.step(tokens, past_t, cross_t)
        feed = {"tokens": tokens.numpy(), **dict(zip(cache_names(n, "self"), past_o)),
                **dict(zip(cache_names(n, "cross"), [c.numpy() for c in cross_t]))}
        res = ds.run(None, feed)
        out["logits"] = max(out["logits"], float(np.abs(res[0] - lt.numpy()).max()))
        out["logits_scale"] = max(out["logits_scale"], float(lt.max() - lt.min()))
        past_o = res[1:]
        tokens = lt.argmax(-1, keepdim=True)
    return out


def final_pass_entry(whisper: Optional[dict[str, Any]], n_positions: int = 1500) -> dict[str, Any]:
    """maxFrames: the most feature frames whose encoder frames the position table covers without wrapping."""
    entry: dict[str, Any] = {"maxFrames": min(MAX_FRAMES, 2 * n_positions), "silencePadFrames": SILENCE_PAD_FRAMES}
    if whisper:
        entry["whisper"] = whisper
    return entry


def main(argv: Optional[list[str]] = None) -> dict[str, Any]:
    """Adds the second-pass files to an exported release: Whisper's unchanged encoder shared by every level
    (--full-encoder whisper), or the dense level's own full-context mode (sparse levels get theirs from export_v2)."""
    from .stream_train import load_model

    p = argparse.ArgumentParser(prog="python -m omnisparse.export_final", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ckpt", required=True)
    p.add_argument("--models", required=True, help="release folder with manifest.json")
    p.add_argument("--quantize", choices=["none", "int8", "fp16"], default="int8")
    p.add_argument("--no-whisper", action="store_true", help="transducer second pass only")
    p.add_argument("--full-encoder", choices=["level", "whisper"], default="level",
                   help="encoder_full's weights: the level's own (dual mode) or Whisper tiny.en's unchanged encoder "
                        "(when fine-tuning moved the full-context mode away from what Whisper's decoder reads)")
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    root = Path(args.models)
    manifest = json.loads((root / "manifest.json").read_text())
    model = load_model(args.ckpt).eval()
    if args.full_encoder == "whisper":
        from .whisper_model import from_pretrained

        model.encoder.load_state_dict(from_pretrained(model.cfg).encoder.state_dict())
    say = lambda m: print(m, file=sys.stderr)  # noqa: E731
    if args.full_encoder == "whisper":
        # Whisper's encoder is the same for every level (the head it feeds is never pruned): one file, one download
        # and, in the runtime, one session, whichever level the slider picks
        (root / "whisper").mkdir(parents=True, exist_ok=True)
        path = export_encoder_full(model, root / "whisper", args.quantize, log=say)
        for lv in manifest["levels"]:
            lv["files"]["encoderFull"] = file_entry(path, root)
            lv["bytes"]["finalPassGzip"] = gzip_bytes(path)
    for lv in manifest["levels"] if args.full_encoder == "level" else []:
        if lv["sparsity"] > 0:
            say(f"{lv['id']}: sparse levels get encoder_full from export_v2 (they need the supernet's slice); skipped")
            continue
        path = export_encoder_full(model, root / "levels" / lv["id"], args.quantize, log=say)
        lv["files"]["encoderFull"] = file_entry(path, root)
        lv["bytes"]["finalPassGzip"] = gzip_bytes(path)
    whisper = None if args.no_whisper else export_whisper(root, args.quantize, log=say)
    manifest["finalPass"] = final_pass_entry(whisper, model.cfg.encoder.n_positions)
    (root / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    say(f"wrote {root / 'manifest.json'} with finalPass")
    return manifest


if __name__ == "__main__":
    main()
