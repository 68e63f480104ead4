"""Evaluation with lm-evaluation-harness: the one wrapper the CLI and the trainer call.

The ``alice_*`` tasks live in the installed folder ``alice_eval/tasks`` (:func:`tasks_dir`). lm-eval
0.4.13 has no task plugins: ``alice-train tasks install`` links them into lm-eval's own task folder
(:mod:`alice_eval.task_install`), after which stock ``lm_eval --tasks 'alice_*'`` finds them; where they
are not installed, every call here adds the folder as an include path.

:func:`evaluate` runs ``lm_eval.simple_evaluate`` on an HF model (zoo name, local folder or hub id, with
an optional PEFT adapter), greedy and zero-shot with the chat template, and writes the results JSON in
lm-eval's own format (plus an ``"alice"`` block when given), atomically.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import asdict
from importlib.resources import files
from pathlib import Path

from alice_eval import runtime
from alice_eval.runtime import atomic_write_text
from alice_eval.memory import release_memory

log = logging.getLogger(__name__)

REPORTED_METRICS = ("acc", "acc_flexible", "acc_parsed", "parse_rate")


def tasks_dir() -> Path:
    """The installed folder of the ``alice_*`` task YAMLs (pass it to lm-eval as ``--include_path``)."""
    return Path(str(files("alice_eval.tasks")))


class UnknownTaskError(ValueError):
    """A task name or pattern that matches no lm-eval task, group or tag."""


def task_manager(metadata: dict | None = None, *, include_defaults: bool = True):
    """An lm-eval ``TaskManager`` that knows the ``alice_*`` tasks (and lm-eval's own, by default).

    ``metadata`` reaches every task's dataset loader (e.g. ``{"alice_data_dir": ..., "n": 50}``).
    Indexing lm-eval's ~15,000 built-in task files takes seconds; ``include_defaults=False`` skips them.
    """
    from lm_eval.tasks import TaskManager

    from alice_eval import task_install

    # installed tasks sit among lm-eval's own; adding the folder again would index each task twice
    include = None if include_defaults and task_install.installed() else str(tasks_dir())
    return TaskManager(include_path=include, include_defaults=include_defaults, metadata=metadata or None)


def _split(patterns: str | Iterable[str]) -> list[str]:
    if isinstance(patterns, str):
        patterns = patterns.split(",")
    return [p.strip() for p in patterns if p and p.strip()]


def needs_builtin_tasks(patterns: str | Iterable[str]) -> bool:
    """Whether some pattern may name one of lm-eval's built-in tasks (anything not ``alice*``)."""
    return any(not p.startswith("alice") for p in _split(patterns))


def expand_tasks(patterns: str | Iterable[str], manager=None) -> list[str]:
    """Task, group and tag names for names or shell-style wildcards (``alice_synth_*``), in order given.

    ``patterns`` is a list or a comma-separated string. The Python API of lm-eval 0.4.13 does not expand
    wildcards itself. Tasks and groups that a selected group already contains are dropped
    (``alice*`` gives the group ``alice`` and ``alice-synth``): lm-eval would refuse them as duplicates. Raises :class:`UnknownTaskError` (a ``ValueError``) naming the first pattern that
    matches nothing.
    """
    patterns = _split(patterns)
    if not patterns:
        raise UnknownTaskError("no tasks given")
    manager = manager or task_manager(include_defaults=needs_builtin_tasks(patterns))
    known = set(manager.all_tasks)
    names: list[str] = []
    for pattern in patterns:
        matched = [pattern] if pattern in known else manager.match_tasks([pattern])
        if not matched:
            raise UnknownTaskError(f"no lm-eval task, group or tag matches {pattern!r} "
                                   f"(alice tasks: {', '.join(alice_task_names(manager))})")
        names.extend(m for m in matched if m not in names)
    # lm-eval refuses a task that is also inside another selected group ("Duplicate task"), which is
    # what a wildcard such as alice_* selects: keep the groups, drop what they already contain
    inside = set().union(*(_members(manager, name) for name in names))
    return [name for name in names if name not in inside]


def _members(manager, name: str, seen: frozenset = frozenset()) -> set[str]:
    """Every task and group inside a group, recursively (empty for a task)."""
    from lm_eval.tasks._index import Kind

    entry = manager.task_index.get(name)
    if entry is None or entry.kind is not Kind.GROUP or name in seen:
        return set()
    children = (entry.cfg or {}).get("task") or []
    out = set()
    for child in children if isinstance(children, list) else [children]:
        child = child if isinstance(child, str) else (child.get("group") or child.get("task"))
        if isinstance(child, str):
            out |= {child} | _members(manager, child, seen | {name})
    return out


def leave_out_unavailable(names: list[str], manager, options: dict | None = None) -> tuple[list[str], list[str]]:
    """(names to run, one line per task left out) for the real ``alice_*`` tasks whose data cannot be
    reached here (offline, not cached, no ``ALICE_DATA_DIR`` file). A group holding such a task is
    replaced by its other leaf tasks. lm-eval cannot build a task without documents, so this happens
    before it builds any."""
    from alice_eval.data.hf import DatasetUnavailableError
    from alice_eval.data.registry import DATASETS

    by_task = {spec.task: spec for spec in DATASETS.values() if not spec.name.startswith("synth_")}
    options = options or {}
    missing: dict[str, str] = {}

    def reachable(task: str) -> bool:
        if task not in by_task:
            return True
        if task not in missing:
            spec = by_task[task]
            kwargs = {"data_dir": options.get("alice_data_dir"), "source": options.get(f"{spec.name}_source")}
            try:
                spec.loader(spec.splits[1], **{k: v for k, v in kwargs.items() if v})
                missing[task] = ""
            except DatasetUnavailableError as err:
                missing[task] = f"{task} left out: {err}"
        return not missing[task]

    def leaves(name: str) -> list[str]:
        inside = sorted(_members(manager, name))
        return [m for m in inside if not _members(manager, m) and manager.task_index[m].kind.name != "GROUP"] \
            if inside else [name]

    keep: list[str] = []
    for name in names:
        members = leaves(name)
        if all(reachable(m) for m in members):
            keep.append(name)
        else:
            keep += [m for m in members if reachable(m) and m not in keep]
    return keep, [line for line in missing.values() if line]


def alice_task_names(manager=None) -> list[str]:
    """The ``alice_*`` tasks and groups that the installed task folder defines."""
    manager = manager or task_manager()
    root = tasks_dir().resolve()
    return sorted(name for name, entry in manager.task_index.items()
                  if entry.yaml_path is not None and Path(entry.yaml_path).resolve().parent == root)


def resolve_model(model: str) -> str:
    """A ``from_pretrained`` argument for a zoo name, a local folder or a hub id."""
    from alice_eval import zoo

    return zoo.resolve(model)


def evaluate(
    model: str,
    tasks: list[str] | str,
    *,
    output_path: Path | None = None,
    peft: str | None = None,
    model_args: dict | None = None,
    limit: int | float | None = None,
    batch_size: int | str = 8,
    gen_kwargs: dict | None = None,
    log_samples: bool = False,
    apply_chat_template: bool = True,
    device: str | None = None,
    metadata: dict | None = None,
    extra: dict | None = None,
    engine=None,
    stage: str = "",
) -> dict:
    """Evaluate an HF model on lm-eval tasks (names or wildcards) and return lm-eval's results dict.

    ``model_args`` are HFLM arguments (``dtype``, ``tokenizer``, ``peft``, ...) and win over the
    defaults; ``metadata`` reaches the tasks' dataset loaders. With ``output_path`` (a ``.json`` file, or
    a folder that receives ``results.json``) the results are written atomically, and with
    ``log_samples`` the per-document samples go beside it as ``<stem>_samples_<task>.jsonl``. ``extra``
    is stored under the top-level key ``"alice"`` (run, method, models: what the leaderboard reads).
    The returned dict holds the samples under ``"samples"`` when ``log_samples`` is set. ``engine``: a
    loaded :class:`alice_eval.generation.Generator` to answer with (see :class:`EngineLM`) instead of
    lm-eval's own HF model; ``stage``: the run stage it is part of (for its kill point).
    """
    from lm_eval import simple_evaluate
    from lm_eval.loggers import EvaluationTracker

    device = device or runtime.device()
    args: dict = {"pretrained": str(model), "dtype": runtime.dtype_name("auto", device),
                  "trust_remote_code": runtime.remote_code()}
    if peft:
        args["peft"] = str(peft)
    args.update(model_args or {})
    for key in ("pretrained", "peft", "tokenizer"):
        if isinstance(args.get(key), Path):
            args[key] = str(args[key])

    # like the lm_eval CLI: model_args and --metadata both reach the tasks' dataset loaders
    manager = task_manager({**args, **(metadata or {})}, include_defaults=needs_builtin_tasks(tasks))
    names = expand_tasks(tasks, manager)                  # unknown tasks fail before any model is touched
    args["pretrained"] = resolve_model(args["pretrained"])
    if args.get("peft"):
        args["peft"] = resolve_model(args["peft"])
    names, left_out = leave_out_unavailable(names, manager, {**args, **(metadata or {})})
    for line in left_out:
        log.warning(line)
    if not names:
        raise UnknownTaskError(f"no selected task has data here: {'; '.join(left_out)}")
    tracker = EvaluationTracker()
    if engine is not None:
        from alice_eval.engine_lm import EngineLM

        lm = EngineLM(engine, args["pretrained"], stage)
    else:
        lm = _merged_lm(args, batch_size, device) if args.get("peft") else "hf"
    results = simple_evaluate(
        model=lm, model_args=None if not isinstance(lm, str) else args, tasks=names, task_manager=manager,
        limit=limit, batch_size=batch_size, device=device,
        gen_kwargs=dict(gen_kwargs) if gen_kwargs else None,
        log_samples=True, apply_chat_template=apply_chat_template,     # samples say where the data came from
        evaluation_tracker=tracker,
    )
    release_memory()                          # the harness's model sits in reference cycles: free it now
    if results is None:                       # not the main process of a distributed run
        return {}
    if not isinstance(lm, str):
        results["config"]["model_args"] = args      # what a plain `lm_eval --model_args` would record
    tracker.general_config_tracker.log_end_time()
    samples = results.pop("samples", None)
    results["task_hashes"] = _task_hashes(samples)
    results["alice_left_out"] = left_out
    results["alice_verdicts"] = verdicts(samples)
    results["alice_opens_with_answer"] = opens_with_answer(samples)
    if not isinstance(lm, str) and hasattr(lm, "at_budget"):     # answers cut by max_gen_toks, per task
        results["alice_at_budget"] = dict(lm.at_budget)
    results["alice_data_sources"] = {task: sorted({str(s["doc"]["source"]) for s in rows if s["doc"].get("source")})
                                     for task, rows in (samples or {}).items()
                                     if any(s["doc"].get("source") for s in rows)}
    results.update(asdict(tracker.general_config_tracker))
    if extra is not None:
        results["alice"] = dict(extra)
    if output_path is not None:
        write_results(results, output_path, samples if log_samples else None)
    if samples is not None and log_samples:
        results["samples"] = samples
    return results


def _question_key(sample: dict) -> str:
    return str(sample["doc"].get("qid") or sample["doc_id"])


def verdicts(samples: dict | None) -> dict[str, dict[str, float]]:
    """Per task, each question's ``acc`` (by qid): what paired comparisons between methods read."""
    return {task: {_question_key(s): float(s["acc"]) for s in rows if "acc" in s}
            for task, rows in (samples or {}).items()}


def opens_with_answer(samples: dict | None) -> dict[str, float]:
    """Per task, the share of responses that *open* with the answer marker (``####``, ``My choice
    is``): a student whose format collapsed answers first and reasons after, or not at all."""
    from alice_eval.scoring import CHOICE_MARK, NUMBER_MARK

    out = {}
    for task, rows in (samples or {}).items():
        texts = [str(s["resps"][0][0]).lstrip() for s in rows if s.get("resps")]
        if texts and rows[0]["doc"].get("kind") in ("number", "choice"):
            out[task] = sum(t.startswith((NUMBER_MARK, CHOICE_MARK)) for t in texts) / len(texts)
    return out


def _merged_lm(args: dict, batch_size: int | str, device: str):
    """lm-eval's HF model over ``pretrained`` + the ``peft`` adapter merged in memory (see
    :func:`alice_eval.generation.load_model`); the other HFLM arguments pass through."""
    from lm_eval.models.huggingface import HFLM

    from alice_eval.generation import load_model

    model = load_model(args["pretrained"], args["peft"], args.get("dtype", "auto"))
    rest = {k: v for k, v in args.items() if k not in ("pretrained", "peft", "dtype", "tokenizer")}
    return HFLM(pretrained=model.to(device).eval(), tokenizer=args.get("tokenizer") or args["pretrained"],
                batch_size=batch_size, **rest)


def _task_hashes(samples: dict | None) -> dict:
    if not samples:
        return {}
    from lm_eval.utils import hash_string

    return {task: hash_string("".join(s["doc_hash"] + s["prompt_hash"] + s["target_hash"] for s in rows))
            for task, rows in samples.items()}


def results_file(output_path: str | Path) -> Path:
    """The results JSON an ``output_path`` names: itself if it ends in ``.json``, else ``<it>/results.json``."""
    path = Path(output_path)
    return path if path.suffix == ".json" else path / "results.json"


def write_results(results: dict, output_path: str | Path, samples: dict | None = None) -> Path:
    """Write lm-eval's results dict (and samples as JSONL beside it) atomically; returns the JSON path."""
    from lm_eval.utils import handle_non_serializable

    path = results_file(output_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {k: v for k, v in results.items() if k != "samples"}
    atomic_write_text(path, json.dumps(body, indent=2, default=handle_non_serializable, ensure_ascii=False))
    for task, rows in (samples or {}).items():
        lines = (json.dumps(_sample_row(row), default=handle_non_serializable, ensure_ascii=False)
                 for row in rows)
        atomic_write_text(path.with_name(f"{path.stem}_samples_{task}.jsonl"), "".join(f"{x}\n" for x in lines))
    return path


def _sample_row(sample: dict) -> dict:
    """One sample in the shape ``lm_eval --log_samples`` writes (arguments as ``gen_args_i.arg_j``)."""
    row = dict(sample)
    row["arguments"] = {f"gen_args_{i}": {f"arg_{j}": a for j, a in enumerate(arg)}
                        for i, arg in enumerate(sample.get("arguments") or [])}
    row["target"] = str(sample.get("target"))
    return row


def category_average(results: dict, group: str = "alice",
                 metrics: Iterable[str] = REPORTED_METRICS) -> dict[str, float]:
    """Mean over a group's *direct* subgroups (``alice``: math, logic, knowledge), one value per metric.

    lm-eval 0.4.13 aggregates every group over its leaf tasks, so its ``alice`` row weighs the two
    knowledge tasks twice; this is the per-category macro average instead. Missing values are skipped.
    """
    children = (results.get("group_subtasks") or {}).get(group) or []
    table = results.get("results") or {}
    out = {}
    for metric in metrics:
        values = []
        for child in children:
            value = (table.get(child) or {}).get(f"{metric},none")
            try:
                values.append(float(value))
            except (TypeError, ValueError):
                continue
        if values:
            out[metric] = sum(values) / len(values)
    return out
