"""Vocabulary and text normalisation (docs/contracts.md §2).

The browser decodes with exactly this vocabulary (copied into models/manifest.json), so its order is a contract.
`normalize` turns free text into the spoken form the model is trained to emit: lowercase letters, apostrophes inside
words, single spaces, numbers spelled out. The synthetic corpus feeds this normalised text to the TTS engines, so
what is spoken is exactly what is labelled.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Iterable, Sequence

BLANK = 0
VOCAB: tuple[str, ...] = ("<blank>", " ", "'") + tuple(chr(c) for c in range(ord("a"), ord("z") + 1))
_CHAR_TO_ID: dict[str, int] = {ch: i for i, ch in enumerate(VOCAB) if i != BLANK}


def encode(text: str) -> list[int]:
    """Token ids of already-normalised text. Raises ValueError on characters outside the vocabulary, because a
    silently dropped character would make the label disagree with the audio."""
    try:
        return [_CHAR_TO_ID[ch] for ch in text]
    except KeyError as err:
        raise ValueError(f"character {err.args[0]!r} not in vocabulary (normalize() the text first): {text!r}") from None


def decode(ids: Iterable[int]) -> str:
    """Text of token ids; blanks are skipped (they carry no symbol)."""
    out: list[str] = []
    for i in ids:
        i = int(i)
        if i == BLANK:
            continue
        if not 0 < i < len(VOCAB):
            raise ValueError(f"token id {i} out of range 0..{len(VOCAB) - 1}")
        out.append(VOCAB[i])
    return "".join(out)


def is_normalized(text: str) -> bool:
    return bool(text) and normalize(text) == text


# ---------------------------------------------------------------------------------------------------------- numbers
_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
         "seventeen eighteen nineteen").split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand"))
_MAX_CARDINAL = 10**15  # beyond this, reading digit by digit is what people do anyway


def _below_thousand(n: int) -> list[str]:
    words: list[str] = []
    if n >= 100:
        words += [_ONES[n // 100], "hundred"]
        n %= 100
    if n >= 20:
        words.append(_TENS[n // 10])
        n %= 10
        if n:
            words.append(_ONES[n])
    elif n or not words:
        words.append(_ONES[n])
    return words


def cardinal(n: int) -> str:
    """American reading without "and": 101 -> "one hundred one"."""
    if n < 0:
        return "minus " + cardinal(-n)
    if n >= _MAX_CARDINAL:
        return digits(str(n))
    words: list[str] = []
    for value, name in _SCALES:
        if n >= value:
            words += _below_thousand(n // value) + [name]
            n %= value
    if n or not words:
        words += _below_thousand(n)
    return " ".join(words)


_ORDINAL_IRREGULAR = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
                      "nine": "ninth", "twelve": "twelfth"}


def ordinal(n: int) -> str:
    words = cardinal(n).split()
    last = words[-1]
    if last in _ORDINAL_IRREGULAR:
        words[-1] = _ORDINAL_IRREGULAR[last]
    elif last.endswith("y"):
        words[-1] = last[:-1] + "ieth"
    else:
        words[-1] = last + "th"
    return " ".join(words)


def digits(s: str, zero: str = "zero") -> str:
    """Digit-by-digit reading: "379" -> "three seven nine"."""
    return " ".join(zero if ch == "0" else _ONES[int(ch)] for ch in s if ch.isdigit())


def year(n: int) -> str:
    """Year reading for 1100-1999 and 2000-2099; other numbers read as cardinals."""
    if 1100 <= n <= 1999 or 2010 <= n <= 2099:
        hi, lo = divmod(n, 100)
        if lo == 0:
            return cardinal(hi) + " hundred"
        return cardinal(hi) + (" oh " + _ONES[lo] if lo < 10 else " " + cardinal(lo))
    return cardinal(n)


def number_words(s: str) -> str:
    """Reading of a bare digit run: leading zeros and very long runs digit by digit, 4-digit years as years."""
    if len(s) > 1 and s.startswith("0"):
        return digits(s)
    n = int(s)
    if len(s) == 4 and (1100 <= n <= 1999 or 2000 <= n <= 2099):
        return year(n)
    return cardinal(n)


def _plural(words: str) -> str:
    head, _, last = words.rpartition(" ")
    if last.endswith("y"):
        last = last[:-1] + "ies"
    elif last.endswith(("x", "s")):
        last += "es"
    else:
        last += "s"
    return f"{head} {last}".strip()


# ------------------------------------------------------------------------------------------------------- normalise
_CURRENCY = {"$": ("dollar", "dollars", "cent", "cents"), "£": ("pound", "pounds", "penny", "pence"),
             "€": ("euro", "euros", "cent", "cents")}
_SYMBOLS = {"&": " and ", "+": " plus ", "@": " at ", "%": " percent ", "=": " equals "}
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'", "\u02bc": "'"})

_RE_MONEY = re.compile(r"([$£€])\s?(\d[\d,]*)(?:\.(\d{1,2}))?(?!\d)")
_RE_PERCENT = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s?%")
_RE_TIME = re.compile(r"\b(\d{1,2}):(\d{2})\b")
_RE_ORDINAL = re.compile(r"\b(\d+)(st|nd|rd|th)\b")
_RE_GROUPED = re.compile(r"\b\d{1,3}(?:,\d{3})+\b")
_RE_DECIMAL = re.compile(r"(\d+)\.(\d+)")
_RE_DECADE = re.compile(r"\b(\d{2,4})'?s\b")
_RE_DIGITS = re.compile(r"\d+")
_RE_NOT_VOCAB = re.compile(r"[^a-z' ]+")
_RE_LONE_APOSTROPHE = re.compile(r"(?<![a-z])'|'(?![a-z])")
_RE_SPACES = re.compile(r" +")


def _money(m: re.Match[str]) -> str:
    one, many, sub_one, sub_many = _CURRENCY[m.group(1)]
    whole = int(m.group(2).replace(",", ""))
    out = f"{cardinal(whole)} {one if whole == 1 else many}"
    if m.group(3):
        sub = int(m.group(3).ljust(2, "0"))
        if sub:
            out += f" and {cardinal(sub)} {sub_one if sub == 1 else sub_many}"
    return f" {out} "


def _percent(m: re.Match[str]) -> str:
    return f" {_decimal_or_int(m.group(1).replace(',', ''))} percent "


def _decimal_or_int(s: str) -> str:
    whole, _, frac = s.partition(".")
    out = cardinal(int(whole))
    return f"{out} point {digits(frac)}" if frac else out


def _time(m: re.Match[str]) -> str:
    h, mins = int(m.group(1)), int(m.group(2))
    if h > 24 or mins > 59:
        return f" {cardinal(h)} {number_words(m.group(2))} "
    if mins == 0:
        return f" {cardinal(h)} o'clock "
    return f" {cardinal(h)} {'oh ' + _ONES[mins] if mins < 10 else cardinal(mins)} "


def _decade(m: re.Match[str]) -> str:
    return f" {_plural(number_words(m.group(1)))} "


def normalize(text: str) -> str:
    """Spoken form of `text` over the vocabulary: see module docstring. Idempotent."""
    t = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)
    # strip accents (café -> cafe) after NFKC so that symbols such as "½" were already expanded
    t = "".join(ch for ch in unicodedata.normalize("NFKD", t) if not unicodedata.combining(ch)).lower()
    t = _RE_MONEY.sub(_money, t)
    t = _RE_PERCENT.sub(_percent, t)
    t = _RE_TIME.sub(_time, t)
    t = _RE_ORDINAL.sub(lambda m: f" {ordinal(int(m.group(1)))} ", t)
    t = _RE_GROUPED.sub(lambda m: m.group(0).replace(",", ""), t)
    t = _RE_DECIMAL.sub(lambda m: f" {cardinal(int(m.group(1)))} point {digits(m.group(2))} ", t)
    t = _RE_DECADE.sub(_decade, t)
    t = _RE_DIGITS.sub(lambda m: f" {number_words(m.group(0))} ", t)
    for sym, word in _SYMBOLS.items():
        t = t.replace(sym, word)
    t = _RE_NOT_VOCAB.sub(" ", t)
    t = _RE_LONE_APOSTROPHE.sub(" ", t)  # quotes and stray apostrophes; keeps don't, o'clock
    return _RE_SPACES.sub(" ", t).strip()


def words(text: str) -> Sequence[str]:
    return normalize(text).split()


_RE_NOT_APP = re.compile(r"[^a-z0-9' ]+")
_RE_LONE_APOSTROPHE_APP = re.compile(r"(?<![a-z0-9])'|'(?![a-z0-9])")


def app_words(text: str) -> list[str]:
    """Words as the app counts them in Whisper's line (src/asr/whisper-tokens.ts normalizeWhisperText): the same
    accents and apostrophes as normalize(), but digits stay digits, so "21." is one word here and two in normalize()."""
    t = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    t = _RE_NOT_APP.sub(" ", t.translate(_APOSTROPHES).lower())
    return _RE_LONE_APOSTROPHE_APP.sub(" ", t).split()
