"""`alice-train check-gsm8k`: alice_gsm8k's scorer against lm-eval's own gsm8k filters, answer by answer.

One model answers the first N questions of the packaged GSM8K test split once, through ``alice_gsm8k``
(zero-shot, chat template, greedy). The same answers are then scored twice: by ``alice_eval.scoring``
(``acc``: the number after the last ``####``), and by lm-eval's built-in ``gsm8k`` task definition, loaded
from lm-eval's own YAML and pointed at the same file: its ``strict-match`` filter (the number after
``#### ``) and ``flexible-extract`` (the last number anywhere), each with its ``exact_match`` metric.
``acc`` is set beside ``strict-match`` and ``acc_flexible`` (``\\boxed{}``, "the answer is", the last
number) beside ``flexible-extract``. Where verdicts differ, the answers are kept, so that the table can
say why; ``--rescore`` scores stored answers again after a scorer change, without a model.
"""

from __future__ import annotations

import json
from pathlib import Path

from alice_eval.runtime import atomic_write_text

FILTERS = ("strict-match", "flexible-extract")


def lm_eval_gsm8k_task():
    """lm-eval's built-in gsm8k task (its own YAML), reading the packaged test file instead of the hub."""
    from lm_eval.tasks import TaskManager, get_task_dict
    from lm_eval.tasks._yaml_loader import load_yaml

    from alice_eval.data import packaged

    packaged.gsm8k_test_rows()                                  # verified before anything is scored
    file = str(packaged.files_path())
    config = load_yaml(TaskManager().task_index["gsm8k"].yaml_path, resolve_func=True, recursive=True)
    config.update({"dataset_path": "json", "dataset_name": None, "num_fewshot": 0,
                   "dataset_kwargs": {"data_files": {"test": file, "train": file}}})
    return get_task_dict([config], TaskManager())["gsm8k"]


def lm_eval_verdicts(task, docs: list[dict], responses: list[str]) -> dict[str, list[float]]:
    """``exact_match`` of each response under each of the task's filters, through lm-eval's own code."""
    from lm_eval.api.instance import Instance

    instances = [Instance("generate_until", doc, ("", {}), idx=0, metadata=("gsm8k", i, 1))
                 for i, doc in enumerate(docs)]
    for inst, response in zip(instances, responses):
        inst.resps = [response]
    for ensemble in task._filters:
        ensemble.apply(instances)
    return {name: [float(task.process_results(inst.doc, [inst.filtered_resps[name]])["exact_match"])
                   for inst in instances] for name in FILTERS}


def check(model: str, limit: int | None, engine: str = "hf", batch_size: int = 32,
          max_gen_toks: int = 384) -> dict:
    """Answer, score both ways, and compare; returns the report (per-question rows included)."""
    from alice_eval import evaluation
    from alice_eval.data import packaged
    from alice_eval.generation import load_generator

    generator = None
    if engine != "lm-eval":
        generator = load_generator(evaluation.resolve_model(model), engine,
                                   **({"batch_size": batch_size} if engine == "hf" else {}))
    try:
        results = evaluation.evaluate(model, ["alice_gsm8k"], limit=limit, batch_size=batch_size,
                                      gen_kwargs={"max_gen_toks": max_gen_toks}, log_samples=True,
                                      engine=generator)
    finally:
        if generator is not None:
            generator.close()
    samples = sorted(results["samples"]["alice_gsm8k"], key=lambda s: s["doc_id"])
    raw = {row["question"]: row for row in packaged.gsm8k_test_rows()}   # lm-eval's task reads the raw rows
    docs = [raw.get(s["doc"]["question"]) or {"question": s["doc"]["question"], "answer": s["doc"]["rationale"]}
            for s in samples]
    responses = [s["resps"][0][0] for s in samples]
    theirs = lm_eval_verdicts(lm_eval_gsm8k_task(), docs, responses)
    per_question = [{"doc_id": s["doc_id"], "gold": s["doc"]["answer"], "response": r,
                     "alice_acc": s["acc"], "alice_flexible": s["acc_flexible"], "alice_parsed": s["parse_rate"],
                     **{f: theirs[f][i] for f in FILTERS}} for i, (s, r) in enumerate(zip(samples, responses))]
    return summarize({"model": model, "engine": engine, "max_gen_toks": max_gen_toks,
                      "source": sorted({s["doc"].get("source", "") for s in samples})}, per_question)


def summarize(head: dict, per_question: list[dict]) -> dict:
    """The report: ``head`` (model, engine...), the means, and where the verdicts differ: alice's strict
    ``acc`` against ``strict-match``, and its ``acc_flexible`` against ``flexible-extract``."""
    n = len(per_question)
    mean = lambda key: sum(q[key] for q in per_question) / n if n else float("nan")  # noqa: E731
    parsed = sum(q["alice_parsed"] for q in per_question)
    ours = {"strict-match": "alice_acc", "flexible-extract": "alice_flexible"}
    return {
        **head, "questions": n,
        "acc": mean("alice_acc"), "acc_flexible": mean("alice_flexible"),
        "acc_parsed": sum(q["alice_acc"] for q in per_question) / parsed if parsed else 0.0,
        "parse_rate": mean("alice_parsed"), **{f: mean(f) for f in FILTERS},
        "differ": {f: [q["doc_id"] for q in per_question if q[f] != q[ours[f]]] for f in FILTERS},
        "per_question": per_question,
    }


def rescore(report: dict) -> dict:
    """The same stored answers scored again by today's ``alice_eval.scoring`` (lm-eval's verdicts kept:
    its filters did not change): a scorer change is checked on the answers the table was made from."""
    from alice_eval import scoring

    rows = []
    for q in report["per_question"]:
        verdict = scoring.score({"qid": str(q["doc_id"]), "kind": "number", "answer": q["gold"]}, q["response"])
        rows.append({**q, "alice_acc": float(verdict.correct), "alice_flexible": float(verdict.flexible_correct),
                     "alice_parsed": float(verdict.parsed)})
    head = {k: v for k, v in report.items() if k in ("model", "engine", "max_gen_toks", "source", "answered")}
    return summarize({**head, "rescored": True}, rows)


def write(report: dict, folder: Path) -> Path:
    """``<folder>/<model>.json`` and the table over every model checked so far, ``<folder>/README.md``."""
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_text(folder / f"{Path(report['model']).name}.json", json.dumps(report, indent=1, ensure_ascii=False))
    return write_table(folder)


def write_table(folder: Path) -> Path:
    reports = [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]
    lines = ["| model | questions | alice acc | alice acc_flexible | acc_parsed | parse_rate | lm-eval strict-match | "
             "lm-eval flexible-extract | differ (acc vs strict) | differ (acc_flexible vs flexible) |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in reports:
        flexible = "—" if r.get("acc_flexible") is None else f"{r['acc_flexible']:.3f}"
        lines.append(f"| {Path(r['model']).name} | {r['questions']} | {r['acc']:.3f} | {flexible} | "
                     f"{r['acc_parsed']:.3f} | {r['parse_rate']:.3f} | {r['strict-match']:.3f} | "
                     f"{r['flexible-extract']:.3f} | {len(r['differ']['strict-match'])} | "
                     f"{len(r['differ']['flexible-extract'])} |")
    path = folder / "README.md"
    atomic_write_text(path, "\n".join(lines) + "\n")
    return path
