"""Answer extraction and scoring for every kind, table-driven, tricky outputs included."""

from __future__ import annotations

import pytest

from alice_eval import scoring


def number(answer: str) -> dict:
    return {"qid": "q", "kind": "number", "answer": answer, "aliases": [], "choices": [], "labels": []}


def choice(answer: str, labels=("A", "B", "C", "D")) -> dict:
    return {"qid": "q", "kind": "choice", "answer": answer, "aliases": [], "labels": list(labels),
            "choices": [f"option {label}" for label in labels]}


def text(answer: str, aliases=None) -> dict:
    return {"qid": "q", "kind": "text", "answer": answer, "aliases": list(aliases or [answer]),
            "choices": [], "labels": []}


# -- numbers ----------------------------------------------------------------------------------------

NUMBER_CASES = [
    # response, gold, extracted, correct
    ("3 + 4 = 7 apples.\n#### 7", "7", "7", True),
    ("It costs 40 * 25 = 1000.\n#### 1,000", "1000", "1000", True),
    ("#### 1000", "1,000", "1000", True),
    ("#### $18", "18", "18", True),
    ("#### $ 18.", "18", "18", True),
    ("#### 18.0", "18", "18", True),
    ("#### 1,000.00", "1000", "1000", True),
    ("#### 2.50", "2.5", "2.5", True),
    ("#### .5", "0.5", "0.5", True),
    ("#### -5", "-5", "-5", True),
    ("#### -$5", "-5", "-5", True),
    ("#### 12%", "12", "12", True),
    ("####1000", "1000", "1000", True),
    ("####\n42", "42", "42", True),
    ("Several numbers: 3, 4 and 12.\n#### 12", "12", "12", True),
    ("Several numbers: 3, 4 and 12.\n#### 7", "12", "7", False),
    ("#### 5\n\nTrailing text with another number 7.", "5", "5", True),
    ("#### 5 apples", "5", "5", True),
    ("#### ", "5", None, False),                         # marker, no number
    ("####", "5", None, False),
    ("x #### y", "5", None, False),
    ("The answer is 5.", "5", None, False),             # marker missing: not parsed, even if right
    ("", "5", None, False),
    ("   \n ", "5", None, False),
]


@pytest.mark.parametrize("response, gold, extracted, correct", NUMBER_CASES)
def test_number(response, gold, extracted, correct):
    verdict = scoring.score(number(gold), response)
    assert verdict.extracted == extracted
    assert verdict.correct is correct
    assert verdict.parsed is (extracted is not None)


@pytest.mark.parametrize("response, extracted", [
    ("#### 3 apples, no wait #### 4", "4"),              # two markers on a line: the last wins
    ("#### \n#### 5", "5"),                             # an empty marker, then a real one
])
def test_number_last_marker_wins(response, extracted):
    assert scoring.extract_number(response) == extracted


def test_number_last_marker_wins_across_lines():
    assert scoring.extract_number("#### 3\nOn second thought:\n#### 4") == "4"


@pytest.mark.parametrize("raw, canonical", [
    ("1,000", "1000"), ("$1,000.50", "1000.5"), ("18.0", "18"), ("-0.25", "-0.25"), ("7.", "7"),
    ("50%", "50"), ("abc", None), ("", None), ("Infinity", None),
])
def test_normalize_number(raw, canonical):
    assert scoring.normalize_number(raw) == canonical


# -- choices ----------------------------------------------------------------------------------------

CHOICE_CASES = [
    # response, gold, labels, extracted, correct
    ("My choice is (B)", "B", "ABCD", "B", True),
    ("my choice is b.", "B", "ABCD", "B", True),
    ("My choice is B. dry palms", "B", "ABCD", "B", True),
    ("My choice is: **C**", "C", "ABCD", "C", True),
    ('My choice is "D".', "D", "ABCD", "D", True),
    ("my choice is [a]", "A", "ABCD", "A", True),
    ("My choice is A. On reflection... My choice is C.", "C", "ABCD", "C", True),    # last marker wins
    ("My choice is C. On reflection... My choice is A.", "C", "ABCD", "A", False),
    ("My choice is 3", "3", "1234", "3", True),                                      # digit labels
    ("My choice is  (2).", "3", "1234", "2", False),
    ("My choice is E", "A", "ABCD", None, False),                                   # not a label
    ("My choice is 3", "C", "ABCD", None, False),
    ("My choice is A. Then: my choice is E.", "A", "ABCD", "A", True),              # last *valid* label
    ("My choice is Blue.", "B", "ABCD", None, False),                               # a word, not a label
    ("The answer is B.", "B", "ABCD", None, False),                                 # marker missing
    ("Mychoice is B", "B", "ABCD", None, False),
    ("", "B", "ABCD", None, False),
]


@pytest.mark.parametrize("response, gold, labels, extracted, correct", CHOICE_CASES)
def test_choice(response, gold, labels, extracted, correct):
    verdict = scoring.score(choice(gold, list(labels)), response)
    assert verdict.extracted == extracted
    assert verdict.correct is correct


def test_choice_without_labels_accepts_any_label():
    assert scoring.extract_choice("My choice is E") == "E"
    assert scoring.extract_choice("My choice is 7.") == "7"


# -- open text --------------------------------------------------------------------------------------

TEXT_CASES = [
    # response, answer, aliases, correct
    ("The capital of France is Paris.", "Paris", None, True),
    ("PARIS!", "Paris", None, True),                                       # case, punctuation
    ("It was the Beatles.", "The Beatles", ["The Beatles", "Beatles"], True),  # articles
    ("It was Beatles", "The Beatles", ["The Beatles"], True),
    ("Beatlemania swept the world.", "Beatles", None, False),               # whole words only
    ("I know the answer.", "no", None, False),                             # "no" is not in "know"
    ("No, it is not.", "no", None, True),
    ("Hamlet was written by W. Shakespeare.", "William Shakespeare",
     ["William Shakespeare", "Shakespeare"], True),                        # any alias
    ("A hexagon has six sides.", "6", ["6", "six"], True),
    ("It is in Rome, Italy.", "Rome, Italy", None, True),                   # alias punctuation normalized
    ("I think it is Milan.", "Rome", ["Rome", "Roma"], False),
    ("The Danube, I believe", "Danube", ["", "Danube"], True),              # empty alias ignored
]


@pytest.mark.parametrize("response, answer, aliases, correct", TEXT_CASES)
def test_text(response, answer, aliases, correct):
    verdict = scoring.score(text(answer, aliases), response)
    assert verdict.parsed
    assert verdict.correct is correct


@pytest.mark.parametrize("response", ["", "   ", "\n"])
def test_empty_text_is_unparsed(response):
    verdict = scoring.score(text("Paris"), response)
    assert not verdict.parsed and not verdict.correct


def test_text_without_aliases_uses_answer():
    record = text("Paris")
    record["aliases"] = []
    assert scoring.score(record, "paris").correct


@pytest.mark.parametrize("raw, normalized", [
    ("The  Beatles!", "beatles"), ("An apple, a day", "apple day"), ("Rock 'n' Roll", "rock n roll"),
])
def test_normalize_text(raw, normalized):
    assert scoring.normalize_text(raw) == normalized


@pytest.mark.parametrize("prediction, gold, f1", [
    ("the cat sat", "cat sat", 1.0),
    ("cat", "cat sat", 2 / 3),
    ("The Danube river", "Danube", 2 / 3),
    ("dog", "cat", 0.0),
    ("", "cat", 0.0),
    ("", "", 1.0),
    ("Atlantic Ocean", "the Atlantic ocean.", 1.0),
])
def test_token_f1(prediction, gold, f1):
    assert scoring.token_f1(prediction, gold) == pytest.approx(f1)


# -- the per-record entry points --------------------------------------------------------------------

@pytest.mark.parametrize("record, response, expected", [
    (number("7"), "#### 7", {"acc": 1.0, "acc_flexible": 1.0, "parse_rate": 1.0}),
    (number("7"), "#### 8", {"acc": 0.0, "acc_flexible": 0.0, "parse_rate": 1.0}),
    (number("7"), "seven", {"acc": 0.0, "acc_flexible": 0.0, "parse_rate": 0.0}),
    (number("7"), "3 + 4 = \\boxed{7}", {"acc": 0.0, "acc_flexible": 1.0, "parse_rate": 0.0}),
    (choice("B"), "My choice is B.", {"acc": 1.0, "acc_flexible": 1.0, "parse_rate": 1.0}),
    (choice("B"), "The answer is (B).", {"acc": 0.0, "acc_flexible": 1.0, "parse_rate": 0.0}),
    (text("Paris"), "Paris.", {"acc": 1.0, "acc_flexible": 1.0, "parse_rate": 1.0}),
    (text("Paris"), "", {"acc": 0.0, "acc_flexible": 0.0, "parse_rate": 0.0}),
])
def test_metrics(record, response, expected):
    assert scoring.metrics(record, response) == expected


def test_unknown_kind_names_record():
    with pytest.raises(ValueError, match="'q'.*'essay'"):
        scoring.score({"qid": "q", "kind": "essay", "answer": "x"}, "x")


# -- the scorer never raises on model output (property-based) ----------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

RECORDS = [
    {"qid": "n", "kind": "number", "answer": "18", "aliases": [], "choices": [], "labels": []},
    {"qid": "c", "kind": "choice", "answer": "B", "aliases": [], "choices": ["x", "y"], "labels": ["A", "B"]},
    {"qid": "t", "kind": "text", "answer": "Paris", "aliases": ["Paris", None], "choices": [], "labels": []},
]
MARKED = st.one_of(st.text(), st.text().map(lambda t: f"#### {t}"), st.text().map(lambda t: f"My choice is {t}"),
                   st.from_regex(r"#### -?\$?[0-9,]{0,40}(\.[0-9]{0,40})?([eE][+-]?[0-9]{1,7})?", fullmatch=True))


@settings(max_examples=300, deadline=None)
@given(MARKED)
def test_every_function_reads_any_string_without_raising(text):
    for record in RECORDS:
        verdict = scoring.score(record, text)
        assert verdict.correct in (True, False) and verdict.parsed == (verdict.extracted is not None)
    scoring.normalize_number(text)
    scoring.extract_number(text)
    scoring.extract_choice(text, ["A", "B"])
    assert 0.0 <= scoring.token_f1(text, "Paris") <= 1.0
    assert scoring.normalize_text(text) == scoring.normalize_text(scoring.normalize_text(text))


@settings(max_examples=200, deadline=None)
@given(st.integers(), st.integers(min_value=0, max_value=12))
def test_numbers_of_any_length_normalize_exactly(value, places):
    from fractions import Fraction

    text = f"{value / 10 ** places:.{places}f}" if abs(value) < 2 ** 52 and places else str(value)
    got = scoring.normalize_number(text)
    assert got is not None and Fraction(got) == Fraction(text)
    assert scoring.normalize_number(got) == got                       # canonical: a fixed point


@pytest.mark.parametrize("response,gold,correct", [
    ("#### 12345678901234567890123456789", "12345678901234567890123456789", True),   # raised before
    ("#### 12345678901234567890123456789", "12345678901234567890123456788", False),
    ("#### 1e5", "100000", True),                                                     # read as 1 before
    ("#### 1e5", "1", False),
    ("#### -0", "0", True),                                                           # unequal before
    ("#### 1.00000000000000000000000000000001", "1", False),                          # rounded to 1 before
    ("#### 1e999999999", "1", False),                                                 # unreadable, not a hang
])
def test_long_numbers_exponents_and_signed_zero(response, gold, correct):
    record = {"qid": "n", "kind": "number", "answer": gold}
    assert scoring.score(record, response).correct is correct


@pytest.mark.parametrize("record,response,error", [
    ({"qid": "q", "kind": "number", "answer": "1"}, None, TypeError),
    ({"qid": "q", "kind": "number", "answer": "1"}, b"#### 1", TypeError),
    ({"qid": "q", "answer": "1"}, "#### 1", ValueError),
])
def test_a_non_string_response_or_a_record_without_kind_is_a_clear_error(record, response, error):
    with pytest.raises(error, match="record 'q'"):
        scoring.score(record, response)


# -- the flexible reading: answers as models write them ------------------------------------------------

@pytest.mark.parametrize("response,gold,read", [
    ("2 x 11 = 22, so the total is \\boxed{22}.", "22", "22"),
    ("\\boxed{\\frac{44}{2}} apples", "22", "22"),                        # nested braces, LaTeX fraction
    ("\\boxed{22\\text{ apples}}", "22", "22"),
    ("\\boxed{\\$1,250}", "1250", "1250"),
    ("first \\boxed{3}, then corrected: \\boxed{4}", "4", "4"),          # the last box
    ("\\boxed{4", "4", "4"),                                           # an unclosed box: the last number
    ("So 3 + 4 = 7. The answer is 7 apples.", "7", "7"),
    ("Final answer: $12.50", "12.5", "12.5"),
    ("She has 3 bags, 4 each, 12 in all", "12", "12"),                  # the last number
    ("#### 9\nbut then \\boxed{10}", "9", "9"),                          # the strict marker comes first
    ("no digits at all", "1", None),
])
def test_flexible_number(response, gold, read):
    verdict = scoring.score(number(gold), response)
    assert verdict.flexible == read
    assert verdict.flexible_correct is (read is not None and read == scoring.normalize_number(gold))


@pytest.mark.parametrize("response,read", [
    ("My choice is C.", "C"),
    ("Iron is magnetic, so \\boxed{B}", "B"),
    ("\\boxed{\\text{B}}", "B"),
    ("Therefore the answer is (B).", "B"),
    ("The correct answer is: option b", "B"),
    ("Answer: D. a rubber ball", "D"),
    ("The answer is E.", None),                                         # not one of the options
    ("I think it is a nail.", None),                                    # no closing phrase: no guess
])
def test_flexible_choice(response, read):
    assert scoring.score(choice("B"), response).flexible == read


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.text().map(lambda t: f"\\boxed{{{t}}}"), st.text().map(lambda t: f"The answer is {t}"),
                 st.from_regex(r"\\boxed\{[{}0-9,\\a-z]{0,40}\}?", fullmatch=True)))
def test_the_flexible_reading_never_raises_and_extends_the_strict_one(text):
    for record in RECORDS:
        verdict = scoring.score(record, text)
        if verdict.extracted is not None:        # what the strict reading finds, the flexible one finds too
            assert verdict.flexible == verdict.extracted


@pytest.mark.parametrize("digits", [4301, 10_000, 100_000])
def test_numbers_past_pythons_int_string_limit(digits):
    big = "7" * digits
    record = {"qid": "n", "kind": "number", "answer": big}
    assert scoring.score(record, f"#### {big}").correct
    assert not scoring.score(record, f"#### {big}8").correct
    assert scoring.score(record, f"\\boxed{{{big}}}").flexible_correct
    assert scoring.score(record, f"so it is {big}").flexible_correct


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=4301, max_value=20_000), st.integers(min_value=1, max_value=9), st.text("0123456789", max_size=30))
def test_huge_integers_normalize_to_themselves(length, lead, tail):
    text = str(lead) * length + tail
    assert scoring.normalize_number(text) == text
    assert scoring.normalize_number(f"{text}.000") == text


def test_a_record_without_answer_is_one_error_naming_the_field():
    with pytest.raises(ValueError, match="record 'q': no 'answer' field"):
        scoring.score({"qid": "q", "kind": "number"}, "#### 1")
