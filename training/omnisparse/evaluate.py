"""Streaming WER/CER of supernet configs (torch) or of the exported ONNX levels (onnxruntime), decoded exactly the
way the browser decodes (docs/contracts.md §3-5): 20-frame chunks hopping by 16, end padded with `padValue`,
encoder frames past the audio dropped, greedy search with at most `maxSymbolsPerFrame` symbols per frame.

CLI:
    python -m omnisparse.evaluate --manifest models/manifest.json --data test.jsonl [--levels s00,s50] \
        [--backend onnx] [--limit N] --out results.json
    python -m omnisparse.evaluate --backend torch --ckpt W.pt --levels 0,0.5,0.9 --data dev.jsonl --out r.json
    python -m omnisparse.evaluate --manifest models/manifest.json --card synth=a.json fsdd=b.json --out table.md

`evaluate_model(model, utts, frontend)` is the library entry point reused by search and training.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Protocol, Sequence

import numpy as np
import torch

from .checkpoint import load_checkpoint
from .corpus_io import AudioError, load_audio, read_manifest
from .features import FrontendSpec, LogMel, load_frontend
from .metrics import ErrorCounter
from .model import ModelConfig, StreamingEncoder, Transducer
from .onnx_files import export_onnx, level_id
from .sparsity import export_model
from .text import decode


@dataclass(frozen=True)
class StreamGeometry:
    """The numbers the browser's chunker and decoder use (all from the manifest or the model config)."""
    segment_frames: int = 16
    chunk_frames: int = 20
    subsampling: int = 4
    context_size: int = 2
    max_symbols: int = 5
    pad_value: float = -13.815510557964274

    @staticmethod
    def from_config(cfg: ModelConfig, pad_value: float, max_symbols: int = 5) -> "StreamGeometry":
        return StreamGeometry(cfg.segment_frames, cfg.chunk_input_frames, cfg.subsampling, cfg.pred_context,
                              max_symbols, pad_value)

    @staticmethod
    def from_manifest(m: dict[str, Any]) -> "StreamGeometry":
        return StreamGeometry(m["segmentFrames"], m["chunkInputFrames"], m["subsampling"], m["contextSize"],
                              m["maxSymbolsPerFrame"], float(m["padValue"]))


@dataclass
class EvalItem:
    id: str
    feats: np.ndarray  # [T, 80] float32
    text: str
    seconds: float


class Backend(Protocol):
    def initial_state(self) -> list[np.ndarray]: ...

    def encode_chunk(self, chunk: np.ndarray, state: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]: ...

    def predict(self, context: Sequence[int]) -> np.ndarray: ...

    def join(self, enc: np.ndarray, pred: np.ndarray) -> np.ndarray: ...


class TorchBackend:
    """A (possibly masked) supernet or an exported Transducer, run through the same StreamingEncoder as ONNX."""

    def __init__(self, model: Transducer):
        self.model = model.eval()
        self.step = StreamingEncoder(model.encoder)

    def initial_state(self) -> list[np.ndarray]:
        return [t.numpy() for t in self.step.initial_state()]

    @torch.no_grad()
    def encode_chunk(self, chunk, state):
        out, *new = self.step(torch.from_numpy(chunk), *(torch.from_numpy(s) for s in state))
        return out[0].numpy(), [s.numpy() for s in new]

    @torch.no_grad()
    def predict(self, context):
        return self.model.predictor(torch.tensor([list(context)], dtype=torch.int64))[0].numpy()

    @torch.no_grad()
    def join(self, enc, pred):
        return self.model.joiner(torch.from_numpy(enc)[None], torch.from_numpy(pred)[None])[0].numpy()


def ort_session(path: str | Path, threads: int = 1):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    return ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])


class OnnxBackend:
    """The shipped artifact: encoder/predictor/joiner ONNX files of one manifest level."""

    def __init__(self, files: dict[str, str | Path], state_spec: list[dict], threads: int = 1):
        self.enc = ort_session(files["encoder"], threads)
        self.pred = ort_session(files["predictor"], threads)
        self.joiner = ort_session(files["joiner"], threads)
        self.state_spec = state_spec
        self.encoder_seconds = 0.0  # wall time inside the encoder session, for per-chunk latency
        self.chunks = 0

    def initial_state(self):
        return [np.zeros(s["shape"], dtype=np.float32 if s["dtype"] == "float32" else np.int64)
                for s in self.state_spec]

    def encode_chunk(self, chunk, state):
        feeds = {"features": chunk.astype(np.float32, copy=False)}
        feeds.update({s["name"]: v for s, v in zip(self.state_spec, state)})
        t0 = time.perf_counter()
        outs = self.enc.run(None, feeds)
        self.encoder_seconds += time.perf_counter() - t0
        self.chunks += 1
        return outs[0][0], list(outs[1:])

    def predict(self, context):
        return self.pred.run(None, {"context": np.asarray([list(context)], dtype=np.int64)})[0][0]

    def join(self, enc, pred):
        return self.joiner.run(None, {"encoder_out": enc[None].astype(np.float32, copy=False),
                                      "predictor_out": pred[None].astype(np.float32, copy=False)})[0][0]


# ---- the browser's streaming procedure ----------------------------------------------------------------------------
def chunk_windows(n_frames: int, geo: StreamGeometry) -> tuple[int, int, int]:
    """-> (number of chunks, padded frame count, encoder frames that hold real audio)."""
    n_chunks = max(1, -(-n_frames // geo.segment_frames))
    padded = (n_chunks - 1) * geo.segment_frames + geo.chunk_frames
    return n_chunks, padded, -(-n_frames // geo.subsampling)


def stream_chunks(feats: np.ndarray, geo: StreamGeometry):
    """Yield `features [1, chunk_frames, 80]` windows exactly as the browser cuts them."""
    n_chunks, padded, _ = chunk_windows(feats.shape[0], geo)
    full = np.full((padded, feats.shape[1]), geo.pad_value, dtype=np.float32)
    full[:feats.shape[0]] = feats
    for c in range(n_chunks):
        start = c * geo.segment_frames
        yield full[None, start:start + geo.chunk_frames]


class GreedyDecoder:
    """Greedy transducer search fed one encoder frame at a time (the decoder state survives across chunks)."""

    def __init__(self, backend: Backend, geo: StreamGeometry):
        self.backend, self.geo = backend, geo
        self.context = [0] * geo.context_size
        self.pred = backend.predict(self.context)
        self.tokens: list[int] = []

    def push(self, enc_frame: np.ndarray) -> None:
        for _ in range(self.geo.max_symbols):
            k = int(np.argmax(self.backend.join(enc_frame, self.pred)))
            if k == 0:
                return
            self.tokens.append(k)
            self.context = self.context[1:] + [k]
            self.pred = self.backend.predict(self.context)


def transcribe(backend: Backend, feats: np.ndarray, geo: StreamGeometry) -> list[int]:
    _, _, n_valid = chunk_windows(feats.shape[0], geo)
    state = backend.initial_state()
    dec = GreedyDecoder(backend, geo)
    emitted = 0
    for chunk in stream_chunks(feats, geo):
        out, state = backend.encode_chunk(chunk, state)
        for frame in out:
            if emitted >= n_valid:
                break
            dec.push(frame)
            emitted += 1
    return dec.tokens


# ---- data --------------------------------------------------------------------------------------------------------
def _load_audio(path: str, sample_rate: int) -> Optional[torch.Tensor]:
    try:
        return load_audio(path, sample_rate)
    except AudioError as err:
        print(f"evaluate: skipping {err}", file=sys.stderr)
        return None


def featurize(utts: Sequence[Any], frontend: FrontendSpec | LogMel | None = None,
              limit: Optional[int] = None) -> list[EvalItem]:
    """Utterances (objects with .id, .audio path or waveform tensor, .text) -> features, computed once."""
    mel = frontend if isinstance(frontend, LogMel) else LogMel(frontend if frontend is not None else load_frontend())
    sr = mel.spec.sample_rate
    items = []
    for u in list(utts)[:limit]:
        audio = u.audio if isinstance(u.audio, torch.Tensor) else _load_audio(u.audio, sr)
        if audio is None:
            continue
        with torch.no_grad():
            feats = mel(audio.to(torch.float32)).to(torch.float32).numpy()
        items.append(EvalItem(str(u.id), feats, u.text, audio.numel() / sr))
    return items


def evaluate_items(backend: Backend, items: Sequence[EvalItem], geo: StreamGeometry,
                   hyps: Optional[list[str]] = None) -> ErrorCounter:
    counter = ErrorCounter()
    for it in items:
        hyp = decode(transcribe(backend, it.feats, geo))
        counter.add(it.text, hyp)
        if hyps is not None:
            hyps.append(hyp)
    return counter


def evaluate_model(model: Transducer, utts: Sequence[Any], frontend: FrontendSpec | LogMel | None = None,
                   max_symbols: int = 5, limit: Optional[int] = None,
                   hyps: Optional[list[str]] = None) -> ErrorCounter:
    """Streaming WER/CER of `model` as it stands (masks installed by Supernet.set_config are honoured).
    `utts` may be Utterances or already featurized EvalItems (search reuses them across configs)."""
    items = [u for u in utts if isinstance(u, EvalItem)][:limit]
    if len(items) != len(list(utts)[:limit]):
        items = featurize(utts, frontend, limit)
    spec = frontend.spec if isinstance(frontend, LogMel) else (frontend or load_frontend())
    was_training = model.training
    try:
        return evaluate_items(TorchBackend(model), items, StreamGeometry.from_config(model.cfg, spec.pad_value,
                                                                                     max_symbols), hyps)
    finally:
        model.train(was_training)


# ---- timing -------------------------------------------------------------------------------------------------------
def encoder_latency_ms(encoder_path: str | Path, state_spec: list[dict], chunk_frames: int, feat_dim: int = 80,
                       n: int = 30, warmup: int = 5, seed: int = 0) -> float:
    """Mean wall ms of one encoder step in onnxruntime with 1 thread (state carried, random features)."""
    sess = ort_session(encoder_path, 1)
    rng = np.random.default_rng(seed)
    state = [np.zeros(s["shape"], dtype=np.float32) for s in state_spec]
    names = [s["name"] for s in state_spec]
    times = []
    for i in range(warmup + n):
        feeds = {"features": rng.standard_normal((1, chunk_frames, feat_dim)).astype(np.float32) - 5}
        feeds.update(dict(zip(names, state)))
        t0 = time.perf_counter()
        outs = sess.run(None, feeds)
        if i >= warmup:
            times.append(time.perf_counter() - t0)
        state = outs[1:]
    return 1000.0 * float(np.mean(times))


# ---- CLI ----------------------------------------------------------------------------------------------------------
def _level_result(label: str, sparsity: float, counter: ErrorCounter, hyps: list[str], items: list[EvalItem],
                  chunk_ms: Optional[float], wall: float) -> dict[str, Any]:
    audio = sum(it.seconds for it in items)
    return {"id": label, "sparsity": sparsity, **counter.as_dict(), "encoderChunkMs": chunk_ms,
            "rtf": wall / max(audio, 1e-9), "audioSeconds": audio,
            "utterances": [{"id": it.id, "ref": it.text, "hyp": h} for it, h in zip(items, hyps)]}


def eval_onnx_levels(manifest_path: Path, items: list[EvalItem], level_ids: Optional[list[str]],
                     threads: int = 1) -> list[dict[str, Any]]:
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    geo = StreamGeometry.from_manifest(manifest)
    levels = [lv for lv in manifest["levels"] if level_ids is None or lv["id"] in level_ids]
    missing = set(level_ids or []) - {lv["id"] for lv in levels}
    if missing:
        raise SystemExit(f"levels not in {manifest_path}: {sorted(missing)}")
    results = []
    for lv in levels:
        files = {k: manifest_path.parent / f["path"] for k, f in lv["files"].items()}
        be = OnnxBackend(files, lv["state"], threads)
        hyps: list[str] = []
        t0 = time.perf_counter()
        counter = evaluate_items(be, items, geo, hyps)
        wall = time.perf_counter() - t0
        results.append(_level_result(lv["id"], lv["sparsity"], counter, hyps, items,
                                     1000.0 * be.encoder_seconds / max(1, be.chunks), wall))
        _progress(results[-1])
    return results


def eval_torch_levels(ckpt: str, items: list[EvalItem], sparsities: list[float], pad_value: float,
                      max_symbols: int = 5, latency: bool = True) -> list[dict[str, Any]]:
    import tempfile

    model, net, _ = load_checkpoint(ckpt)
    geo = StreamGeometry.from_config(model.cfg, pad_value, max_symbols)
    results = []
    for s in sparsities:
        config = net.uniform(s)
        net.set_config(config)
        hyps: list[str] = []
        t0 = time.perf_counter()
        counter = evaluate_items(TorchBackend(model), items, geo, hyps)
        wall = time.perf_counter() - t0
        net.set_config(None)
        chunk_ms = None
        if latency:  # what this subnet would cost in onnxruntime, measured on a throw-away export
            sub = export_model(net, config)
            with tempfile.TemporaryDirectory() as tmp:
                paths = export_onnx(sub, Path(tmp))
                chunk_ms = encoder_latency_ms(paths["encoder"], StreamingEncoder(sub.encoder).state_spec(),
                                              model.cfg.chunk_input_frames, model.cfg.feat_dim)
        results.append(_level_result(level_id(s), round(net.effective_sparsity(config), 4), counter, hyps, items,
                                     chunk_ms, wall))
        _progress(results[-1])
    return results


def _progress(r: dict[str, Any]) -> None:
    print(f"evaluate: {r['id']} WER {r['wer']:.4f} CER {r['cer']:.4f} ({r['utts']} utts)", file=sys.stderr, flush=True)


def markdown_table(results: list[dict[str, Any]], backend: str) -> str:
    rows = [f"| level | sparsity | WER % | CER % | enc ms/chunk (ORT, 1 thread) | RTF ({backend}) | utts |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        ms = "n/a" if r["encoderChunkMs"] is None else f"{r['encoderChunkMs']:.2f}"
        rows.append(f"| {r['id']} | {r['sparsity']:.3f} | {100 * r['wer']:.2f} | {100 * r['cer']:.2f} | {ms} | "
                    f"{r['rtf']:.4f} | {r['utts']} |")
    return "\n".join(rows) + "\n"


def named_values(specs: Sequence[str], flag: str) -> list[tuple[str, str]]:
    """Command-line NAME=VALUE pairs (split at the first '='); ValueError names the flag and the bad item."""
    pairs = []
    for spec in specs:
        name, sep, value = spec.partition("=")
        if not sep:
            raise ValueError(f"{flag} expects NAME=VALUE, got {spec!r}")
        pairs.append((name, value))
    return pairs


def card_table(manifest: dict[str, Any], reports: dict[str, dict[str, Any]]) -> str:
    """The model card's per-level table: size columns from the manifest, one WER / CER column per evaluation report
    (`name -> evaluate --out` JSON), encoder ms/chunk from the first report that timed the level."""
    names = list(reports)
    by_level = {n: {r["id"]: r for r in rep["levels"]} for n, rep in reports.items()}
    head = ["level", "sparsity", "nonzero params", "MB (gzip)"] + [f"{n} WER / CER" for n in names] + ["enc ms / chunk"]
    rows = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for lv in manifest["levels"]:
        cells = [lv["id"], f"{lv['sparsity']:.2f}", f"{lv['nonzeroParams']:,}", f"{lv['bytes']['gzip'] / 1e6:.2f}"]
        ms = None
        for n in names:
            r = by_level[n].get(lv["id"])
            cells.append("–" if r is None else f"{100 * r['wer']:.1f} / {100 * r['cer']:.1f}")
            if ms is None and r is not None:
                ms = r.get("encoderChunkMs")
        cells.append("–" if ms is None else f"{ms:.2f}")
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"


def main(argv: Optional[list[str]] = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(prog="python -m omnisparse.evaluate", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", help="JSONL manifest of utterances (required unless --card)")
    p.add_argument("--card", nargs="+", metavar="NAME=REPORT.json",
                   help="instead of evaluating: write the model card's per-level table from earlier reports")
    p.add_argument("--backend", choices=("onnx", "torch"), default="onnx")
    p.add_argument("--manifest", help="models/manifest.json (onnx backend)")
    p.add_argument("--ckpt", help="checkpoint (torch backend)")
    p.add_argument("--levels", help="onnx: level ids (s00,s50); torch: sparsities (0,0.5,0.9)")
    p.add_argument("--limit", type=int, default=None)
    p.add_argument("--max-symbols", type=int, default=5, help="torch backend (onnx reads the manifest)")
    p.add_argument("--no-latency", action="store_true", help="torch backend: skip the onnxruntime timing")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    if args.card:
        if not args.manifest:
            p.error("--card needs --manifest")
        try:
            pairs = named_values(args.card, "--card")
        except ValueError as err:
            p.error(str(err))
        reports = {name: json.loads(Path(path).read_text(encoding="utf-8")) for name, path in pairs}
        table = card_table(json.loads(Path(args.manifest).read_text(encoding="utf-8")), reports)
        Path(args.out).write_text(table, encoding="utf-8")
        print(table, end="")
        return {"table": table}
    if not args.data:
        p.error("--data is required")
    torch.set_num_threads(args.threads)
    # the shipped levels are fed the front end their manifest names; torch checkpoints use models/frontend.json
    spec = (FrontendSpec.from_json(json.loads(Path(args.manifest).read_text(encoding="utf-8"))["frontend"])
            if args.manifest else load_frontend())
    items = featurize(read_manifest(args.data), spec, args.limit)
    if args.backend == "onnx":
        if not args.manifest:
            p.error("--backend onnx needs --manifest")
        ids = [x.strip() for x in args.levels.split(",")] if args.levels else None
        results = eval_onnx_levels(Path(args.manifest), items, ids, args.threads)
    else:
        if not args.ckpt:
            p.error("--backend torch needs --ckpt")
        sparsities = [float(x) for x in (args.levels or "0,0.5,0.9").split(",")]
        results = eval_torch_levels(args.ckpt, items, sparsities, spec.pad_value, args.max_symbols,
                                    not args.no_latency)
    report = {"backend": args.backend, "data": args.data, "source": args.manifest or args.ckpt,
              "levels": results}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    table = markdown_table(results, args.backend)
    out.with_suffix(".md").write_text(f"# Streaming evaluation ({args.backend}) on {args.data}\n\n{table}",
                                      encoding="utf-8")
    print(table, end="")
    return report


if __name__ == "__main__":
    main()
