"""Text for the synthetic corpus: fortune sentences plus generated numbers, digits, dates, times, commands and short
utterances. Everything returned is already normalised, and TTS engines are fed exactly that text, so labels match
the audio. Sentences that a TTS engine would read differently from their normalised spelling (abbreviations,
acronyms, stray letters) are dropped.
"""
from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from .text import cardinal, digits, normalize, ordinal, year

FORTUNE_DIR = Path("/usr/share/games/fortunes")
DICT_WORDS = Path("/usr/share/dict/words")

MONTHS = ("january february march april may june july august september october november december").split()
DAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
COMMANDS = (
    "yes", "no", "stop", "go", "next", "back", "cancel", "okay", "hello", "goodbye", "thank you", "please",
    "help", "start", "pause", "resume", "repeat that", "play music", "stop the music", "turn it up",
    "turn it down", "volume up", "volume down", "mute", "unmute", "lights on", "lights off",
    "turn on the lights", "turn off the lights", "open the door", "close the window", "call mom", "call home",
    "send a message", "read my messages", "what time is it", "set an alarm", "set a timer", "show the weather",
    "open settings", "go to sleep", "wake up", "take a picture", "start recording", "stop recording",
    "scroll down", "scroll up", "zoom in", "zoom out", "select all", "undo", "redo", "save the file",
    "new line", "delete that", "good morning", "good night", "see you later", "sounds good", "not now",
    "left", "right", "up", "down", "forward", "faster", "slower", "louder", "quieter", "on", "off",
)
# closed sets: these necessarily recur in every split (there is only one way to say "seven")
CLOSED_KINDS = frozenset({"digit", "command"})
# tokens a TTS engine expands or spells differently from our normalised form
_ABBREVIATIONS = frozenset("mr mrs ms dr st jr sr vs etc eg ie co inc ltd ave blvd mt ft lb lbs oz pp vol no".split())
_SINGLE_LETTERS_OK = frozenset({"a", "i", "o"})


@dataclass(frozen=True)
class TextItem:
    text: str  # normalised
    kind: str  # fortune | words | short | number | digits | digit | date | time | money | command


def fortune_paragraphs(root: Path = FORTUNE_DIR) -> list[str]:
    """Raw fortune cookies ('%'-separated) from the plain-text files (not .dat/.u8 indexes)."""
    out: list[str] = []
    if not root.is_dir():
        return out
    for path in sorted(root.iterdir()):
        if path.suffix or not path.is_file():
            continue
        for cookie in path.read_text(encoding="latin-1").split("\n%\n"):
            lines = [ln for ln in cookie.splitlines() if not re.match(r"^\s*(--|\u2014)", ln)]  # drop attributions
            out.append(" ".join(ln.strip() for ln in lines))
    return out


def _tts_safe(raw_sentence: str) -> bool:
    """Reject sentences whose raw form has acronyms, code, or quotes of dialogue markup the TTS would mangle."""
    if re.search(r"[<>{}\[\]\\|_~^*#=]|https?:|www\.|\b[A-Z]{2,}\b", raw_sentence):
        return False
    return True


def split_sentences(paragraph: str, min_words: int = 1, max_words: int = 25) -> list[str]:
    """Normalised sentences (1-25 words) of a paragraph; unsafe or abbreviated ones are dropped."""
    out = []
    for raw in re.split(r"(?<=[.!?;:])\s+|\s*\n\s*", paragraph):
        if not raw.strip() or not _tts_safe(raw):
            continue
        words = normalize(raw).split()
        if not (min_words <= len(words) <= max_words):
            continue
        if any(w in _ABBREVIATIONS or (len(w) == 1 and w not in _SINGLE_LETTERS_OK) for w in words):
            continue
        out.append(" ".join(words))
    return out


def common_words(sentences: Iterable[str], dictionary: Path = DICT_WORDS, min_count: int = 3) -> list[str]:
    """Dictionary words seen at least `min_count` times in the fortune text: a frequency proxy without a word list."""
    counts = Counter(w for s in sentences for w in s.split())
    vocab = set()
    if dictionary.is_file():
        vocab = {w.strip() for w in dictionary.read_text(encoding="utf-8", errors="ignore").splitlines()
                 if w.strip().isalpha() and w.strip().islower()}
    return sorted(w for w, c in counts.items() if c >= min_count and len(w) > 1 and (not vocab or w in vocab))


# -------------------------------------------------------------------------------------------- generated phrase kinds
def _number(rng: random.Random) -> str:
    magnitude = rng.choice([10, 100, 1000, 10_000, 1_000_000])
    n = rng.randrange(magnitude)
    templates = ["{n}", "{n}", "number {n}", "room {n}", "{n} people", "about {n} miles", "page {n}",
                 "{n} percent", "channel {n}", "the {o} floor", "{n} items left"]
    return rng.choice(templates).format(n=cardinal(n), o=ordinal(rng.randrange(1, 60)))


def _digit_string(rng: random.Random) -> str:
    s = "".join(rng.choice("0123456789") for _ in range(rng.randint(3, 10)))
    zero = "oh" if rng.random() < 0.3 else "zero"
    prefix = rng.choice(["", "", "", "my number is ", "the code is ", "pin ", "extension ", "flight "])
    return prefix + digits(s, zero=zero)


def _date(rng: random.Random) -> str:
    m, d, y = rng.choice(MONTHS), rng.randint(1, 28), rng.randint(1900, 2035)
    templates = ["{m} {d}", "{m} {d} {y}", "the {d} of {m}", "{day} {m} {d}", "on {day}", "in {y}", "{day}"]
    return rng.choice(templates).format(m=m, d=ordinal(d), y=year(y), day=rng.choice(DAYS))


def _time(rng: random.Random) -> str:
    raw = f"{rng.randint(1, 12)}:{rng.choice([0, 5, 10, 15, 20, 30, 45, rng.randint(0, 59)]):02d}"
    suffix = rng.choice(["", "", " in the morning", " in the evening", " tonight", " tomorrow"])
    prefix = rng.choice(["", "", "at ", "wake me up at ", "meet at ", "it's "])
    return normalize(prefix + raw + suffix)


def _money(rng: random.Random) -> str:
    cents = f".{rng.randint(0, 99):02d}" if rng.random() < 0.4 else ""
    return normalize(rng.choice(["", "it costs ", "pay ", "that's "]) + f"${rng.randint(1, 999)}{cents}")


def generated_item(kind: str, rng: random.Random, vocab: list[str]) -> TextItem:
    makers: dict[str, Callable[[], str]] = {
        "number": lambda: _number(rng),
        "digits": lambda: _digit_string(rng),
        "digit": lambda: cardinal(rng.randrange(10)),
        "date": lambda: _date(rng),
        "time": lambda: _time(rng),
        "money": lambda: _money(rng),
        "command": lambda: rng.choice(COMMANDS),
        "short": lambda: " ".join(rng.choice(vocab) for _ in range(rng.randint(1, 3))),
        "words": lambda: " ".join(rng.choice(vocab) for _ in range(rng.randint(4, 12))),
    }
    return TextItem(normalize(makers[kind]()), kind)


# share of utterances per kind (1-3 word kinds: digit + command + short + most of date/time ~ 25 %)
KIND_WEIGHTS: dict[str, float] = {"fortune": 0.45, "words": 0.10, "number": 0.08, "digits": 0.08, "digit": 0.05,
                                  "date": 0.04, "time": 0.04, "money": 0.03, "command": 0.06, "short": 0.07}


class TextSource:
    """Draws text items of the configured kind mix. Train and held-out sources share a seed-derived partition of the
    fortune sentences and reject each other's generated strings, so held-out sentences never occur in training."""

    def __init__(self, fortunes: list[str], vocab: list[str], rng: random.Random, exclude: set[str] | None = None,
                 weights: dict[str, float] | None = None) -> None:
        self.fortunes, self.vocab, self.rng = fortunes, vocab, rng
        self.exclude = exclude if exclude is not None else set()
        self.weights = weights or KIND_WEIGHTS
        self.used: set[str] = set()
        self._order = list(range(len(fortunes)))
        rng.shuffle(self._order)
        self._next = 0

    def _fortune(self) -> TextItem:
        if not self.fortunes:
            return generated_item("words", self.rng, self.vocab)
        if self._next >= len(self._order):  # reuse sentences (new voice/speed) once all were spoken
            self._next = 0
            self.rng.shuffle(self._order)
        s = self.fortunes[self._order[self._next]]
        self._next += 1
        return TextItem(s, "fortune")

    def draw(self) -> TextItem:
        kinds, weights = zip(*self.weights.items())
        for _ in range(100):
            kind = self.rng.choices(kinds, weights)[0]
            item = self._fortune() if kind == "fortune" else generated_item(kind, self.rng, self.vocab)
            if item.text and (item.kind in CLOSED_KINDS or item.text not in self.exclude):
                self.used.add(item.text)
                return item
        raise RuntimeError("could not draw a text item outside the excluded set")


def split_fortunes(sentences: list[str], heldout_fraction: float, seed: int) -> tuple[list[str], list[str]]:
    """Disjoint (train, held-out) sentence lists, deterministic in seed."""
    uniq = sorted(set(sentences))
    random.Random(seed).shuffle(uniq)
    k = int(len(uniq) * heldout_fraction)
    return uniq[k:], uniq[:k]
