"""What the three generators share: splits, difficulty, seeding, record shape, and the cast of people."""

from __future__ import annotations

import hashlib
import random
from typing import Callable

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


