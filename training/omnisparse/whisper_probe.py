"""Can Whisper tiny.en's decoder read a checkpoint's encoder? A diagnostic for "Whisper-decoded partials".

The transducer's partials are far behind Whisper's finals. One way to close the gap would be to decode partials with
Whisper's decoder from the *streaming* encoder's output (no second encoder pass). That needs the fine-tuned
streaming encoder to still speak Whisper's language. This measures it on named sets, decoding greedily with the
shipped Whisper files (`omnisparse.final_eval.WhisperOnnx`, the app's rules), from three encoder outputs of the
checkpoint's dense subnet:

    stream_pad    streaming mode over the utterance + the app's silence pad (what an endpoint could decode)
    stream_const  streaming mode over the utterance alone + a fixed block of the encoder's steady-state silence
                  output (what a partial mid-utterance could decode: no future audio exists yet)
    full_own      the checkpoint's full-context mode over utterance + pad (its second-pass readability)

Whisper without a visible end loops ("ten of clubs ten of clubs ..."); each row is also scored with the text cut
before the first repeated word trigram (`cut_repeats`), a guard an app would need anyway.

    python -m omnisparse.whisper_probe --ckpt ../models/checkpoints/v2.3-supernet-fp16.pt \
        --data realtest=/work/data/real2/test.jsonl --out runs/whisper_probe.json
"""
from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any, Optional

import numpy as np
import torch

from .evaluate import named_values

MODES = ("stream_pad", "stream_const", "full_own")
REPO_MODELS = Path(__file__).resolve().parents[2] / "models"


def cut_repeats(text: str, n: int = 3) -> str:
    """The text up to (not including) the first word n-gram that already occurred."""
    words = text.split()
    seen: set[tuple[str, ...]] = set()
    for i in range(len(words) - n + 1):
        gram = tuple(words[i:i + n])
        if gram in seen:
            return " ".join(words[:i])
        seen.add(gram)
    return text


def encoder_views(model, feats: torch.Tensor, pad_frames: int, pad_value: float, max_frames: int,
                  silence: torch.Tensor) -> dict[str, torch.Tensor]:
    """The three encoder outputs [1, U, d] of MODES for one utterance's features [T, F]."""
    enc, s = model.encoder, model.cfg.stream
    t = feats.shape[0]
    padded = torch.cat([feats[None], torch.full((1, pad_frames, feats.shape[1]), pad_value)], 1)[:, :max_frames]
    u_pad = (padded.shape[1] - 1) // 2 + 1
    own = enc.forward_chunked(feats[None], s, pad_value)[0][:, :(t - 1) // 2 + 1]
    return {"stream_pad": enc.forward_chunked(padded, s, pad_value)[0][:, :u_pad],
            "stream_const": torch.cat([own, silence], 1)[:, :max_frames // 2],
            "full_own": enc.forward_full(padded)[0]}


@torch.no_grad()
def probe(ckpt: str, data: dict[str, str], models: Path, limit: Optional[int] = None) -> dict[str, Any]:
    from .compare import v2_items
    from .features import load_frontend
    from .final_eval import WhisperOnnx
    from .metrics import ErrorCounter
    from .stream_train import FRONTEND_V2, load_supernet
    from .text import normalize

    model, sup = load_supernet(ckpt)
    model.eval()
    sup.set_config(sup.config_for_budget(0.0))
    manifest = json.loads((models / "manifest.json").read_text(encoding="utf-8"))
    fp = manifest["finalPass"]
    whisper = WhisperOnnx(models, fp["whisper"], threads=1)
    pad_value, pad_frames, max_frames = load_frontend(FRONTEND_V2).pad_value, fp["silencePadFrames"], fp["maxFrames"]
    # after the left context (2.56 s) has filled with silence the streaming output no longer depends on the speech
    silence_in = torch.full((1, 2 * pad_frames, manifest["featureDim"]), pad_value)
    steady = model.encoder.forward_chunked(silence_in, model.cfg.stream, pad_value)[0]
    silence = steady[:, steady.shape[1] - pad_frames // 2:]
    report: dict[str, Any] = {"ckpt": ckpt, "sets": {}}
    for name, path in data.items():
        counters = {f"{m}{cut}": ErrorCounter() for m in MODES for cut in ("", "+cut")}
        rows = []
        for feats, ref in v2_items(path, limit):
            row: dict[str, Any] = {"ref": ref}
            for mode, hidden in encoder_views(model, feats, pad_frames, pad_value, max_frames, silence).items():
                text, logprob = whisper.decode(hidden.numpy().astype(np.float32), feats.shape[0] / 100)
                text = normalize(text)
                counters[mode].add(ref, text)
                counters[mode + "+cut"].add(ref, cut_repeats(text))
                row[mode] = {"text": text, "logprob": round(logprob, 3)}
            rows.append(row)
        report["sets"][name] = {"scores": {k: c.as_dict() for k, c in counters.items()}, "utterances": rows}
        print(name, " ".join(f"{k} {100 * c.as_dict()['wer']:.1f}/{100 * c.as_dict()['cer']:.1f}"
                             for k, c in counters.items()), flush=True)
    return report


def main(argv: Optional[list[str]] = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(prog="python -m omnisparse.whisper_probe", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ckpt", required=True)
    p.add_argument("--data", nargs="+", required=True, help="NAME=manifest.jsonl")
    p.add_argument("--models", default=str(REPO_MODELS), help="folder with manifest.json and whisper/")
    p.add_argument("--limit", type=int, default=None)
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    torch.set_num_threads(os.cpu_count() or 1)
    try:
        data = dict(named_values(args.data, "--data"))
    except ValueError as err:
        p.error(str(err))
    report = probe(args.ckpt, data, Path(args.models), args.limit)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
