"""The reference row: Whisper tiny.en itself (non-streaming, 30 s windows, greedy, faster-whisper on the pinned
CTranslate2 weights) on the same sets and with the same text normalisation and error counting as our levels.

    python -m omnisparse.reference --data real=/work/data/real2/test.jsonl fsdd=... --out runs/whisper_ref.json
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, Optional

from .evaluate import named_values
from .metrics import ErrorCounter
from .pretrained import fetch_whisper_tiny_en
from .text import normalize


def transcribe_set(model: Any, manifest: str, limit: int) -> dict[str, Any]:
    from .data import load_audio, read_manifest

    utts = read_manifest(manifest)[:limit] if limit else read_manifest(manifest)
    counter, rows, t0, audio_s = ErrorCounter(), [], time.time(), 0.0
    for u in utts:
        wave = load_audio(u.audio).numpy()
        audio_s += len(wave) / 16000
        segments, _ = model.transcribe(wave, language="en", beam_size=1, best_of=1, temperature=0.0,
                                       without_timestamps=True, condition_on_previous_text=False, vad_filter=False)
        hyp = normalize(" ".join(s.text for s in segments))
        counter.add(u.text, hyp)
        rows.append({"id": u.id, "ref": u.text, "hyp": hyp})
    return {**counter.as_dict(), "audioSeconds": audio_s, "rtf": (time.time() - t0) / max(audio_s, 1e-9),
            "utterances": rows}


def main(argv: Optional[list[str]] = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(prog="python -m omnisparse.reference", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", nargs="+", required=True, help="NAME=manifest.jsonl")
    p.add_argument("--limit", type=int, default=0, help="first N utterances of each set (0: all)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    from faster_whisper import WhisperModel

    model = WhisperModel(str(fetch_whisper_tiny_en()), device="cpu", compute_type="float32", cpu_threads=args.threads)
    report: dict[str, Any] = {"model": "Whisper tiny.en (faster-whisper, greedy, non-streaming)", "sets": {}}
    for name, path in named_values(args.data, "--data"):
        r = transcribe_set(model, path, args.limit)
        report["sets"][name] = {"data": path, **r}
        print(f"{name}: WER {100 * r['wer']:.2f} % CER {100 * r['cer']:.2f} % ({r['utts']} utts, "
              f"RTF {r['rtf']:.3f})", file=sys.stderr)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
