"""Answer extraction and correctness: the one place that says what a right answer is.

Every consumer calls this module: the lm-eval task hooks, the CoT rejection filter, the clustering
stage and the leaderboard. Three answer kinds:

- ``number``: the number after the last ``####`` (``1,000`` = ``1000``, ``$18`` = ``18``, ``18.0`` = ``18``);
- ``choice``: the label after the last ``My choice is`` (``(B)``, ``B.``, ``b`` all read as ``B``);
- ``text``: an open answer; correct when a normalized alias appears in the normalized response as whole
  words (SQuAD normalization: case, punctuation, articles, whitespace). Whole-word matching is a
  deliberate fix of the reference code's raw substring test, where a gold "no" matched "know".

A response without its marker is *unparsed*: ``acc`` counts it wrong, ``acc_parsed`` (the paper's
convention) leaves it out of the denominator, and ``parse_rate`` counts it.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

NUMBER_MARK = "####"
CHOICE_MARK = "My choice is"
KINDS = ("number", "choice", "text")

_NUMBER = re.compile(r"-?\$?\s*-?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][+-]?\d+)?")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
MAX_EXPONENT = 1000            # 1e999999999 would be a billion-digit integer: such a number is unreadable
_CHOICE = re.compile(r"my choice is\s*[:\-]?\s*[\(\[\*\"']*\s*([A-Za-z0-9])(?![A-Za-z0-9])", re.IGNORECASE)
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = str.maketrans({c: " " for c in string.punctuation})


@dataclass(frozen=True)
class Score:
    """The verdict on one response: what was read from it, whether it parsed, whether it is right."""

    extracted: str | None
    correct: bool

    @property
    def parsed(self) -> bool:
        return self.extracted is not None


# -- numbers ---------------------------------------------------------------------------------------

def normalize_number(text: str) -> str | None:
    """Canonical string of a number, exact at any length: ``"$1,000.50"`` -> ``"1000.5"``, ``"18.0"`` ->
    ``"18"``, ``"1e5"`` -> ``"100000"``, ``"-0"`` -> ``"0"``; None if it is not one. Never raises on a string."""
    s = text.strip().replace("$", "").replace(",", "").replace(" ", "").rstrip(".").removesuffix("%")
    if not _PLAIN_NUMBER.fullmatch(s):
        return None
    mantissa, _, exponent = s.lower().partition("e")
    if exponent and abs(int(exponent)) > MAX_EXPONENT:
        return None
    value = Fraction(mantissa) * Fraction(10) ** int(exponent or 0)     # exact: no rounding context
    if value.denominator == 1:
        return str(value.numerator)
    places = 0                                  # a decimal input has a denominator of 2^a * 5^b
    while 10 ** places % value.denominator:
        places += 1
    digits = str(abs(value.numerator) * 10 ** places // value.denominator).rjust(places + 1, "0")
    sign = "-" if value < 0 else ""
    return f"{sign}{digits[:-places]}.{digits[-places:]}".rstrip("0")


def extract_number(response: str) -> str | None:
    """The number right after the last ``####`` marker that is followed by one."""
    for tail in reversed(response.split(NUMBER_MARK)[1:]):
        match = _NUMBER.match(tail.strip())
        if match and any(ch.isdigit() for ch in match.group(0)):
            number = normalize_number(match.group(0))
            if number is not None:
                return number
    return None


# -- choices ---------------------------------------------------------------------------------------

def extract_choice(response: str, labels: list[str] | None = None) -> str | None:
    """The label after the last ``My choice is`` whose label is one of ``labels`` (any if None)."""
    allowed = {label.upper() for label in labels} if labels else None
    for label in reversed(_CHOICE.findall(response)):
        label = label.upper()
        if allowed is None or label in allowed:
            return label
    return None


# -- open text -------------------------------------------------------------------------------------

def normalize_text(text: str) -> str:
    """SQuAD normalization: lower case, no punctuation, no articles, single spaces."""
    text = text.lower().translate(_PUNCT)
    return " ".join(_ARTICLES.sub(" ", text).split())


def text_matches(response: str, aliases: list[str]) -> bool:
    """True when some non-empty normalized alias occurs in the normalized response as whole words."""
    haystack = f" {normalize_text(response)} "
    return any(f" {alias} " in haystack for alias in map(normalize_text, aliases) if alias)


def token_f1(prediction: str, gold: str) -> float:
    """SQuAD token F1 between two texts after normalization."""
    pred, ref = normalize_text(prediction).split(), normalize_text(gold).split()
    common = sum((Counter(pred) & Counter(ref)).values())
    if not pred or not ref or common == 0:
        return float(pred == ref)
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


# -- one entry point per record ----------------------------------------------------------------------

def extract(record: dict, response: str) -> str | None:
    """What the response answers, in canonical form; None when it cannot be read. Any string is read
    without raising; a response that is not a string, or a record without a known kind, is an error of
    the caller and says so."""
    if not isinstance(response, str):
        raise TypeError(f"record {record.get('qid')!r}: a response is a string, not {type(response).__name__}")
    kind = record.get("kind")
    if kind == "number":
        return extract_number(response)
    if kind == "choice":
        return extract_choice(response, record.get("labels") or None)
    if kind == "text":
        return response.strip() or None
    raise ValueError(f"record {record.get('qid')!r}: unknown kind {kind!r}; expected one of {KINDS}")


def is_correct(record: dict, extracted: str | None) -> bool:
    if extracted is None:
        return False
    kind = record["kind"]
    if kind == "number":
        return extracted == normalize_number(str(record["answer"]))
    if kind == "choice":
        return extracted == str(record["answer"]).strip().upper()
    aliases = [str(a) for a in record.get("aliases") or [] if a is not None]
    return text_matches(extracted, aliases or [str(record["answer"])])


def score(record: dict, response: str) -> Score:
    extracted = extract(record, response)
    return Score(extracted=extracted, correct=is_correct(record, extracted))


def metrics(record: dict, response: str) -> dict[str, float]:
    """Per-response metrics under the names every task reports (acc_parsed is aggregated elsewhere)."""
    verdict = score(record, response)
    return {"acc": float(verdict.correct), "parse_rate": float(verdict.parsed)}
