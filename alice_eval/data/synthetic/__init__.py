"""Synthetic datasets, generated in code: ``synth_math``, ``synth_logic`` and ``synth_knowledge``.

They need no download and can be made as large as a run needs. Every generator is deterministic:
its random source is ``random.Random`` seeded from the string ``"name|split|seed|difficulty"``
(never the global RNG, never ``hash()``), so the same arguments give the same records anywhere.

Train and test never share a question. Math and logic questions are assigned to a split by a hash
of their text, and each split only keeps its own; knowledge splits the facts themselves by a hash
of the fact's group, so a test fact is never asked in train.

Difficulty is meant to separate a ~100M-parameter model from a ~1B one: math stays at one to three
steps with mostly two-digit numbers, logic puzzles are short enough to solve by careful reading.

One module per generator (``math``, ``logic``, ``knowledge``) over what ``common`` shares.
"""

from alice_eval.data.synthetic.common import DIFFICULTIES, KNOWLEDGE_TEST_PERMILLE, LEVELS, SPLITS
from alice_eval.data.synthetic.knowledge import knowledge_records, knowledge_split
from alice_eval.data.synthetic.logic import IMPLICATION_FORMS, SYLLOGISM_FORMS, UNKNOWN, logic_records
from alice_eval.data.synthetic.math import math_records

__all__ = ["DIFFICULTIES", "IMPLICATION_FORMS", "KNOWLEDGE_TEST_PERMILLE", "LEVELS", "SPLITS", "SYLLOGISM_FORMS",
           "UNKNOWN", "knowledge_records", "knowledge_split", "logic_records", "math_records"]
