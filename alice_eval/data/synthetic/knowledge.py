"""synth_knowledge: open questions over the fact table in alice_eval.data.facts."""

from __future__ import annotations

from alice_eval.data.facts import FACTS, Fact
from alice_eval.data.synthetic.common import KNOWLEDGE_TEST_PERMILLE, _check, _record, _rng, _stable_hash


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
