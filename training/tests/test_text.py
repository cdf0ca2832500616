import pytest

from omnisparse.text import BLANK, VOCAB, cardinal, decode, encode, normalize, ordinal, year


def test_vocabulary_layout_matches_contract() -> None:
    assert len(VOCAB) == 29
    assert BLANK == 0 and VOCAB[0] == "<blank>"
    assert VOCAB[1] == " " and VOCAB[2] == "'"
    assert VOCAB[3] == "a" and VOCAB[28] == "z"


def test_encode_decode_round_trip() -> None:
    text = "don't stop me now"
    ids = encode(text)
    assert ids[:3] == [3 + 3, 3 + 14, 3 + 13]
    assert decode(ids) == text
    assert decode([BLANK] + ids + [BLANK]) == text


def test_encode_rejects_unnormalized_text() -> None:
    with pytest.raises(ValueError):
        encode("Hello")
    with pytest.raises(ValueError):
        decode([29])


@pytest.mark.parametrize("n,expected", [
    (0, "zero"), (7, "seven"), (13, "thirteen"), (42, "forty two"), (100, "one hundred"),
    (101, "one hundred one"), (999, "nine hundred ninety nine"), (1000, "one thousand"),
    (1_234_567, "one million two hundred thirty four thousand five hundred sixty seven"),
    (-5, "minus five"),
])
def test_cardinal(n: int, expected: str) -> None:
    assert cardinal(n) == expected


@pytest.mark.parametrize("n,expected", [
    (1, "first"), (2, "second"), (3, "third"), (5, "fifth"), (12, "twelfth"), (20, "twentieth"),
    (21, "twenty first"), (100, "one hundredth"),
])
def test_ordinal(n: int, expected: str) -> None:
    assert ordinal(n) == expected


@pytest.mark.parametrize("n,expected", [
    (1999, "nineteen ninety nine"), (1905, "nineteen oh five"), (1900, "nineteen hundred"),
    (2000, "two thousand"), (2007, "two thousand seven"), (2024, "twenty twenty four"),
])
def test_year(n: int, expected: str) -> None:
    assert year(n) == expected


@pytest.mark.parametrize("raw,expected", [
    ("Hello,   World!", "hello world"),
    ("I have 42 apples", "i have forty two apples"),
    ("born in 1999", "born in nineteen ninety nine"),
    ("the 3rd time", "the third time"),
    ("50% off", "fifty percent off"),
    ("rock & roll", "rock and roll"),
    ("it costs $5", "it costs five dollars"),
    ("$1.50 each", "one dollar and fifty cents each"),
    ("pi is 3.14", "pi is three point one four"),
    ("meet at 10:30 or 9:05 or 7:00", "meet at ten thirty or nine oh five or seven o'clock"),
    ("1,000,000 people", "one million people"),
    ("the 1990s", "the nineteen nineties"),
    ("agent 007", "agent zero zero seven"),
    ("Don\u2019t 'quote' me", "don't quote me"),
    ("Caf\u00e9 na\u00efve", "cafe naive"),
    ("e-mail/web #1", "e mail web one"),
    ("", ""),
])
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize("raw", ["Hello, World! 42", "it's 10:30 & $5.25 (50%)", "  x  "])
def test_normalize_is_idempotent_and_encodable(raw: str) -> None:
    once = normalize(raw)
    assert normalize(once) == once
    assert decode(encode(once)) == once
