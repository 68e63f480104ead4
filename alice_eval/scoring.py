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

Models rarely write the marker unprompted (the Qwen family closes with ``\\boxed{}``), so a second,
*flexible* reading stands beside the strict one, as lm-eval's ``flexible-extract`` stands beside its
``strict-match``: the marker if present, else the last ``\\boxed{...}``, else a closing "the answer is
..." / "final answer: ...", else (numbers only) the last number. ``acc_flexible`` reports it. Labels the
trainer writes still end in the strict format (:func:`alice_eval.prompts.answer_line`).
"""

from __future__ import annotations

import re
import string
from collections import Counter
from dataclasses import dataclass

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
    """The verdict on one response: what was read from it, whether it parsed, whether it is right, and
    the same for the flexible reading."""

    extracted: str | None
    correct: bool
    flexible: str | None = None
    flexible_correct: bool = False

    @property
    def parsed(self) -> bool:
        return self.extracted is not None


# -- numbers ---------------------------------------------------------------------------------------

def normalize_number(text: str) -> str | None:
    """Canonical string of a number, exact at any length: ``"$1,000.50"`` -> ``"1000.5"``, ``"18.0"`` ->
    ``"18"``, ``"1e5"`` -> ``"100000"``, ``"-0"`` -> ``"0"``; None if it is not one. Never raises on a
    string: digits are handled as text, so a number of 100,000 digits is read like any other (Python's
    ``int()`` refuses strings of more than 4,300 digits)."""
    s = text.strip().replace("$", "").replace(",", "").replace(" ", "").rstrip(".").removesuffix("%")
    if not _PLAIN_NUMBER.fullmatch(s):
        return None
    mantissa, _, exponent = s.lower().partition("e")
    if exponent and (len(exponent.lstrip("+-")) > 4 or abs(int(exponent)) > MAX_EXPONENT):
        return None
    sign = "-" if mantissa.startswith("-") else ""
    whole, _, fraction = mantissa.lstrip("+-").partition(".")
    shift = int(exponent or 0)                  # move the decimal point, as text
    digits = whole + fraction
    point = len(whole) + shift
    if point < 0:
        digits, point = "0" * -point + digits, 0
    elif point > len(digits):
        digits += "0" * (point - len(digits))
    whole, fraction = digits[:point].lstrip("0") or "0", digits[point:].rstrip("0")
    if whole == "0" and not fraction:
        sign = ""
    return f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}"


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


# -- the flexible reading: answers as models write them ------------------------------------------------

_BOXED = re.compile(r"\\(?:boxed|fbox)\s*\{")
_ANSWER_IS = re.compile(r"(?:final answer|the answer|answer)\s*(?:is|:|=)\s*:?", re.IGNORECASE)
_LATEX = re.compile(r"\\(?:text|mathrm|textbf|mbox)\s*\{([^{}]*)\}")
_FRAC = re.compile(r"^\\d?frac\{(-?\d+)\}\{(\d+)\}$")
_ANY_NUMBER = re.compile(r"-?\$?\d(?:[\d,]*\d)?(?:\.\d+)?")
_LETTER = re.compile(r"^[\s\(\[\*\"'{]*(?:option\s+)?([A-Za-z0-9])(?![A-Za-z0-9])", re.IGNORECASE)


def boxed(response: str) -> str | None:
    """The content of the last ``\\boxed{...}`` (nested braces kept whole); None if there is none or it
    never closes."""
    starts = [m.end() for m in _BOXED.finditer(response)]
    for start in reversed(starts):
        depth = 1
        for i in range(start, len(response)):
            depth += {"{": 1, "}": -1}.get(response[i], 0)
            if depth == 0:
                return response[start:i]
    return None


def _number_in(text: str) -> str | None:
    """A number read from a short span: a plain or LaTeX number (``\\frac{1}{2}``, ``18\\text{ dollars}``),
    else the first number in it."""
    text = _LATEX.sub(r"\1", text).replace("\\$", "$").replace("\\,", "").replace("\\!", "").strip()
    frac = _FRAC.match(text.replace("\\left", "").replace("\\right", ""))
    if frac and len(frac.group(1)) < 50 and len(frac.group(2)) < 50 and int(frac.group(2)):
        value = int(frac.group(1)) / int(frac.group(2))
        if value == int(value):
            return str(int(value))
        return normalize_number(repr(value))
    whole = normalize_number(text)
    if whole is not None:
        return whole
    match = _ANY_NUMBER.search(text)
    return normalize_number(match.group(0)) if match else None


def _closing_phrase(response: str) -> str | None:
    """What follows the last "the answer is" / "final answer:" (up to the end of its line)."""
    matches = list(_ANSWER_IS.finditer(response))
    if not matches:
        return None
    return response[matches[-1].end():].split("\n", 1)[0]


def flexible_number(response: str, last_number: bool = True) -> str | None:
    strict = extract_number(response)
    if strict is not None:
        return strict
    box = boxed(response)
    if box is not None and (number := _number_in(box)) is not None:
        return number
    phrase = _closing_phrase(response)
    if phrase is not None and (number := _number_in(phrase)) is not None:
        return number
    numbers = _ANY_NUMBER.findall(response) if last_number else []
    return normalize_number(numbers[-1]) if numbers else None


def flexible_choice(response: str, labels: list[str] | None = None) -> str | None:
    strict = extract_choice(response, labels)
    if strict is not None:
        return strict
    allowed = {label.upper() for label in labels} if labels else None
    for span in (boxed(response), _closing_phrase(response)):
        match = _LETTER.match(_LATEX.sub(r"\1", span)) if span is not None else None
        if match and (allowed is None or match.group(1).upper() in allowed):
            return match.group(1).upper()
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

def field(record: dict, name: str):
    """``record[name]``, or one clear error naming the field and the record."""
    try:
        return record[name]
    except (KeyError, TypeError):
        raise ValueError(f"record {record.get('qid') if isinstance(record, dict) else record!r}: "
                         f"no {name!r} field; every record needs qid, question, kind and answer") from None


def _check(record: dict, response: str) -> str:
    if not isinstance(response, str):
        raise TypeError(f"record {record.get('qid')!r}: a response is a string, not {type(response).__name__}")
    kind = field(record, "kind")
    if kind not in KINDS:
        raise ValueError(f"record {record.get('qid')!r}: unknown kind {kind!r}; expected one of {KINDS}")
    return kind


def extract(record: dict, response: str) -> str | None:
    """What the response answers, in canonical form (the strict reading); None when it cannot be read.
    Any string is read without raising; a response that is not a string, or a record without a known
    kind, is an error of the caller and says so."""
    kind = _check(record, response)
    if kind == "number":
        return extract_number(response)
    if kind == "choice":
        return extract_choice(response, record.get("labels") or None)
    return response.strip() or None


def extract_flexible(record: dict, response: str, last_number: bool = True) -> str | None:
    """The answer as models write it (see the module doc): the strict reading if there is one, else
    ``\\boxed{}``, a closing "the answer is", and for numbers the last number (unless ``last_number`` is
    False: a text cut off mid-sentence ends in some number too, so a training label needs a stated one)."""
    kind = _check(record, response)
    if kind == "number":
        return flexible_number(response, last_number)
    if kind == "choice":
        return flexible_choice(response, record.get("labels") or None)
    return response.strip() or None


def is_correct(record: dict, extracted: str | None) -> bool:
    if extracted is None:
        return False
    kind, answer = field(record, "kind"), str(field(record, "answer"))
    if kind == "number":
        return extracted == normalize_number(answer)
    if kind == "choice":
        return extracted == answer.strip().upper()
    aliases = [str(a) for a in record.get("aliases") or [] if a is not None]
    return text_matches(extracted, aliases or [answer])


def score(record: dict, response: str) -> Score:
    extracted, flexible = extract(record, response), extract_flexible(record, response)
    return Score(extracted=extracted, correct=is_correct(record, extracted),
                 flexible=flexible, flexible_correct=is_correct(record, flexible))


def metrics(record: dict, response: str) -> dict[str, float]:
    """Per-response metrics under the names every task reports (acc_parsed is aggregated elsewhere)."""
    verdict = score(record, response)
    return {"acc": float(verdict.correct), "acc_flexible": float(verdict.flexible_correct),
            "parse_rate": float(verdict.parsed)}
