"""synth_logic: four-option deductive puzzles (syllogisms, orderings, knights and knaves, implications)."""

from __future__ import annotations

import itertools
import random

from alice_eval.data.synthetic.common import _NAMES, _PEOPLE, LABELS, _generate
from alice_eval.prompts import answer_line


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
UNKNOWN = "It cannot be determined from the information given."


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
        wrong = rng.sample(others, 2) + [UNKNOWN]
        chain = ", ".join(people)
        reasoning = [f"Putting the statements together gives the order from {most} to {least}: {chain}.",
                     f"So the {word} is {answer}."]
        return _finish(rng, question, f"{answer}.", [w if w == UNKNOWN else f"{w}." for w in wrong], reasoning)
    first = orders[0]
    second = next(o for o in orders if o[index] != first[index])
    wrong = rng.sample(people, 3)
    reasoning = [f"The statements fix only part of the order. Both the order {', '.join(first)} and the order "
                 f"{', '.join(second)} (from {most} to {least}) agree with every statement.",
                 f"In the first, the {word} is {first[index]}; in the second, it is {second[index]}.",
                 "So the statements do not settle who it is."]
    return _finish(rng, question, UNKNOWN, [f"{w}." for w in wrong], reasoning)


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


