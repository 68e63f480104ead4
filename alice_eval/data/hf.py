"""The four real benchmarks as records, from the HF hub or from local files shaped like it.

Each loader takes the split and, optionally, ``data_dir`` (or ``$ALICE_DATA_DIR``): a folder holding
``<dataset>/<split>.jsonl`` with the hub dataset's own columns. Tests and air-gapped machines use that;
everywhere else the hub dataset is loaded with ``datasets.load_dataset`` (parquet repos only: datasets 5
runs no loading scripts). ``path``/``config`` options override the hub id.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from alice_eval.scoring import normalize_number

HUB = {
    "gsm8k": ("openai/gsm8k", "main"),
    "arc_challenge": ("allenai/ai2_arc", "ARC-Challenge"),
    "triviaqa": ("mandarjoshi/trivia_qa", "rc.nocontext"),
    "hotpotqa": ("hotpotqa/hotpot_qa", "distractor"),   # closed book: the context column is ignored
}


def _rows(name: str, split: str, data_dir: str | None = None, path: str | None = None,
          config: str | None = None, **_) -> list[dict]:
    import datasets

    data_dir = data_dir or os.environ.get("ALICE_DATA_DIR")
    if data_dir:
        file = Path(data_dir) / name / f"{split}.jsonl"
        if not file.is_file():
            raise FileNotFoundError(f"{file}: no local {name} {split} split; write it or unset ALICE_DATA_DIR")
        return list(datasets.load_dataset("json", data_files={split: str(file)}, split=split))
    hub_path, hub_config = HUB[name]
    return list(datasets.load_dataset(path or hub_path, config or hub_config, split=split))


_CALCULATOR = re.compile(r"<<[^>]*>>")


def load_gsm8k(split: str, **options) -> list[dict]:
    records = []
    for i, row in enumerate(_rows("gsm8k", split, **options)):
        rationale, _, final = row["answer"].rpartition("####")
        answer = normalize_number(final) or final.strip()
        records.append({
            "qid": f"gsm8k-{split}-{i:05d}", "question": row["question"], "kind": "number",
            "answer": answer, "aliases": [], "choices": [], "labels": [],
            # calculator annotations (<<48/2=24>>) are tool markup, not reasoning: drop them
            "rationale": f"{_CALCULATOR.sub('', rationale).strip()}\n#### {answer}",
        })
    return records


def load_arc_challenge(split: str, **options) -> list[dict]:
    records = []
    for row in _rows("arc_challenge", split, **options):
        labels = [str(label) for label in row["choices"]["label"]]
        records.append({
            "qid": f"arc_challenge-{split}-{row['id']}", "question": row["question"], "kind": "choice",
            "answer": str(row["answerKey"]).strip(), "aliases": [], "choices": list(row["choices"]["text"]),
            "labels": labels, "rationale": "",
        })
    return records


def load_triviaqa(split: str, **options) -> list[dict]:
    records = []
    for row in _rows("triviaqa", split, **options):
        answer = row["answer"]
        aliases = list(dict.fromkeys([answer["value"], *answer.get("aliases", []),
                                      *answer.get("normalized_aliases", [])]))
        records.append({
            "qid": f"triviaqa-{split}-{row['question_id']}", "question": row["question"], "kind": "text",
            "answer": answer["value"], "aliases": aliases, "choices": [], "labels": [], "rationale": "",
        })
    return records


def load_hotpotqa(split: str, **options) -> list[dict]:
    return [{
        "qid": f"hotpotqa-{split}-{row['id']}", "question": row["question"], "kind": "text",
        "answer": row["answer"], "aliases": [row["answer"]], "choices": [], "labels": [], "rationale": "",
    } for row in _rows("hotpotqa", split, **options)]
