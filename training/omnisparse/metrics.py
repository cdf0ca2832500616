"""Error rates. Word/char edit distance computed the standard way (substitutions + deletions + insertions)."""
from __future__ import annotations

from typing import Sequence


def edit_distance(ref: Sequence, hyp: Sequence) -> int:
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1]


class ErrorCounter:
    """Accumulates corpus-level WER and CER (errors / reference length, summed over utterances)."""

    def __init__(self) -> None:
        self.word_errors = self.words = self.char_errors = self.chars = self.utts = 0

    def add(self, ref: str, hyp: str) -> None:
        rw, hw = ref.split(), hyp.split()
        self.word_errors += edit_distance(rw, hw)
        self.words += len(rw)
        rc, hc = " ".join(rw), " ".join(hw)
        self.char_errors += edit_distance(rc, hc)
        self.chars += len(rc)
        self.utts += 1

    @property
    def wer(self) -> float:
        return self.word_errors / max(1, self.words)

    @property
    def cer(self) -> float:
        return self.char_errors / max(1, self.chars)

    def as_dict(self) -> dict:
        return {"wer": self.wer, "cer": self.cer, "words": self.words, "chars": self.chars, "utts": self.utts}


def wer(refs: Sequence[str], hyps: Sequence[str]) -> float:
    c = ErrorCounter()
    for r, h in zip(refs, hyps):
        c.add(r, h)
    return c.wer
