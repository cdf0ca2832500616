"""Streaming golden vectors: the Python reference decode of one recorded utterance, chunk by chunk, for the
TypeScript integration test (src/asr/stream-golden.int.test.ts) that must reproduce it with the browser's code.

What is stored (one small JSON file):
  - `audio`: ~2.5 s of espeak-ng speech (fixed text and voice) plus a fixed-seed noise floor, 16 kHz float32 samples
    with 9 significant digits (round-trips float32 exactly);
  - `manifest` (name, formatVersion), `level`, `encoderSha256`: which export the vectors belong to; the pytest side
    fails and the vitest side skips when the shipped manifest no longer matches;
  - `features`: `evaluate.featurize` of exactly the stored samples with the manifest's front end (float32, 9 digits:
    the exact encoder input);
  - `chunks`: `encoder_out [4, J]` of every chunk, `evaluate.OnnxBackend` fed with `evaluate.stream_chunks` and the
    states carried from chunk to chunk (6 decimals), with the number of rows that hold real audio;
  - `tokens`, `text`: `evaluate.transcribe` (greedy, at most `maxSymbolsPerFrame` symbols per frame);
  - `minLogitMargin`: the smallest top-1 minus top-2 joiner logit over every greedy decision, i.e. how much numeric
    noise the token comparison tolerates.

CLI (from training/):
    python -m omnisparse.stream_golden --manifest ../models/manifest.json --level s00 \
        --out tests/golden/stream_golden.json
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import numpy as np
import torch

from .evaluate import GreedyDecoder, OnnxBackend, StreamGeometry, chunk_windows, featurize, stream_chunks, transcribe
from .features import REPO_ROOT, FrontendSpec, _espeak_utterance, _float32_values
from .pretrained import sha256_file
from .text import decode

TEXT = "please call stella ask her to bring"  # 2.24 s of espeak-ng en-us at 170 wpm: fits, trailing silence
SECONDS = 2.5
NOISE = 3e-3
SEED = 1234
FORMAT = 1  # layout of this file
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "tests" / "golden" / "stream_golden.json"


def command(level: str, manifest: str = "../models/manifest.json") -> str:
    """The command that (re)writes the committed golden, for error messages."""
    return (f"cd training && ../.venv/bin/python -m omnisparse.stream_golden --manifest {manifest} --level {level} "
            f"--out tests/golden/stream_golden.json")


def synth_audio(sample_rate: int = 16000) -> list[float]:
    """The fixture: espeak-ng speech (en-us, 170 wpm, peak 0.8), `SECONDS` long, + N(0, NOISE^2) floor (seed SEED),
    as float32 values. Needs espeak-ng (the stored golden does not)."""
    speech = _espeak_utterance(TEXT, sample_rate, SECONDS)
    if speech is None:
        raise SystemExit("stream_golden: espeak-ng is not installed (apt-get install espeak-ng)")
    g = torch.Generator().manual_seed(SEED)
    audio = speech + NOISE * torch.randn(speech.numel(), generator=g, dtype=torch.float64)
    return _float32_values(audio.clamp(-1, 1))


@dataclass
class _Utt:
    id: str
    audio: torch.Tensor
    text: str


@dataclass
class Reference:
    features: np.ndarray            # [T, featureDim] float32
    chunks: list[np.ndarray]        # encoder_out [framesPerChunk, J] per chunk
    valid: list[int]                # rows of each chunk that hold real audio
    tokens: list[int]
    min_margin: float


def level_of(manifest: dict[str, Any], level: Optional[str]) -> dict[str, Any]:
    want = level or manifest["defaultLevel"]
    for lv in manifest["levels"]:
        if lv["id"] == want:
            return lv
    raise SystemExit(f"stream_golden: level {want!r} not in manifest (levels: {[lv['id'] for lv in manifest['levels']]})")


class _MarginBackend:
    """OnnxBackend that records the smallest top-1 minus top-2 logit of every joiner call (greedy decisions)."""

    def __init__(self, inner: OnnxBackend):
        self.inner = inner
        self.min_margin = float("inf")

    def initial_state(self):
        return self.inner.initial_state()

    def encode_chunk(self, chunk, state):
        return self.inner.encode_chunk(chunk, state)

    def predict(self, context):
        return self.inner.predict(context)

    def join(self, enc, pred):
        logits = self.inner.join(enc, pred)
        top2 = np.sort(logits)[-2:]
        self.min_margin = min(self.min_margin, float(top2[1] - top2[0]))
        return logits


def python_features(spec: FrontendSpec, audio: list[float]) -> np.ndarray:
    """`evaluate.featurize` (float32 LogMel) of exactly these samples."""
    item, = featurize([_Utt("stream_golden", torch.tensor(audio, dtype=torch.float32), TEXT)], spec)
    return item.feats.astype(np.float32)


def reference(manifest_path: Path, level: dict[str, Any], audio: list[float],
              features: Optional[np.ndarray] = None) -> Reference:
    """The Python streaming reference on `audio` (float32 values): features, per-chunk encoder_out, greedy tokens.
    `features` replaces the computed features (to rerun on a golden's stored encoder input)."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    geo = StreamGeometry.from_manifest(manifest)
    feats = (python_features(FrontendSpec.from_json(manifest["frontend"]), audio) if features is None
             else np.asarray(features, dtype=np.float32))
    files = {k: manifest_path.parent / f["path"] for k, f in level["files"].items()}
    backend = _MarginBackend(OnnxBackend(files, level["state"], threads=1))

    # encoder_out of every chunk, states carried: exactly what evaluate.transcribe runs
    _, _, n_valid = chunk_windows(feats.shape[0], geo)
    state = backend.initial_state()
    chunks, valid = [], []
    for chunk in stream_chunks(feats, geo):
        out, state = backend.encode_chunk(chunk, state)
        chunks.append(np.asarray(out, dtype=np.float32))
        valid.append(int(max(0, min(out.shape[0], n_valid - sum(valid)))))
    tokens = [int(t) for t in transcribe(backend, feats, geo)]

    # the same greedy search over the stored rows gives the same tokens (guards the helper above)
    dec = GreedyDecoder(backend, geo)
    for rows, n in zip(chunks, valid):
        for frame in rows[:n]:
            dec.push(frame)
    assert dec.tokens == tokens, "greedy search over the recorded chunks differs from evaluate.transcribe"
    return Reference(feats, chunks, valid, tokens, backend.min_margin)


def stale_reason(golden: dict[str, Any], manifest: dict[str, Any],
                 manifest_arg: str = "../models/manifest.json") -> Optional[str]:
    """Why `golden` does not describe `manifest`'s default level (None when it does), with the command to fix it."""
    level = manifest["defaultLevel"]
    fix = f"regenerate it: {command(level, manifest_arg)}"
    if golden.get("format") != FORMAT:
        return f"stream golden has format {golden.get('format')!r}, this code writes {FORMAT}; {fix}"
    if golden["manifest"]["name"] != manifest["name"]:
        return f"stream golden is for manifest {golden['manifest']['name']!r}, the shipped one is {manifest['name']!r}; {fix}"
    if golden["level"] != level:
        return f"stream golden is for level {golden['level']}, the shipped default level is {level}; {fix}"
    want = level_of(manifest, level)["files"]["encoder"]["sha256"]
    if golden["encoderSha256"] != want:
        return (f"stream golden is for encoder sha256 {golden['encoderSha256'][:12]}..., the shipped {level} encoder "
                f"is {want[:12]}... (model changed); {fix}")
    return None


def make_golden(manifest_path: Path, level_id: Optional[str]) -> dict[str, Any]:
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    level = level_of(manifest, level_id)
    spec = FrontendSpec.from_json(manifest["frontend"])
    audio = synth_audio(spec.sample_rate)
    ref = reference(manifest_path, level, audio)
    encoder_sha = sha256_file(manifest_path.parent / level["files"]["encoder"]["path"])
    if encoder_sha != level["files"]["encoder"]["sha256"]:
        raise SystemExit(f"stream_golden: {level['files']['encoder']['path']} does not match its manifest sha256")
    return {
        "format": FORMAT,
        "createdBy": "python -m omnisparse.stream_golden",
        "command": command(level["id"]),
        "manifest": {"name": manifest["name"], "formatVersion": manifest["formatVersion"]},
        "level": level["id"],
        "encoderSha256": encoder_sha,
        "text": TEXT,
        "sampleRate": spec.sample_rate,
        "audio": audio,
        "featureTolerance": 1e-3,
        "features": [_float32_values(torch.from_numpy(row)) for row in ref.features],
        "chunkInputFrames": manifest["chunkInputFrames"],
        "segmentFrames": manifest["segmentFrames"],
        "subsampling": manifest["subsampling"],
        "chunks": [{"validFrames": n, "encoderOut": [[round(float(v), 6) for v in row] for row in rows]}
                   for rows, n in zip(ref.chunks, ref.valid)],
        "tokens": ref.tokens,
        "hypothesis": decode(ref.tokens),
        "minLogitMargin": round(ref.min_margin, 6),
    }


def main(argv: Optional[list[str]] = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(prog="python -m omnisparse.stream_golden", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--manifest", default=str(REPO_ROOT / "models" / "manifest.json"),
                   help="manifest.json of a formatVersion 2 export (default: the repo's models/manifest.json)")
    p.add_argument("--level", help="level id (default: the manifest's defaultLevel)")
    p.add_argument("--out", default=str(DEFAULT_OUT))
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    golden = make_golden(Path(args.manifest), args.level)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(golden, separators=(",", ":")) + "\n"
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out} ({len(text) / 1e6:.2f} MB): level {golden['level']}, {len(golden['features'])} frames, "
          f"{len(golden['chunks'])} chunks, {len(golden['tokens'])} tokens {golden['hypothesis']!r}, "
          f"min logit margin {golden['minLogitMargin']}", file=sys.stderr)
    return golden


if __name__ == "__main__":
    main()
