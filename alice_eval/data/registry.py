"""Which datasets exist, their answer kind and category, and which lm-eval task scores them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from alice_eval.data import handwritten, hf, synthetic


@dataclass(frozen=True)
class DatasetSpec:
    name: str                      # what recipes say: "gsm8k", "synth_math"
    kind: str                      # answer kind, see alice_eval.scoring
    category: str                  # in the leaderboard: "math" | "logic" | "knowledge" | "ood"
    loader: Callable[..., list[dict]]   # loader(split, **options) -> records
    splits: tuple[str, str]        # (train split, test split)
    trainable: bool = True         # False: evaluation only (the hand-written check)

    @property
    def task(self) -> str:
        """The lm-eval task that evaluates this dataset."""
        return f"alice_{self.name}"


DATASETS: dict[str, DatasetSpec] = {
    "gsm8k": DatasetSpec("gsm8k", "number", "math", hf.load_gsm8k, ("train", "test")),
    "arc_challenge": DatasetSpec("arc_challenge", "choice", "logic", hf.load_arc_challenge, ("train", "test")),
    "triviaqa": DatasetSpec("triviaqa", "text", "knowledge", hf.load_triviaqa, ("train", "validation")),
    "hotpotqa": DatasetSpec("hotpotqa", "text", "knowledge", hf.load_hotpotqa, ("train", "validation")),
    "synth_math": DatasetSpec("synth_math", "number", "math", synthetic.math_records, ("train", "test")),
    "synth_logic": DatasetSpec("synth_logic", "choice", "logic", synthetic.logic_records, ("train", "test")),
    "synth_knowledge": DatasetSpec("synth_knowledge", "text", "knowledge", synthetic.knowledge_records,
                                   ("train", "test")),
    # hand-written, evaluated for every trained student (eval.ood) so a collapse shows off the generators' path
    "ood_math": DatasetSpec("ood_math", "number", "ood", handwritten.math_records, ("train", "test"), False),
    "ood_logic": DatasetSpec("ood_logic", "choice", "ood", handwritten.logic_records, ("train", "test"), False),
    "ood_knowledge": DatasetSpec("ood_knowledge", "text", "ood", handwritten.knowledge_records, ("train", "test"),
                                 False),
}
OOD_TASKS = tuple(s.task for s in DATASETS.values() if not s.trainable)


def names() -> list[str]:
    return list(DATASETS)


def spec(name: str) -> DatasetSpec:
    try:
        return DATASETS[name]
    except KeyError:
        raise ValueError(f"unknown dataset {name!r}; choose one of: {', '.join(DATASETS)}") from None


def load(name: str, split: str, **options) -> list[dict]:
    """Records of one split; ``split`` may be "train"/"test" or the dataset's own split name."""
    s = spec(name)
    split = {"train": s.splits[0], "test": s.splits[1]}.get(split, split)
    return s.loader(split, **options)
