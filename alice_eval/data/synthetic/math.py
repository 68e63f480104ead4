"""synth_math: arithmetic word problems of one to three steps."""

from __future__ import annotations

import random

from alice_eval.data.synthetic.common import LEVELS, _a, _generate, _person
from alice_eval.prompts import answer_line


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


