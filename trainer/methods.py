"""The methods, each declared once: what it needs, the stages it runs, and how it trains its student.

Everything that lists methods reads :data:`METHODS`: recipe validation and ``--methods``
(``alice_eval.trainer.config``), the leaderboard's order (``alice_eval.leaderboard``) and the
remaining-time plan (:func:`plan`). Adding a method is one entry here and one function that returns its
trained model from the pipeline's building blocks (``alice_eval.trainer.pipeline``); the pipeline
evaluates it as ``<name>/eval``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from alice_eval import prompts

if TYPE_CHECKING:
    from alice_eval.trainer.pipeline import ModelRef, Pipeline

TEACHER = ("teacher/cot", "teacher/sft")                                  # the CoT-trained weak teacher
TEACHER_SIDE = ("teacher/sample", "teacher/cluster", "teacher/uncertainty")   # its samples over the pool
STUDENT_SIDE = ("zeroshot", "revise", "labels", "sft")                    # an Alice round's student stages


@dataclass(frozen=True)
class Method:
    name: str
    summary: str
    train: Callable[["Pipeline"], "ModelRef"]       # the trained student (or model) to evaluate
    stages: Callable[[int], tuple[str, ...]]        # stage folders it passes through, given the chain length
    needs_teacher: bool = False                     # the CoT-trained weak teacher
    needs_chain: bool = False                       # models.chain (weak -> mid ... -> strong)


def _gold(p: "Pipeline", which: str) -> "ModelRef":
    """The base model ``which`` (weak or strong) fine-tuned on the pool's gold answers."""
    pool = p.pool
    base = p.base(getattr(p.recipe.models, which))
    return p.train(f"{which}/sft", base, pool, [prompts.gold_completion(q) for q in pool])


def _w2sg(p: "Pipeline", name: str, teacher: "ModelRef") -> "ModelRef":
    """Original W2SG: the teacher labels the pool once; the strong model trains on the non-empty labels."""
    labels = p.generate(f"{name}/label", teacher, p.pool, prompts.question_prompt, p.recipe.label, "label")
    kept = [q for q in p.pool if labels[q["qid"]].strip()]
    p.note_labels(name, p.pool, {q["qid"]: labels[q["qid"]] for q in kept})
    return p.train(f"{name}/sft", p.base(p.recipe.models.strong), kept, [labels[q["qid"]] for q in kept])


def _alice(p: "Pipeline", name: str = "alice", with_doubt: bool = True) -> "ModelRef":
    clusters, uncertainty = p.teacher_side("teacher", p.teacher(), p.pool)
    strong = p.base(p.recipe.models.strong)
    questions, targets = p.alice_round(name, strong, p.pool, clusters, uncertainty if with_doubt else None,
                                       zeroshot_scope="alice")     # one zero-shot pass serves both
    return p.train(f"{name}/sft", strong, questions, targets)


def _cascade_stages(chain_length: int) -> tuple[str, ...]:
    out = list(TEACHER + TEACHER_SIDE)
    for i in range(1, chain_length):
        scope = f"cascade_alice/stage{i}"
        if i > 1:
            out += [f"cascade_alice/stage{i - 1}/merge", *(f"{scope}/{s.split('/')[1]}" for s in TEACHER_SIDE)]
        out += [f"{scope}/{s}" for s in STUDENT_SIDE]
    return tuple(out)


METHODS: dict[str, Method] = {m.name: m for m in (
    Method("weak", "the weak model trained on gold labels (the floor)",
           lambda p: _gold(p, "weak"), lambda _: ("weak/sft",)),
    Method("strong", "the strong model trained on gold labels (the ceiling)",
           lambda p: _gold(p, "strong"), lambda _: ("strong/sft",)),
    Method("strong_base", "the untuned strong model (what a trained student's parse rate is checked against)",
           lambda p: p.base(p.recipe.models.strong), lambda _: ()),
    Method("w2sg", "original W2SG: the strong model trained on the CoT teacher's labels",
           lambda p: _w2sg(p, "w2sg", p.teacher()), lambda _: (*TEACHER, "w2sg/label", "w2sg/sft"),
           needs_teacher=True),
    Method("w2sg_qa", "W2SG with an answer-only teacher (trained on the gold answer lines)",
           lambda p: _w2sg(p, "w2sg_qa", p.qa_teacher()),
           lambda _: ("teacher_qa/sft", "w2sg_qa/label", "w2sg_qa/sft")),
    Method("alice", "Alice: the teacher's clustered answers and worded doubt, the student's revisions",
           _alice, lambda _: (*TEACHER, *TEACHER_SIDE, *(f"alice/{s}" for s in STUDENT_SIDE)),
           needs_teacher=True),
    Method("alice_no_uncertainty", "Alice's ablation: the revision sees the teacher's answer but not its doubt",
           lambda p: _alice(p, "alice_no_uncertainty", with_doubt=False),
           lambda _: (*TEACHER, *TEACHER_SIDE, "alice/zeroshot",
                      *(f"alice_no_uncertainty/{s}" for s in STUDENT_SIDE[1:])), needs_teacher=True),
    Method("cascade_alice", "Alice chained weak -> mid ... -> strong on disjoint slices of the pool",
           lambda p: p.cascade(), _cascade_stages, needs_teacher=True, needs_chain=True),
)}

def names() -> tuple[str, ...]:
    """Every method, in the registry's order (the leaderboard's and the run's)."""
    return tuple(METHODS)


def plan(methods: list[str], chain_length: int) -> list[str]:
    """The stage names a run of ``methods`` passes through, in run order, each once."""
    out = ["data/split"]
    for name in names():
        if name in methods:
            out += [s for s in (*METHODS[name].stages(chain_length), f"{name}/eval") if s not in out]
    return out
