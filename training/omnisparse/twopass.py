"""Second pass at the endpoint, measured in PyTorch: the same weights read the whole utterance in full-context mode
(WhisperEncoder.forward_full) and the same transducer head decodes it, against the streaming (chunked) first pass.

    python -m omnisparse.twopass --ckpt runs/supernet/last.pt --data real=/work/data/real2/test.jsonl \
        --levels 0,0.5,0.9 --out runs/twopass.json
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Optional

import torch

from .data import load_audio, read_manifest
from .evaluate import named_values
from .features import LogMel, load_frontend
from .metrics import ErrorCounter
from .omni import OmniSupernet
from .stream_train import FRONTEND_V2, load_model
from .text import decode
from .whisper_model import StreamingTransducer, greedy_decode


@torch.no_grad()
def transcribe(model: StreamingTransducer, feats: torch.Tensor, mode: str, pad: float) -> str:
    u = (feats.shape[0] - 1) // 2 + 1
    if mode == "full":
        out = model.encoder.forward_full(feats[None])[0]
    else:
        out = model.encoder.forward_chunked(feats[None], model.cfg.stream, pad)[0]
    toks, _ = greedy_decode(model, model.readout(out[:, :u])[0])
    return decode(toks)


def main(argv: Optional[list[str]] = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(prog="python -m omnisparse.twopass", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ckpt", required=True)
    p.add_argument("--data", nargs="+", required=True, help="NAME=manifest.jsonl")
    p.add_argument("--levels", default="0,0.5,0.9", help="sparsity budgets (uniform configs)")
    p.add_argument("--limit", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    model = load_model(args.ckpt).eval()
    sup = OmniSupernet(model)
    spec = load_frontend(FRONTEND_V2)
    mel = LogMel(spec)
    report: dict[str, Any] = {"ckpt": args.ckpt, "sets": {}}
    for name, path in named_values(args.data, "--data"):
        utts = read_manifest(path)[: args.limit or None]
        feats = [mel(load_audio(u.audio)).float() for u in utts]
        rows = []
        for s in (float(x) for x in args.levels.split(",")):
            sup.set_config(sup.config_for_budget(s) if s > 0 else None)
            res = {}
            for mode in ("streaming", "full"):
                c = ErrorCounter()
                for u, f in zip(utts, feats):
                    c.add(u.text, transcribe(model, f, mode, spec.pad_value))
                res[mode] = c.as_dict()
            rows.append({"sparsity": s, **res})
            print(f"{name} s={s:.2f}: streaming WER {100 * res['streaming']['wer']:.1f} CER "
                  f"{100 * res['streaming']['cer']:.1f} | full-context WER {100 * res['full']['wer']:.1f} CER "
                  f"{100 * res['full']['cer']:.1f}", file=sys.stderr, flush=True)
        sup.set_config(None)
        report["sets"][name] = rows
    Path(args.out).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
