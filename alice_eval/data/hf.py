"""The four real benchmarks as records, from the HF hub, from local files shaped like it, or packaged.

Each loader takes the split and these options:

- ``data_dir`` (or ``$ALICE_DATA_DIR``): a folder holding ``<dataset>/<split>.jsonl`` with the hub
  dataset's own columns. Tests and air-gapped machines use that;
- otherwise the hub dataset, loaded with ``datasets.load_dataset`` (parquet repos only: datasets 5 runs
  no loading scripts); ``path``/``config`` override the hub id. When the hub cannot be reached (offline,
  or no network) GSM8K's test split falls back to the verified packaged copy
  (:mod:`alice_eval.data.packaged`); the other benchmarks raise :class:`DatasetUnavailableError`;
- ``source: packaged`` (GSM8K only): the packaged test split re-split into train and test, for offline
  training runs on a real benchmark.

Every record carries ``source``: where its rows came from.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from alice_eval.data import packaged
from alice_eval.scoring import normalize_number

log = logging.getLogger(__name__)

HUB = {
    "gsm8k": ("openai/gsm8k", "main"),
    "arc_challenge": ("allenai/ai2_arc", "ARC-Challenge"),
    "triviaqa": ("mandarjoshi/trivia_qa", "rc.nocontext"),
    "hotpotqa": ("hotpotqa/hotpot_qa", "distractor"),   # closed book: the context column is ignored
}


class DatasetUnavailableError(ConnectionError):
    """A benchmark whose rows cannot be reached from here (offline and not cached, no local file)."""


SOURCES = ("auto", "hub", "packaged")


def _rows(name: str, split: str, data_dir: str | None = None, path: str | None = None,
          config: str | None = None, source: str | None = None, **_) -> tuple[list[dict], str]:
    """(rows, where they came from)."""
    import datasets

    source = source or "auto"
    if source not in SOURCES or (source == "packaged" and name != "gsm8k"):
        allowed = "auto, hub, packaged" if name == "gsm8k" else "auto, hub"
        raise ValueError(f"{name}: unknown source {source!r}; choose {allowed}")
    if source == "packaged":
        return packaged.gsm8k(split, resplit=True), f"{packaged.describe()} (re-split: {split})"
    data_dir = data_dir or os.environ.get("ALICE_DATA_DIR")
    if data_dir and source == "auto":
        file = Path(data_dir) / name / f"{split}.jsonl"
        if not file.is_file():
            raise FileNotFoundError(f"{file}: no local {name} {split} split; write it or unset ALICE_DATA_DIR")
        return list(datasets.load_dataset("json", data_files={split: str(file)}, split=split)), f"local:{file}"
    hub_path, hub_config = path or HUB[name][0], config or HUB[name][1]
    try:
        return list(datasets.load_dataset(hub_path, hub_config, split=split)), f"hub:{hub_path}"
    except ConnectionError as err:           # offline mode, or no network: datasets raises this
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        if name == "gsm8k" and split == "test" and source == "auto" and not path:
            log.warning("gsm8k: %s; using the packaged copy %s", reason, packaged.describe())
            return packaged.gsm8k(split), packaged.describe()
        hint = "; or source: packaged (GSM8K's packaged test split, re-split)" if name == "gsm8k" else ""
        raise DatasetUnavailableError(
            f"{name}: {hub_path} is unreachable ({reason}); put {name}/{split}.jsonl under ALICE_DATA_DIR, "
            f"or run once online to cache it{hint}") from None


_CALCULATOR = re.compile(r"<<[^>]*>>")


def load_gsm8k(split: str, **options) -> list[dict]:
    records = []
    rows, source = _rows("gsm8k", split, **options)
    for i, row in enumerate(rows):
        rationale, _, final = row["answer"].rpartition("####")
        answer = normalize_number(final) or final.strip()
        records.append({
            "qid": f"gsm8k-{split}-{i:05d}", "question": row["question"], "kind": "number",
            "answer": answer, "aliases": [], "choices": [], "labels": [],
            # calculator annotations (<<48/2=24>>) are tool markup, not reasoning: drop them
            "rationale": f"{_CALCULATOR.sub('', rationale).strip()}\n#### {answer}", "source": source,
        })
    return records


def load_arc_challenge(split: str, **options) -> list[dict]:
    records = []
    rows, source = _rows("arc_challenge", split, **options)
    for row in rows:
        labels = [str(label) for label in row["choices"]["label"]]
        records.append({
            "qid": f"arc_challenge-{split}-{row['id']}", "question": row["question"], "kind": "choice",
            "answer": str(row["answerKey"]).strip(), "aliases": [], "choices": list(row["choices"]["text"]),
            "labels": labels, "rationale": "", "source": source,
        })
    return records


def load_triviaqa(split: str, **options) -> list[dict]:
    records = []
    rows, source = _rows("triviaqa", split, **options)
    for row in rows:
        answer = row["answer"]
        aliases = list(dict.fromkeys([answer["value"], *answer.get("aliases", []),
                                      *answer.get("normalized_aliases", [])]))
        records.append({
            "qid": f"triviaqa-{split}-{row['question_id']}", "question": row["question"], "kind": "text",
            "answer": answer["value"], "aliases": aliases, "choices": [], "labels": [], "rationale": "",
            "source": source,
        })
    return records


def load_hotpotqa(split: str, **options) -> list[dict]:
    rows, source = _rows("hotpotqa", split, **options)
    return [{
        "qid": f"hotpotqa-{split}-{row['id']}", "question": row["question"], "kind": "text",
        "answer": row["answer"], "aliases": [row["answer"]], "choices": [], "labels": [], "rationale": "",
        "source": source,
    } for row in rows]
