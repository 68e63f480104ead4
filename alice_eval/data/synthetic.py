"""Synthetic datasets, generated in code: ``synth_math``, ``synth_logic`` and ``synth_knowledge``.

They need no download and can be made as large as a run needs. Every generator is deterministic:
its random source is ``random.Random`` seeded from the string ``"name|split|seed|difficulty"``
(never the global RNG, never ``hash()``), so the same arguments give the same records anywhere.

Train and test never share a question. Math and logic questions are assigned to a split by a hash
of their text, and each split only keeps its own; knowledge splits the facts themselves by a hash
of the fact's group, so a test fact is never asked in train.

Difficulty is meant to separate a ~100M-parameter model from a ~1B one: math stays at one to three
steps with mostly two-digit numbers, logic puzzles are short enough to solve by careful reading.
"""

from __future__ import annotations

import hashlib
import itertools
import random
from typing import Callable

from alice_eval.data.facts import FACTS, Fact
from alice_eval.prompts import answer_line

SPLITS = ("train", "test")
DIFFICULTIES = ("easy", "medium", "hard", "mixed")
LEVELS = ("easy", "medium", "hard")
DEFAULT_N = {"train": 2000, "test": 200}
LABELS = ["A", "B", "C", "D"]
KNOWLEDGE_TEST_PERMILLE = 330  # share of fact groups held out for test (~180 of ~560 facts)


# -- shared helpers ----------------------------------------------------------------------------------

def _check(split: str, difficulty: str) -> None:
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; choose one of: {', '.join(SPLITS)}")
    if difficulty not in DIFFICULTIES:
        raise ValueError(f"unknown difficulty {difficulty!r}; choose one of: {', '.join(DIFFICULTIES)}")


def _rng(name: str, split: str, seed: int, difficulty: str) -> random.Random:
    # A string seed is hashed with SHA-512 by ``random``: stable across processes and Python builds.
    return random.Random(f"{name}|{split}|{seed}|{difficulty}")


def _stable_hash(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def _split_of_question(name: str, question: str) -> str:
    """The one split a generated question may appear in: half of all possible questions each."""
    return "test" if _stable_hash(f"{name}:{question}") % 2 == 0 else "train"


def _record(name: str, split: str, index: int, kind: str, question: str, answer: str, *,
            rationale: str = "", aliases=(), choices=(), labels=()) -> dict:
    return {
        "qid": f"{name}-{split}-{index:05d}",
        "question": question,
        "kind": kind,
        "answer": answer,
        "aliases": list(aliases),
        "choices": list(choices),
        "labels": list(labels),
        "rationale": rationale,
    }


def _generate(name: str, split: str, n: int | None, seed: int, difficulty: str,
              make: Callable[[random.Random, str], tuple[str, str, str, list[str]]], kind: str) -> list[dict]:
    """Draw puzzles until ``n`` distinct questions of this split are found.

    ``make(rng, level)`` returns (question, answer, rationale, choices); for "mixed" each puzzle's level is
    drawn uniformly.
    """
    _check(split, difficulty)
    n = DEFAULT_N[split] if n is None else n
    rng = _rng(name, split, seed, difficulty)
    records, seen = [], set()
    attempts = 0
    while len(records) < n:
        attempts += 1
        if attempts > 100 * n + 1000:
            raise ValueError(f"{name}: cannot find {n} distinct {difficulty} questions for split {split!r}")
        level = rng.choice(LEVELS) if difficulty == "mixed" else difficulty
        question, answer, rationale, choices = make(rng, level)
        if question in seen or _split_of_question(name, question) != split:
            continue
        seen.add(question)
        records.append(_record(name, split, len(records), kind, question, answer, rationale=rationale,
                               choices=choices, labels=LABELS if choices else ()))
    return records


_PEOPLE = [
    ("Maria", "she"), ("Tom", "he"), ("Aisha", "she"), ("Carlos", "he"), ("Mei", "she"), ("Omar", "he"),
    ("Sofia", "she"), ("Liam", "he"), ("Priya", "she"), ("Noah", "he"), ("Hana", "she"), ("Diego", "he"),
    ("Emma", "she"), ("Yusuf", "he"), ("Lena", "she"), ("Kofi", "he"), ("Grace", "she"), ("Ivan", "he"),
    ("Zara", "she"), ("Ben", "he"), ("Nadia", "she"), ("Sam", "he"), ("Julia", "she"), ("Ravi", "he"),
]
_NAMES = [name for name, _ in _PEOPLE]


def _a(noun: str) -> str:
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"


def _person(rng: random.Random, avoid=()) -> tuple[str, str]:
    return rng.choice([p for p in _PEOPLE if p[0] not in avoid])


# == math ==============================================================================================
# Each family writes one problem of ``steps`` arithmetic steps (1-3) and returns
# (question, solution lines, answer). Bigger numbers come with more steps. Answers are positive integers
# and every division is exact.

def _pick(rng: random.Random, steps: int, *ranges: tuple[int, int]) -> int:
    lo, hi = ranges[steps - 1]
    return rng.randint(lo, hi)


_GOODS = ["notebooks", "pens", "mugs", "books", "T-shirts", "plants", "toy cars", "candles", "bowls", "scarves"]
_EXTRAS = ["backpack", "lamp", "umbrella", "board game", "water bottle", "pair of shoes"]


def _shopping(rng, steps):
    name, pron = _person(rng)
    goods = rng.choice(_GOODS)
    count = _pick(rng, steps, (2, 9), (3, 12), (4, 15))
    price = _pick(rng, steps, (2, 9), (3, 15), (6, 25))
    cost = count * price
    lines = [f"The {goods} cost {count} * {price} = {cost} dollars."]
    if steps == 1:
        return (f"{name} buys {count} {goods} that cost ${price} each. How many dollars does {name} spend?",
                lines, cost)
    extra = rng.choice(_EXTRAS)
    extra_price = _pick(rng, steps, (0, 0), (5, 30), (10, 45))
    total = cost + extra_price
    lines.append(f"Together with the {extra}, {pron} spends {cost} + {extra_price} = {total} dollars.")
    bought = f"{name} buys {count} {goods} that cost ${price} each and {_a(extra)} for ${extra_price}."
    if steps == 2:
        return f"{bought} How many dollars does {name} spend in total?", lines, total
    bill = min(b for b in (50, 100, 200, 500) if b > total)
    lines.append(f"The change is {bill} - {total} = {bill - total} dollars.")
    return (f"{bought} {pron.capitalize()} pays with a ${bill} bill. How many dollars of change does {name} get?",
            lines, bill - total)


_FRUITS = ["apples", "oranges", "peaches", "lemons", "plums", "pears", "mangoes"]


def _fruit(rng, steps):
    name, pron = _person(rng)
    friend, _ = _person(rng, avoid=[name])
    fruit = rng.choice(_FRUITS)
    if steps == 1:
        have = rng.randint(10, 40)
        if rng.random() < 0.5:
            give = rng.randint(2, have - 3)
            return (f"{name} has {have} {fruit}. {pron.capitalize()} gives {give} of them to {friend}. "
                    f"How many {fruit} does {name} have left?",
                    [f"{name} has {have} - {give} = {have - give} {fruit} left."], have - give)
        more = rng.randint(5, 30)
        return (f"{name} has {have} {fruit} and picks {more} more. How many {fruit} does {name} have now?",
                [f"{name} has {have} + {more} = {have + more} {fruit}."], have + more)
    if steps == 2:
        have, give, more = rng.randint(20, 60), rng.randint(5, 19), rng.randint(5, 40)
        left, now = have - give, have - give + more
        return (f"{name} has {have} {fruit}. {pron.capitalize()} gives {give} of them to {friend} and then "
                f"buys {more} more. How many {fruit} does {name} have now?",
                [f"After giving some away, {name} has {have} - {give} = {left} {fruit}.",
                 f"After buying more, {pron} has {left} + {more} = {now} {fruit}."], now)
    # Three steps, ending in an exact division: build the total from baskets * per basket.
    baskets, each = rng.randint(3, 9), rng.randint(6, 15)
    total = baskets * each
    more = rng.randint(5, total - 5)
    give = rng.randint(5, 30)
    have = total - more + give
    left = have - give
    return (f"{name} has {have} {fruit}. {pron.capitalize()} gives {give} of them to {friend}, buys {more} more, "
            f"and then puts all of {pron == 'he' and 'his' or 'her'} {fruit} equally into {baskets} baskets. "
            f"How many {fruit} are in each basket?",
            [f"After giving some away, {name} has {have} - {give} = {left} {fruit}.",
             f"After buying more, {pron} has {left} + {more} = {total} {fruit}.",
             f"Each basket gets {total} / {baskets} = {each} {fruit}."], each)


_VEHICLES = ["train", "bus", "truck", "ferry", "car"]


def _travel(rng, steps):
    vehicle = rng.choice(_VEHICLES)
    speed = _pick(rng, steps, (2, 6), (3, 8), (4, 9)) * 10
    hours = _pick(rng, steps, (2, 4), (2, 5), (2, 5))
    dist = speed * hours
    if steps == 1:
        if rng.random() < 0.5:
            return (f"A {vehicle} travels at {speed} kilometers per hour for {hours} hours. "
                    f"How many kilometers does it travel?",
                    [f"It travels {speed} * {hours} = {dist} kilometers."], dist)
        return (f"A {vehicle} travels {dist} kilometers in {hours} hours at a constant speed. "
                f"What is its speed in kilometers per hour?",
                [f"Its speed is {dist} / {hours} = {speed} kilometers per hour."], speed)
    speed2, hours2 = rng.randint(2, 8) * 10, rng.randint(1, 4)
    dist2 = speed2 * hours2
    total = dist + dist2
    first = f"The first part is {speed} * {hours} = {dist} kilometers."
    if steps == 2:
        # The second leg is given as a distance, so the problem is one product and one sum.
        return (f"A {vehicle} travels at {speed} kilometers per hour for {hours} hours and then another "
                f"{dist2} kilometers. How many kilometers does it travel in total?",
                [first, f"In total it travels {dist} + {dist2} = {total} kilometers."], total)
    return (f"A {vehicle} travels at {speed} kilometers per hour for {hours} hours, then at {speed2} "
            f"kilometers per hour for {hours2} hours. How many kilometers does it travel in total?",
            [first, f"The second part is {speed2} * {hours2} = {dist2} kilometers.",
             f"In total it travels {dist} + {dist2} = {total} kilometers."], total)


def _ages(rng, steps):
    a, _ = _person(rng)
    b, _ = _person(rng, avoid=[a])
    c, _ = _person(rng, avoid=[a, b])
    age = _pick(rng, steps, (4, 15), (5, 15), (6, 18))
    diff = _pick(rng, steps, (2, 9), (2, 12), (3, 14))
    if steps == 1:
        if rng.random() < 0.5:
            return (f"{a} is {age} years old. {b} is {diff} years older than {a}. How old is {b}?",
                    [f"{b} is {age} + {diff} = {age + diff} years old."], age + diff)
        later = rng.randint(2, 20)
        return (f"{a} is {age} years old. How old will {a} be in {later} years?",
                [f"{a} will be {age} + {later} = {age + later} years old."], age + later)
    older = age + diff
    factor = rng.choice([2, 3]) if older <= 20 else 2
    parent = older * factor
    times = {2: "twice", 3: "three times"}[factor]
    lines = [f"{b} is {age} + {diff} = {older} years old.", f"{c} is {factor} * {older} = {parent} years old."]
    setup = (f"{a} is {age} years old. {b} is {diff} years older than {a}. "
             f"{c} is {times} as old as {b}.")
    if steps == 2:
        return f"{setup} How old is {c}?", lines, parent
    total = age + older + parent
    lines.append(f"Together they are {age} + {older} + {parent} = {total} years old.")
    return f"{setup} What is the sum of the ages of {a}, {b} and {c}?", lines, total


_WANTS = ["bike", "guitar", "tablet", "pair of skates", "tent", "camera"]


def _saving(rng, steps):
    name, pron = _person(rng)
    weekly = _pick(rng, steps, (2, 12), (5, 20), (8, 25))
    weeks = _pick(rng, steps, (2, 9), (3, 10), (4, 12))
    saved = weekly * weeks
    lines = [f"{name} saves {weekly} * {weeks} = {saved} dollars."]
    if steps == 1:
        return (f"{name} saves ${weekly} every week. How many dollars has {pron} saved after {weeks} weeks?",
                lines, saved)
    start = _pick(rng, steps, (0, 0), (10, 60), (20, 90))
    total = start + saved
    lines.append(f"With the money {pron} already had, {pron} has {start} + {saved} = {total} dollars.")
    setup = f"{name} already has ${start}. {pron.capitalize()} saves ${weekly} every week for {weeks} weeks."
    if steps == 2:
        return f"{setup} How many dollars does {name} have now?", lines, total
    want = rng.choice(_WANTS)
    price = rng.randint(total // 3, total - 5)
    lines.append(f"After buying the {want}, {pron} has {total} - {price} = {total - price} dollars left.")
    return (f"{setup} Then {pron} buys {_a(want)} for ${price}. How many dollars does {name} have left?",
            lines, total - price)


_TREATS = ["cookies", "muffins", "candies", "stickers", "marbles", "crayons"]


def _sharing(rng, steps):
    name, pron = _person(rng)
    treat = rng.choice(_TREATS)
    friends = _pick(rng, steps, (2, 6), (2, 8), (3, 9))
    if steps == 1:
        each = rng.randint(2, 12)
        total = friends * each
        return (f"{name} has {total} {treat} and shares them equally among {friends} friends. "
                f"How many {treat} does each friend get?",
                [f"Each friend gets {total} / {friends} = {each} {treat}."], each)
    # Pick the count per box so that the total divides evenly among the friends.
    boxes = rng.randint(2, 9)
    per_box = rng.choice([m for m in range(4, 25) if (boxes * m) % friends == 0 and boxes * m >= 2 * friends])
    total = boxes * per_box
    lines = [f"{name} has {boxes} * {per_box} = {total} {treat}."]
    if steps == 2:
        lines.append(f"Each friend gets {total} / {friends} = {total // friends} {treat}.")
        return (f"{name} has {boxes} boxes with {per_box} {treat} in each box. {pron.capitalize()} shares all of "
                f"them equally among {friends} friends. How many {treat} does each friend get?",
                lines, total // friends)
    keep = friends * rng.randint(1, total // friends - 1)
    rest = total - keep
    lines += [f"After keeping {keep}, {pron} has {total} - {keep} = {rest} {treat} left.",
              f"Each friend gets {rest} / {friends} = {rest // friends} {treat}."]
    return (f"{name} has {boxes} boxes with {per_box} {treat} in each box. {pron.capitalize()} keeps {keep} "
            f"for {pron == 'he' and 'himself' or 'herself'} and shares the rest equally among {friends} friends. "
            f"How many {treat} does each friend get?", lines, rest // friends)


def _reading(rng, steps):
    name, pron = _person(rng)
    if steps == 1:
        pages, read = rng.randint(40, 99), rng.randint(10, 35)
        return (f"A book has {pages} pages. {name} has read {read} pages. How many pages are left to read?",
                [f"{pages} - {read} = {pages - read} pages are left."], pages - read)
    per_day, days = rng.randint(5, 20), rng.randint(2, 7)
    read = per_day * days
    lines = [f"{name} reads {per_day} * {days} = {read} pages."]
    if steps == 2:
        pages = read + rng.randint(10, 120)
        lines.append(f"{pages} - {read} = {pages - read} pages are left.")
        return (f"A book has {pages} pages. {name} reads {per_day} pages a day for {days} days. "
                f"How many pages are left to read?", lines, pages - read)
    weekend = rng.randint(12, 60)
    done = read + weekend
    pages = done + rng.randint(10, 150)
    lines += [f"With the weekend, {pron} reads {read} + {weekend} = {done} pages.",
              f"{pages} - {done} = {pages - done} pages are left."]
    return (f"A book has {pages} pages. {name} reads {per_day} pages a day for {days} days and then {weekend} "
            f"pages on the weekend. How many pages are left to read?", lines, pages - done)


def _wages(rng, steps):
    name, pron = _person(rng)
    wage = _pick(rng, steps, (5, 15), (8, 20), (10, 25))
    if steps == 1:
        hours = rng.randint(2, 9)
        return (f"{name} earns ${wage} per hour and works {hours} hours. How many dollars does {name} earn?",
                [f"{name} earns {wage} * {hours} = {wage * hours} dollars."], wage * hours)
    h1, h2 = rng.randint(2, 8), rng.randint(2, 8)
    hours, pay = h1 + h2, (h1 + h2) * wage
    lines = [f"{name} works {h1} + {h2} = {hours} hours.", f"{pron.capitalize()} earns {hours} * {wage} = {pay} dollars."]
    setup = f"{name} earns ${wage} per hour. {pron.capitalize()} works {h1} hours on Monday and {h2} hours on Tuesday."
    if steps == 2:
        return f"{setup} How many dollars does {name} earn in these two days?", lines, pay
    spent = rng.randint(10, pay - 10)
    lines.append(f"After shopping, {pron} has {pay} - {spent} = {pay - spent} dollars left.")
    return (f"{setup} Then {pron} spends ${spent} on groceries. How many dollars of these earnings are left?",
            lines, pay - spent)


def _rows(rng, steps):
    if steps == 1:
        rows, per = rng.randint(3, 9), rng.randint(4, 12)
        return (f"A hall has {rows} rows of chairs with {per} chairs in each row. How many chairs are there?",
                [f"There are {rows} * {per} = {rows * per} chairs."], rows * per)
    if steps == 2:
        rows, per = rng.randint(4, 12), rng.randint(5, 15)
        chairs = rows * per
        taken = rng.randint(5, chairs - 3)
        return (f"A hall has {rows} rows of chairs with {per} chairs in each row. {taken} chairs are taken. "
                f"How many chairs are empty?",
                [f"There are {rows} * {per} = {chairs} chairs.",
                 f"{chairs} - {taken} = {chairs - taken} chairs are empty."], chairs - taken)
    # Classes of students minus absentees, split into teams: build from teams * team size.
    team, teams = rng.randint(3, 6), rng.randint(6, 20)
    present = team * teams
    classes = rng.randint(3, 6)
    per_class = -(-present // classes) + rng.randint(0, 4)
    absent = classes * per_class - present
    if absent == 0:
        per_class += 1
        absent = classes
    students = classes * per_class
    return (f"A school has {classes} classes with {per_class} students each. {absent} students are absent today. "
            f"The students who are present are split into teams of {team}. How many teams are there?",
            [f"There are {classes} * {per_class} = {students} students.",
             f"{students} - {absent} = {present} students are present.",
             f"There are {present} / {team} = {teams} teams."], teams)


_MATH_FAMILIES = [_shopping, _fruit, _travel, _ages, _saving, _sharing, _reading, _wages, _rows]


def _math_problem(rng: random.Random, level: str) -> tuple[str, str, str, list[str]]:
    steps = LEVELS.index(level) + 1
    question, lines, answer = rng.choice(_MATH_FAMILIES)(rng, steps)
    assert isinstance(answer, int) and answer > 0, (question, answer)
    rationale = "\n".join(lines + [answer_line("number", str(answer))])
    return question, str(answer), rationale, []


def math_records(split: str, n: int | None = None, seed: int = 0, difficulty: str = "mixed", **_) -> list[dict]:
    """Arithmetic word problems: easy = one step, medium = two, hard = three with bigger numbers."""
    return _generate("synth_math", split, n, seed, difficulty, _math_problem, "number")


# == logic =============================================================================================
# Each family returns (question, correct option, wrong options, reasoning lines). The options are then
# shuffled, so the correct label is uniform over A-D, and the reasoning ends in "My choice is X."

def _finish(rng, question, correct, wrong, reasoning):
    options = [correct] + list(wrong)
    assert len(options) == 4 and len(set(options)) == 4, options
    rng.shuffle(options)
    label = LABELS[options.index(correct)]
    lines = list(reasoning) + [f"So the answer is option {label}: {correct}", answer_line("choice", label)]
    return question, label, "\n".join(lines), options


def _sentence(text: str) -> str:
    """Capitalized, with a full stop unless it already ends in punctuation."""
    return text[0].upper() + text[1:] + ("" if text[-1] in ".,;:?!" else ".")


# -- syllogisms --------------------------------------------------------------------------------------
# Statements are (quantifier, X, Y) over letters; a form's conclusion follows from its premises and no
# distractor does, even granting that every group has members (tests check this with a model checker).

_ROLES = ["painters", "runners", "singers", "chess players", "teachers", "cyclists", "poets", "swimmers",
          "bakers", "pilots", "gardeners", "dancers", "drummers", "climbers", "knitters", "sailors",
          "photographers", "hikers"]

SYLLOGISM_FORMS = {
    # name: (level, premises, conclusion, distractors, reasoning)
    "barbara": ("easy", [("all", "A", "B"), ("all", "B", "C")], ("all", "A", "C"),
                [("all", "C", "A"), ("all", "B", "A"), ("no", "A", "C")],
                ["Every one of the {A} is one of the {B}, and every one of the {B} is one of the {C}.",
                 "So every one of the {A} is also one of the {C}."]),
    "darii": ("easy", [("all", "A", "B"), ("some", "C", "A")], ("some", "C", "B"),
              [("all", "C", "B"), ("all", "B", "C"), ("no", "C", "B")],
              ["Some of the {C} are {A}, and all {A} are {B}.",
               "Those {C} who are {A} are therefore also {B}, so some {C} are {B}.",
               "Nothing says that all {C} are {B}: the {C} who are not {A} could be anything."]),
    "celarent": ("easy", [("no", "A", "B"), ("all", "C", "A")], ("no", "C", "B"),
                 [("all", "B", "C"), ("some", "C", "B"), ("all", "A", "C")],
                 ["Every one of the {C} is one of the {A}, and none of the {A} is one of the {B}.",
                  "So none of the {C} can be one of the {B}."]),
    "ferio": ("medium", [("no", "A", "B"), ("some", "C", "A")], ("some_not", "C", "B"),
              [("no", "C", "B"), ("some", "C", "B"), ("all", "A", "C")],
              ["Some of the {C} are {A}, and none of the {A} are {B}.",
               "Those {C} who are {A} are therefore not {B}, so some {C} are not {B}.",
               "Whether the other {C} are {B} is not stated."]),
    "camestres": ("medium", [("all", "A", "B"), ("no", "C", "B")], ("no", "A", "C"),
                  [("some", "A", "C"), ("all", "C", "A"), ("all", "B", "A")],
                  ["All {A} are {B}, but none of the {C} are {B}.",
                   "If one of the {A} were one of the {C}, that person would be one of the {B} and not one of "
                   "the {B} at once, which is impossible. So no {A} are {C}."]),
    "datisi": ("medium", [("some", "A", "B"), ("all", "B", "C")], ("some", "A", "C"),
               [("all", "A", "C"), ("all", "C", "A"), ("no", "A", "C")],
               ["Some {A} are {B}, and all {B} are {C}.",
                "Those {A} who are {B} are therefore {C}, so some {A} are {C}."]),
    "chain": ("hard", [("all", "A", "B"), ("all", "B", "C"), ("all", "C", "D")], ("all", "A", "D"),
              [("all", "D", "A"), ("all", "C", "A"), ("no", "A", "D")],
              ["All {A} are {B}, all {B} are {C}, and all {C} are {D}.",
               "Following the chain, every one of the {A} is one of the {B}, so one of the {C}, so one of the {D}.",
               "So all {A} are {D}; the chain only runs one way, so nothing says all {D} are {A}."]),
    "some_chain": ("hard", [("some", "E", "A"), ("all", "A", "B"), ("all", "B", "C")], ("some", "E", "C"),
                   [("all", "E", "C"), ("all", "C", "E"), ("no", "E", "C")],
                   ["Some {E} are {A}. All {A} are {B}, and all {B} are {C}, so all {A} are {C}.",
                    "Those {E} who are {A} are therefore {C}, so some {E} are {C}.",
                    "The {E} who are not {A} could be anything, so not all {E} need to be {C}."]),
    "chain_no": ("hard", [("all", "A", "B"), ("all", "B", "C"), ("no", "C", "D")], ("no", "A", "D"),
                 [("some", "A", "D"), ("all", "D", "B"), ("all", "C", "A")],
                 ["All {A} are {B} and all {B} are {C}, so all {A} are {C}.",
                  "None of the {C} are {D}, so none of the {A} are {D} either."]),
    "some_not_chain": ("hard", [("all", "A", "B"), ("no", "B", "C"), ("some", "D", "C")], ("some_not", "D", "A"),
                       [("no", "D", "A"), ("all", "A", "D"), ("some", "A", "C")],
                       ["All {A} are {B} and no {B} are {C}, so no {A} are {C}.",
                        "Some {D} are {C}; those {D} cannot be {A}, since no {A} are {C}.",
                        "So some {D} are not {A}."]),
}


def _statement_text(stmt, terms) -> str:
    quant, x, y = stmt
    x, y = terms[x], terms[y]
    return {"all": f"All {x} are {y}.", "some": f"Some {x} are {y}.", "no": f"No {x} are {y}.",
            "some_not": f"Some {x} are not {y}."}[quant]


def _syllogism(rng, level):
    forms = [name for name, form in SYLLOGISM_FORMS.items() if form[0] == level]
    _, premises, conclusion, distractors, reasoning = SYLLOGISM_FORMS[rng.choice(forms)]
    letters = sorted({t for s in premises for t in s[1:]})
    terms = dict(zip(letters, rng.sample(_ROLES, len(letters))))
    premises = list(premises)
    if level == "hard":
        rng.shuffle(premises)
    question = ("In a certain club, every statement below is true.\n"
                + "\n".join(f"- {_statement_text(p, terms)}" for p in premises)
                + "\nWhich of the following must also be true?")
    return _finish(rng, question, _statement_text(conclusion, terms),
                   [_statement_text(d, terms) for d in distractors],
                   [line.format(**terms) for line in reasoning])


# -- orderings ---------------------------------------------------------------------------------------

_RELATIONS = [  # (more, less, most, least, what is compared)
    ("taller", "shorter", "tallest", "shortest", "heights"), ("older", "younger", "oldest", "youngest", "ages"),
    ("faster", "slower", "fastest", "slowest", "running speeds"),
    ("heavier", "lighter", "heaviest", "lightest", "weights"),
]
_ORDINALS = ["", "second ", "third ", "fourth "]
_UNKNOWN = "It cannot be determined from the information given."


def _orders(people, edges):
    """All rankings (first = most) that agree with every (higher, lower) edge."""
    return [p for p in itertools.permutations(people)
            if all(p.index(hi) < p.index(lo) for hi, lo in edges)]


def _ordering(rng, level):
    size = {"easy": 3, "medium": 4, "hard": 5}[level]
    people = rng.sample(_NAMES, size)  # the hidden ranking, first = most
    more, less, most, least, measure = rng.choice(_RELATIONS)
    determined = rng.random() >= 0.2   # one puzzle in five has no single answer
    while True:
        edges = [(people[i], people[i + 1]) for i in range(size - 1)]
        if not determined:
            edges.pop(rng.randrange(len(edges)))
            i, j = sorted(rng.sample(range(size), 2))
            if j - i > 1 or rng.random() < 0.5:
                edges.append((people[i], people[j]))
        elif level == "hard":
            i = rng.randrange(size - 2)
            edges.append((people[i], people[rng.randrange(i + 2, size)]))   # a redundant fact
        edges = list(dict.fromkeys(edges))
        # Easy asks for the extreme; harder levels may ask for an inner place, counted from either end.
        place = 0 if level == "easy" else rng.randrange(size - 1 if level == "medium" else size - 2)
        if level == "hard" and place == 0:
            place = 1
        from_top = rng.random() < 0.5
        index = place if from_top else size - 1 - place
        orders = _orders(people, edges)
        candidates = list(dict.fromkeys(o[index] for o in orders))
        if (len(candidates) == 1) == determined:
            break
    rng.shuffle(edges)
    facts = [f"{hi} is {more} than {lo}." if rng.random() < 0.5 or level == "easy" else f"{lo} is {less} than {hi}."
             for hi, lo in edges]
    word = f"{_ORDINALS[place]}{most if from_top else least}"
    # Names are listed alphabetically so the introduction does not give the ranking away.
    question = (f"{_listing(sorted(people))} compare their {measure}.\n" + "\n".join(facts)
                + f"\nWho is the {word}?")
    if determined:
        answer = candidates[0]
        others = [p for p in people if p != answer]
        wrong = rng.sample(others, 2) + [_UNKNOWN]
        chain = ", ".join(people)
        reasoning = [f"Putting the statements together gives the order from {most} to {least}: {chain}.",
                     f"So the {word} is {answer}."]
        return _finish(rng, question, f"{answer}.", [w if w == _UNKNOWN else f"{w}." for w in wrong], reasoning)
    first = orders[0]
    second = next(o for o in orders if o[index] != first[index])
    wrong = rng.sample(people, 3)
    reasoning = [f"The statements fix only part of the order. Both the order {', '.join(first)} and the order "
                 f"{', '.join(second)} (from {most} to {least}) agree with every statement.",
                 f"In the first, the {word} is {first[index]}; in the second, it is {second[index]}.",
                 "So the statements do not settle who it is."]
    return _finish(rng, question, _UNKNOWN, [f"{w}." for w in wrong], reasoning)


def _listing(names) -> str:
    names = list(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


# -- knights and knaves --------------------------------------------------------------------------------
# A statement is (text, truth function of a world); a world maps each person to True (knight) or False.

def _kk_statements(speaker, others, everyone, level):
    y = others[0]
    rows = [
        (f"{y} is a knight.", lambda w: w[y]),
        (f"{y} is a knave.", lambda w: not w[y]),
        (f"{y} and I are both knaves.", lambda w: not w[speaker] and not w[y]),
        (f"At least one of {y} and I is a knave.", lambda w: not (w[speaker] and w[y])),
        (f"{y} and I are the same kind.", lambda w: w[speaker] == w[y]),
    ]
    if level != "easy":
        rows += [
            (f"{y} and I are both knights.", lambda w: w[speaker] and w[y]),
            (f"{y} and I are different kinds.", lambda w: w[speaker] != w[y]),
            (f"{y} is a knight or I am a knave.", lambda w: w[y] or not w[speaker]),
        ]
    if len(others) > 1:
        z = others[1]
        rows += [
            (f"{y} and {z} are the same kind.", lambda w: w[y] == w[z]),
            (f"{y} and {z} are both knaves.", lambda w: not w[y] and not w[z]),
            ("Exactly one of us three is a knight.", lambda w: sum(w[p] for p in everyone) == 1),
            ("At least two of us three are knights.", lambda w: sum(w[p] for p in everyone) >= 2),
            (f"{y} is a knight or {z} is a knight.", lambda w: w[y] or w[z]),
        ]
    return rows


def _kk_world_text(world, people) -> str:
    parts = [f"{p} is a {'knight' if world[p] else 'knave'}" for p in people]
    return _sentence(_listing(parts) if len(parts) > 2 else " and ".join(parts))


def _knights(rng, level):
    size = 3 if level == "hard" else 2
    people = rng.sample(_NAMES, size)
    worlds = [dict(zip(people, values)) for values in itertools.product([True, False], repeat=size)]
    while True:
        speakers = people if level != "easy" else rng.sample(people, rng.choice([1, 2]))
        if level == "hard":
            speakers = rng.sample(people, rng.choice([2, 3]))
        said = []
        for s in speakers:
            others = rng.sample([p for p in people if p != s], size - 1)
            said.append((s,) + rng.choice(_kk_statements(s, others, people, level)))
        consistent = [w for w in worlds if all(w[s] == truth(w) for s, _, truth in said)]
        if len(consistent) == 1:
            break
    said.sort(key=lambda row: people.index(row[0]))
    solution = consistent[0]
    question = ("On an island, every inhabitant is either a knight, who always tells the truth, or a knave, who "
                f"always lies. You meet {_listing(people)}.\n"
                + "\n".join(f'{s} says: "{text}"' for s, text, _ in said)
                + "\nWhich of the following is true?")
    wrong_worlds = rng.sample([w for w in worlds if w != solution], 3)
    # One short line per option (~120 tokens in all): small models learn a rationale that fits in the
    # generation budget better than a long one (v1 wrote every case out in full, ~250 tokens).
    reasoning = ["A knight's statement is true and a knave's is false. Check each option."]
    for world in [solution] + wrong_worlds:
        desc = ", ".join(f"{p} {'knight' if world[p] else 'knave'}" for p in people)
        broken = next((s for s, _, truth in said if world[s] != truth(world)), None)
        if broken is None:
            reasoning.append(f"{desc}: every statement fits. Consistent.")
        else:
            reasoning.append(f"{desc}: {broken} would be a {'knight' if world[broken] else 'knave'} whose "
                             f"statement is {'false' if world[broken] else 'true'}. Impossible.")
    # Keep the check order independent of which option is right.
    head, checks = reasoning[:1], reasoning[1:]
    rng.shuffle(checks)
    return _finish(rng, question, _kk_world_text(solution, people),
                   [_kk_world_text(w, people) for w in wrong_worlds],
                   head + checks + ["Only one of the options is consistent."])


# -- implications ---------------------------------------------------------------------------------------
# Propositions are (positive, negative) clauses. A literal is (atom, truth); an option is a literal or
# ("?", atom) for "cannot be determined". Tests check every form with a truth table.

_PROPOSITIONS = [
    ("the lamp is on", "the lamp is not on"), ("it is raining", "it is not raining"),
    ("the shop is open", "the shop is not open"), ("the alarm rings", "the alarm does not ring"),
    ("the door is locked", "the door is not locked"), ("the garden is watered", "the garden is not watered"),
    ("the bus is late", "the bus is not late"), ("the river floods", "the river does not flood"),
    ("the team wins", "the team does not win"), ("the printer works", "the printer does not work"),
    ("the oven is hot", "the oven is not hot"), ("the dog barks", "the dog does not bark"),
    ("the museum is closed", "the museum is not closed"), ("the road is icy", "the road is not icy"),
    ("the phone is charged", "the phone is not charged"), ("the window is open", "the window is not open"),
    ("the concert is sold out", "the concert is not sold out"), ("the kettle whistles", "the kettle does not whistle"),
    ("the field is muddy", "the field is not muddy"), ("the train is full", "the train is not full"),
]
for _name, _pron in _PEOPLE[:12]:
    _PROPOSITIONS += [(f"{_name} plays chess", f"{_name} does not play chess"),
                      (f"{_name} takes the train", f"{_name} does not take the train")]

# name: (level, premises, answer, distractors, reasoning). Premises: ("if", a, b), ("or", a, b), ("fact", a).
_T, _F = True, False
IMPLICATION_FORMS = {
    "modus_ponens": ("easy", [("if", ("P", _T), ("Q", _T)), ("fact", ("P", _T))], ("Q", _T),
                     [("Q", _F), ("P", _F), ("?", "Q")],
                     ["The rule says: if {P}, then {Q}.", "We know that {P}, so {Q}."]),
    "modus_tollens": ("easy", [("if", ("P", _T), ("Q", _T)), ("fact", ("Q", _F))], ("P", _F),
                      [("P", _T), ("Q", _T), ("?", "P")],
                      ["The rule says: if {P}, then {Q}. We know that {nQ}.",
                       "Suppose that {P}; then {Q}, which is false. So {nP}."]),
    "affirm_consequent": ("easy", [("if", ("P", _T), ("Q", _T)), ("fact", ("Q", _T))], ("?", "P"),
                          [("P", _T), ("P", _F), ("Q", _F)],
                          ["The rule says: if {P}, then {Q}. We know that {Q}.",
                           "The rule does not say that {Q} only when {P}, so {Q} fits both cases.",
                           "Whether {P} cannot be determined."]),
    "deny_antecedent": ("easy", [("if", ("P", _T), ("Q", _T)), ("fact", ("P", _F))], ("?", "Q"),
                        [("Q", _T), ("Q", _F), ("P", _T)],
                        ["The rule says: if {P}, then {Q}. We know that {nP}.",
                         "The rule says nothing about what happens when {nP}.",
                         "Whether {Q} cannot be determined."]),
    "disjunctive": ("medium", [("or", ("P", _T), ("Q", _T)), ("fact", ("P", _F))], ("Q", _T),
                    [("Q", _F), ("P", _T), ("?", "Q")],
                    ["We know that {P}, or {Q}, or both. We also know that {nP}.", "So {Q}."]),
    "negated_tollens": ("medium", [("if", ("P", _F), ("Q", _T)), ("fact", ("Q", _F))], ("P", _T),
                        [("P", _F), ("Q", _T), ("?", "P")],
                        ["The rule says: if {nP}, then {Q}. We know that {nQ}.",
                         "Suppose that {nP}; then {Q}, which is false. So {P}."]),
    "negated_consequent": ("medium", [("if", ("P", _T), ("Q", _F)), ("fact", ("Q", _T))], ("P", _F),
                           [("P", _T), ("Q", _F), ("?", "P")],
                           ["The rule says: if {P}, then {nQ}. We know that {Q}.",
                            "Suppose that {P}; then {nQ}, which is false. So {nP}."]),
    "chain_ponens": ("hard", [("if", ("P", _T), ("Q", _T)), ("if", ("Q", _T), ("R", _T)), ("fact", ("P", _T))],
                     ("R", _T), [("R", _F), ("Q", _F), ("?", "R")],
                     ["We know that {P}. The rule 'if {P}, then {Q}' gives: {Q}.",
                      "The rule 'if {Q}, then {R}' then gives: {R}."]),
    "chain_tollens": ("hard", [("if", ("P", _T), ("Q", _T)), ("if", ("Q", _T), ("R", _T)), ("fact", ("R", _F))],
                      ("P", _F), [("P", _T), ("Q", _T), ("?", "P")],
                      ["We know that {nR}. Suppose that {Q}; the rule 'if {Q}, then {R}' would give {R}, which is "
                       "false. So {nQ}.",
                       "Suppose that {P}; the rule 'if {P}, then {Q}' would give {Q}, which is false. So {nP}."]),
    "chain_affirm": ("hard", [("if", ("P", _T), ("Q", _T)), ("if", ("Q", _T), ("R", _T)), ("fact", ("R", _T))],
                     ("?", "P"), [("P", _T), ("P", _F), ("Q", _T)],
                     ["We know that {R}. The rules only say what follows when {P} and when {Q}.",
                      "{R} can hold whether or not {Q}, and whether or not {P}.",
                      "Whether {P} cannot be determined."]),
    "chain_deny": ("hard", [("if", ("P", _T), ("Q", _T)), ("if", ("Q", _T), ("R", _T)), ("fact", ("P", _F))],
                   ("?", "R"), [("R", _T), ("R", _F), ("Q", _F)],
                   ["We know that {nP}. The rules say nothing about what happens when {nP}, so nothing is "
                    "known about whether {Q}, nor about whether {R}.",
                    "Whether {R} cannot be determined."]),
    "blocked": ("hard", [("if", ("P", _T), ("Q", _T)), ("if", ("R", _T), ("Q", _F)), ("fact", ("R", _T))],
                ("P", _F), [("P", _T), ("Q", _T), ("?", "P")],
                ["We know that {R}. The rule 'if {R}, then {nQ}' gives: {nQ}.",
                 "Suppose that {P}; the rule 'if {P}, then {Q}' would give {Q}, which is false. So {nP}."]),
    "or_tollens": ("hard", [("or", ("P", _T), ("Q", _T)), ("if", ("P", _T), ("R", _T)), ("fact", ("R", _F))],
                   ("Q", _T), [("Q", _F), ("P", _T), ("?", "Q")],
                   ["We know that {nR}. Suppose that {P}; the rule 'if {P}, then {R}' would give {R}, which is "
                    "false. So {nP}.",
                    "We know that {P}, or {Q}, or both. Since {nP}, {Q}."]),
}


def _implication(rng, level):
    forms = [name for name, form in IMPLICATION_FORMS.items() if form[0] == level]
    _, premises, answer, distractors, reasoning = IMPLICATION_FORMS[rng.choice(forms)]
    atoms = sorted({x[0] for p in premises for x in p[1:]})
    clauses = dict(zip(atoms, rng.sample(_PROPOSITIONS, len(atoms))))

    def say(lit):
        atom, truth = lit
        return clauses[atom][0 if truth else 1]

    def premise_text(p):
        if p[0] == "if":
            return _sentence(f"if {say(p[1])}, then {say(p[2])}")
        if p[0] == "or":
            return _sentence(f"{say(p[1])}, or {say(p[2])}, or both")
        return _sentence(say(p[1]))

    def option_text(o):
        return f"It cannot be determined whether {clauses[o[1]][0]}." if o[0] == "?" else _sentence(say(o))

    premises = list(premises)
    if level == "hard":
        rng.shuffle(premises)
    question = ("Assume that all of the following statements are true.\n"
                + "\n".join(f"- {premise_text(p)}" for p in premises)
                + "\nWhich of the following follows from them?")
    names = {**{a: clauses[a][0] for a in atoms}, **{f"n{a}": clauses[a][1] for a in atoms}}
    return _finish(rng, question, option_text(answer), [option_text(d) for d in distractors],
                   [_sentence(line.format(**names)) for line in reasoning])


_LOGIC_FAMILIES = [_syllogism, _ordering, _knights, _implication]


def _logic_puzzle(rng: random.Random, level: str):
    return rng.choice(_LOGIC_FAMILIES)(rng, level)


def logic_records(split: str, n: int | None = None, seed: int = 0, difficulty: str = "mixed", **_) -> list[dict]:
    """Four-option deductive puzzles: syllogisms, orderings, knights and knaves, implications."""
    return _generate("synth_logic", split, n, seed, difficulty, _logic_puzzle, "choice")


# == knowledge =========================================================================================

def knowledge_split(fact: Fact) -> str:
    """A fact's split, fixed by a hash of its group: the same for every seed and difficulty."""
    return "test" if _stable_hash(f"synth_knowledge:{fact.group}") % 1000 < KNOWLEDGE_TEST_PERMILLE else "train"


def knowledge_records(split: str, n: int | None = None, seed: int = 0, difficulty: str = "mixed",
                      **_) -> list[dict]:
    """Open questions over the fact table in ``alice_eval.data.facts``: all facts of the split by default."""
    _check(split, difficulty)
    facts = [f for f in FACTS if knowledge_split(f) == split and difficulty in ("mixed", f.level)]
    _rng("synth_knowledge", split, seed, difficulty).shuffle(facts)
    if n is not None:
        facts = facts[:n]
    return [_record("synth_knowledge", split, i, "text", f.question, f.answer, aliases=f.aliases)
            for i, f in enumerate(facts)]
