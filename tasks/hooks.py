"""The functions the alice_* task YAMLs name with ``!function hooks.<name>``.

lm-eval loads this file by path under a synthetic module name, so it must use absolute imports only.
It stays thin: records come from ``alice_eval.data``, prompts from ``alice_eval.prompts``, verdicts from
``alice_eval.scoring`` -- the same code the trainer uses.

Dataset options reach the loaders as keyword arguments: lm-eval passes ``custom_dataset`` the merged
task metadata (YAML ``metadata`` < TaskManager / ``--metadata`` < ``model_args``). Keys read here:

- ``alice_data_dir`` (or ``$ALICE_DATA_DIR``): folder of ``<dataset>/<split>.jsonl`` for the real
  benchmarks, instead of the HF hub;
- ``<dataset>_source`` (``gsm8k_source: packaged``): the loader's ``source`` option (alice_eval.data.hf);
- ``seed``, ``n``, ``difficulty``: the synthetic generators' options (defaults in the task YAMLs).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from alice_eval import data, prompts, scoring
from alice_eval.data.hf import DatasetUnavailableError

SYNTHETIC_OPTIONS = ("seed", "n", "difficulty")


def _records(name: str, options: dict) -> "datasets.DatasetDict":  # noqa: F821
    import datasets

    if name.startswith("synth_"):
        kwargs = {k: options[k] for k in SYNTHETIC_OPTIONS if options.get(k) is not None}
    else:
        data_dir = options.get("alice_data_dir") or os.environ.get("ALICE_DATA_DIR")
        kwargs = {"data_dir": str(data_dir)} if data_dir else {}
        if options.get(f"{name}_source"):
            kwargs["source"] = options[f"{name}_source"]
    try:
        records = data.load(name, "test", **kwargs)
    except DatasetUnavailableError as err:
        # lm-eval 0.4.13 builds every selected task before it runs any and cannot build one without
        # documents, so a task cannot leave itself out: stop with one line instead of a traceback
        # (`alice-train eval` leaves such tasks out before building them)
        raise SystemExit(f"alice_{name}: {err}. Offline, select the tasks with data, "
                         "e.g. --tasks 'alice_gsm8k,alice_synth_*'") from None
    if not records:
        raise ValueError(f"alice_{name}: the test split is empty (options {kwargs})")
    return datasets.DatasetDict({"test": datasets.Dataset.from_list(records)})


def _loader(name: str):
    """The ``custom_dataset`` function of task ``alice_<name>``."""
    def load(**options):
        return _records(name, options)

    load.__name__ = f"load_{name}"
    return load


# one per dataset: the task YAMLs name them (`custom_dataset: !function hooks.load_gsm8k`)
load_gsm8k, load_arc_challenge, load_triviaqa, load_hotpotqa = map(
    _loader, ["gsm8k", "arc_challenge", "triviaqa", "hotpotqa"])
load_synth_math, load_synth_logic, load_synth_knowledge = map(_loader, ["synth_math", "synth_logic", "synth_knowledge"])
load_ood_math, load_ood_logic, load_ood_knowledge = map(_loader, ["ood_math", "ood_logic", "ood_knowledge"])


def doc_to_text(doc: dict) -> str:
    return prompts.question_prompt(doc)


def doc_to_target(doc: dict) -> str:
    return str(doc["answer"])


def process_results(doc: dict, results: Sequence[str]) -> dict:
    """``acc`` and ``parse_rate`` per response; ``acc_parsed`` as a (correct, parsed) pair for
    :func:`parsed_mean`."""
    per = scoring.metrics(doc, results[0])
    return {**per, "acc_parsed": (per["acc"], per["parse_rate"])}


def process_results_f1(doc: dict, results: Sequence[str]) -> dict:
    """:func:`process_results` plus SQuAD token ``f1`` against the best-matching gold answer."""
    golds = list(doc.get("aliases") or []) or [str(doc["answer"])]
    f1 = max(scoring.token_f1(results[0], gold) for gold in golds)
    return {**process_results(doc, results), "f1": f1}


def parsed_mean(items: Sequence[Sequence[float]]) -> float:
    """Accuracy over parsed responses only: sum(correct) / sum(parsed); 0.0 when nothing parsed."""
    parsed = sum(p for _, p in items)
    return sum(c for c, _ in items) / parsed if parsed else 0.0
