"""WER of the shipped second passes, with the exported ONNX files and the app's procedure (issue "Accurate finals"):
per level, the streaming first pass (partials as finals), the transducer head on the full-context encoder, and
Whisper tiny.en's decoder on it; plus the second pass's latency per utterance (onnxruntime, 1 thread).

    python -m omnisparse.final_eval --manifest ../models/manifest.json --data realtest=T.jsonl realdev=D.jsonl \
        --out runs/final_eval.json

Each utterance is one file, so its endpoint is the end of the file: the second pass reads all of it. The rule is
the app's (src/asr/final-pass.ts): the transducer decodes the full-context encoder's readout of the utterance alone;
for Whisper the features get `silencePadFrames` silence frames appended first, and its decoder decodes greedily from
<|startoftranscript|><|notimestamps|> with the wheel's suppression lists, at most maxTokens tokens. "final" is the
line the app shows (chooseFinal): Whisper's, unless it has no words or its mean token log-probability is under the
manifest's minAvgLogprob (minAvgLogprobOneWord for a one-word line), then the streaming text.

`--table REPORT.json [--previous OLD.json]` writes the model card's per-level table of the streaming partials from
a `--stream-only` report instead (sizes from the manifest; an older release's numbers in brackets).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, Optional

import numpy as np

from .evaluate import EvalItem, GreedyDecoder, OnnxBackend, StreamGeometry, featurize, named_values, ort_session, \
    transcribe
from .export_final import cache_names
from .metrics import ErrorCounter
from .text import app_words, decode, normalize
from .whisper_decoder import detokenize


class WhisperOnnx:
    def __init__(self, root: Path, entry: dict[str, Any], threads: int = 1) -> None:
        self.cross = ort_session(root / entry["cross"]["path"], threads)
        self.dec = ort_session(root / entry["decoder"]["path"], threads)
        t = json.loads((root / entry["tokens"]["path"]).read_text(encoding="utf-8"))
        self.vocab, self.eot, self.sot = t["vocab"], t["eot"], t["sot"]
        self.prompt, self.begin = t["prompt"], t["beginSuppress"]
        self.banned = np.zeros(entry["vocabSize"], dtype=bool)
        self.banned[self.sot:] = True
        self.banned[[i for i in t["suppress"] if i < entry["vocabSize"]]] = True
        self.layers, self.d, self.max_tokens = entry["layers"], entry["dModel"], entry["maxTokens"]
        self.base, self.per_second = entry.get("baseTokens", self.max_tokens), entry.get("tokensPerSecond", 0.0)
        self.min_logprob: Optional[float] = entry.get("minAvgLogprob")
        self.min_logprob_one_word: Optional[float] = entry.get("minAvgLogprobOneWord")

    def decode(self, hidden: np.ndarray, seconds: float) -> tuple[str, float]:
        """Greedy text and its mean log-probability per token, end token included (over the suppressed logits,
        as the app computes it: src/asr/final-pass.ts whisperGreedy)."""
        limit = min(self.max_tokens, int(self.base + self.per_second * seconds))
        logp = 0.0
        cross = self.cross.run(None, {"hidden": hidden})
        feeds_cross = dict(zip(cache_names(self.layers, "cross"), cross))
        past = [np.zeros((1, 0, self.d), np.float32) for _ in range(2 * self.layers)]
        tokens, out = np.asarray([self.prompt], np.int64), []
        while len(out) < limit:
            res = self.dec.run(None, {"tokens": tokens, **dict(zip(cache_names(self.layers, "self"), past)),
                                      **feeds_cross})
            logits = np.where(self.banned, -np.inf, res[0][0])
            if not out:
                logits[self.begin] = -np.inf
            k = int(np.argmax(logits))
            logp += pick_logprob(logits, k)
            if k == self.eot:
                break
            out.append(k)
            past, tokens = res[1:], np.asarray([[k]], np.int64)
        n = len(out) + (1 if len(out) < limit else 0)
        return detokenize(out, self.vocab, self.eot), logp / max(1, n)


def pick_logprob(logits: np.ndarray, k: int) -> float:
    """log softmax(logits)[k]; ids that may not win are -inf (src/asr/final-pass.ts pickLogprob)."""
    top = float(logits[k])
    return -float(np.log(np.exp(logits - top).sum()))


def choose_final(stream: str, whisper: str, logprob: float, min_logprob: Optional[float],
                 min_logprob_one_word: Optional[float] = None, raw: Optional[str] = None) -> tuple[str, str]:
    """The app's final line (src/asr/final-pass.ts chooseFinal): Whisper's (normalized) text when it has words and,
    with a bound in the manifest, its mean token log-probability reaches it - for a one-word line (counted on `raw`,
    Whisper's own text, as the app counts) the one-word bound where the manifest has one; else the streaming text.
    -> (text, pass)"""
    n = len(app_words(raw if raw is not None else whisper))
    bound = min_logprob_one_word if n == 1 and min_logprob_one_word is not None else min_logprob
    if whisper.strip() and (bound is None or logprob >= bound):
        return whisper, "whisper"
    return stream, "stream"


def full_context(enc_full, feats: np.ndarray, pad_frames: int, pad_value: float, max_frames: int
                 ) -> tuple[np.ndarray, np.ndarray]:
    """features [T, F] -> (hidden [1, U, d], readout frames covering the utterance [M, J])."""
    t = feats.shape[0]
    total = min(max_frames, t + pad_frames)
    x = np.full((1, total, feats.shape[1]), pad_value, np.float32)
    x[0, :min(t, total)] = feats[:total]
    hidden, enc_out = enc_full.run(None, {"features": x})
    valid = ((t - 1) // 2 + 1) // 2
    return hidden, enc_out[0, :valid]


def transducer_decode(backend: OnnxBackend, frames: np.ndarray, geo: StreamGeometry) -> str:
    dec = GreedyDecoder(backend, geo)
    for f in frames:
        dec.push(f)
    return decode(dec.tokens)


def evaluate_level(manifest: dict[str, Any], root: Path, level: dict[str, Any], sets: dict[str, list[EvalItem]],
                   whisper: Optional[WhisperOnnx], threads: int, second_pass: bool = True) -> dict[str, Any]:
    files = {k: root / f["path"] for k, f in level["files"].items()}
    be = OnnxBackend(files, level["state"], threads)
    geo = StreamGeometry.from_manifest(manifest)
    fp = manifest.get("finalPass", {})
    enc_full = ort_session(files["encoderFull"], threads) if "encoderFull" in files and second_pass else None
    pad_frames, max_frames = fp.get("silencePadFrames", 0), fp.get("maxFrames", 3000)
    fps = manifest["frontend"]["sampleRate"] / manifest["frontend"]["hopLength"]
    out: dict[str, Any] = {}
    for name, items in sets.items():
        counters = {"stream": ErrorCounter(), "transducer": ErrorCounter(), "whisper": ErrorCounter(),
                    "final": ErrorCounter()}
        ms: dict[str, list[float]] = {"transducer": [], "whisper": []}
        rows = []
        for it in items:
            row = {"id": it.id, "ref": it.text, "seconds": it.seconds, "stream": decode(transcribe(be, it.feats, geo))}
            counters["stream"].add(it.text, row["stream"])
            if enc_full is not None:
                # the transducer reads the utterance alone; only Whisper's decoder needs the silence after it
                t0 = time.perf_counter()
                _, frames = full_context(enc_full, it.feats, 0, pad_value=geo.pad_value, max_frames=max_frames)
                row["transducer"] = transducer_decode(be, frames, geo)
                ms["transducer"].append(1000 * (time.perf_counter() - t0))
                counters["transducer"].add(it.text, row["transducer"])
                if whisper is not None:
                    t1 = time.perf_counter()
                    hidden, _ = full_context(enc_full, it.feats, pad_frames, pad_value=geo.pad_value,
                                             max_frames=max_frames)
                    row["whisperRaw"], row["whisperLogprob"] = whisper.decode(hidden, it.feats.shape[0] / fps)
                    row["whisper"] = normalize(row["whisperRaw"])
                    ms["whisper"].append(1000 * (time.perf_counter() - t1))
                    counters["whisper"].add(it.text, row["whisper"])
                    # what the app shows: Whisper's line unless it is empty or unsure (manifest minAvgLogprob)
                    row["final"], row["finalPass"] = choose_final(row["stream"], row["whisper"],
                                                                  row["whisperLogprob"], whisper.min_logprob,
                                                                  whisper.min_logprob_one_word, row["whisperRaw"])
                    counters["final"].add(it.text, row["final"])
            rows.append(row)
        res = {k: {**c.as_dict(), **({"msMean": float(np.mean(ms[k])), "msMax": float(np.max(ms[k]))}
                                      if ms.get(k) else {})}
               for k, c in counters.items() if c.utts}
        out[name] = {**res, "utterances": rows}
        print(f"{level['id']} {name}: " + " | ".join(
            f"{k} WER {100 * r['wer']:.1f} CER {100 * r['cer']:.1f}" + (f" ({r['msMean']:.0f} ms)" if "msMean" in r
                                                                       else "") for k, r in res.items()),
              file=sys.stderr, flush=True)
    return out


def stream_table(manifest: dict[str, Any], report: dict[str, Any],
                 previous: Optional[dict[str, Any]] = None) -> str:
    """Streaming partials per level and set, WER / CER in %, with the sizes the manifest records; `previous` (an
    older release's report) adds its numbers in brackets where it has the same level id and set."""
    sets = list(dict.fromkeys(name for res in report["levels"].values() for name in res))
    head = (["level", "prunable removed", "params (whole model)", "heads / layer", "FFN / layer", "MB gzip",
             "pen."] + [f"{name} WER / CER" for name in sets])
    rows = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    old = (previous or {}).get("levels", {})

    def cell(res: Optional[dict[str, Any]]) -> Optional[str]:
        return None if res is None or "stream" not in res else (
            f"{100 * res['stream']['wer']:.1f} / {100 * res['stream']['cer']:.1f}")

    for lv in manifest["levels"]:
        res = report["levels"].get(lv["id"])
        if res is None:
            continue
        cells = [lv["id"], f"{100 * lv['sparsity']:.1f} %", f"{lv['nonzeroParams']:,}",
                 " ".join(map(str, lv.get("heads", []))) or "–", " ".join(map(str, lv.get("ffn", []))) or "–",
                 f"{lv['bytes']['gzip'] / 1e6:.2f}", f"{lv.get('blankPenalty', 0):g}"]
        for name in sets:
            now, before = cell(res.get(name)), cell(old.get(lv["id"], {}).get(name))
            cells.append((now or "–") + (f" ({before})" if before and now else ""))
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"


def main(argv: Optional[list[str]] = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(prog="python -m omnisparse.final_eval", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--manifest", required=True)
    p.add_argument("--data", nargs="+", help="NAME=manifest.jsonl (required unless --table)")
    p.add_argument("--table", metavar="REPORT.json", help="instead of evaluating: the card's streaming table from it")
    p.add_argument("--previous", metavar="OLD.json", help="with --table: an older release's report, in brackets")
    p.add_argument("--levels", help="level ids (default: all)")
    p.add_argument("--limit", type=int, default=0)
    p.add_argument("--no-whisper", action="store_true")
    p.add_argument("--stream-only", action="store_true",
                   help="streaming pass only (levels sharing one encoder_full have identical second passes)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    mpath = Path(args.manifest)
    manifest = json.loads(mpath.read_text())
    if args.table:
        previous = json.loads(Path(args.previous).read_text(encoding="utf-8")) if args.previous else None
        table = stream_table(manifest, json.loads(Path(args.table).read_text(encoding="utf-8")), previous)
        Path(args.out).write_text(table, encoding="utf-8")
        print(table, end="")
        return {"table": table}
    if not args.data:
        p.error("--data is required (unless --table)")
    from .data import read_manifest
    from .features import FrontendSpec

    root = mpath.parent
    spec = FrontendSpec.from_json(manifest["frontend"])
    sets = {name: featurize(read_manifest(path), spec, args.limit or None)
            for name, path in named_values(args.data, "--data")}
    wentry = manifest.get("finalPass", {}).get("whisper")
    whisper = WhisperOnnx(root, wentry, args.threads) if wentry and not args.no_whisper else None
    wanted = set(args.levels.split(",")) if args.levels else None
    report: dict[str, Any] = {"manifest": str(mpath), "name": manifest["name"], "levels": {}}
    for lv in manifest["levels"]:
        if wanted is None or lv["id"] in wanted:
            report["levels"][lv["id"]] = evaluate_level(manifest, root, lv, sets, whisper, args.threads,
                                                        second_pass=not args.stream_only)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
