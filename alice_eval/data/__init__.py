"""Datasets as lists of *records*: the one shape every stage, task and scorer reads.

A record is a JSON-able dict:

    qid        stable id, unique within a dataset split ("synth_math-test-00017", "gsm8k-train-42")
    question   the question text alone (no options, no format instruction)
    kind       "number" | "choice" | "text": how an answer is extracted and scored (alice_eval.scoring)
    answer     gold final answer: a number string ("18"), a choice label ("B"), or answer text
    aliases    accepted answer strings for "text" (the answer included); [] otherwise
    choices    option texts for "choice", in display order; [] otherwise
    labels     option labels for "choice" ("A".."D", or "1".."4" as some ARC items have); [] otherwise
    rationale  gold step-by-step solution ending in the answer line, or "" when the dataset has none

``load(name, split)`` is the entry point; ``names()`` lists what it knows.
"""

from __future__ import annotations

from alice_eval.data.registry import DATASETS, load, names

__all__ = ["DATASETS", "load", "names"]
