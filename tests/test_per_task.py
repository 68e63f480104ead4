"""One teacher and one student per task (the paper's setting, the default), the ablation without the
teacher's doubt, the LLM-worded uncertainty, and the accounting of outputs cut by their token budget:
one tiny run through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alice_eval import compare, leaderboard
from tiny_runs import jsonl, needs_embedder, write_recipe

pytestmark = needs_embedder

METHODS = ["weak", "w2sg", "alice", "alice_no_uncertainty"]
TASKS = {"synth_math": ("alice_synth_math", "alice_ood_math"), "synth_logic": ("alice_synth_logic", "alice_ood_logic")}


@pytest.fixture(scope="module")
def per_task_run(tiny_chain, tmp_path_factory) -> Path:
    from click.testing import CliRunner

    from alice_eval.cli import main

    root = tmp_path_factory.mktemp("per-task")
    recipe = write_recipe(root / "tiny.yaml", tiny_chain, METHODS,
                          data={"datasets": list(TASKS), "train_size": 16},
                          models={"weak": str(tiny_chain[0]), "strong": str(tiny_chain[2]),
                                  "summarizer": str(tiny_chain[0])},
                          uncertainty={"mode": "llm", "max_new_tokens": 12},
                          student={"tries": 2})
    result = CliRunner().invoke(main, ["run", str(recipe), "--run-dir", str(root / "run")])
    assert result.exit_code == 0, result.output
    return root / "run"


def test_each_task_has_its_own_teacher_and_students(per_task_run):
    run = per_task_run
    for dataset, tasks in TASKS.items():
        split = jsonl(run / dataset / "data" / "split" / "output.jsonl")
        assert {r["dataset"] for r in split} == {dataset}                      # its own questions only
        assert (run / dataset / "teacher" / "sft" / "done.json").is_file()
        for method in METHODS:
            results = json.loads((run / "results" / f"{method}@{dataset}.json").read_text())
            assert results["alice"]["method"] == method
            answered = {t for t in results["results"] if t in tasks or t.startswith("alice_synth_")}
            assert answered == set(tasks)            # its task and its category's hand-written check
    assert not (run / "alice").exists() and not (run / "results" / "alice.json").exists()
    manifest = json.loads((run / "manifest.json").read_text())
    pool = {d: len([r for r in jsonl(run / d / "data" / "split" / "output.jsonl") if r["role"] == "pool"]) for d in TASKS}
    for dataset in TASKS:                             # trained on its own task's labels, never the mix
        assert manifest["trained"][f"{dataset}/weak/sft"]["examples"] == pool[dataset]
        assert manifest["label_quality"][f"{dataset}/w2sg"]["pool"] == pool[dataset]


def test_the_ablation_reuses_alices_zero_shot_answers_and_revises_without_the_doubt(per_task_run):
    stages = json.loads((per_task_run / "manifest.json").read_text())["stages"]
    for dataset in TASKS:
        assert f"{dataset}/alice/zeroshot" in stages and f"{dataset}/alice_no_uncertainty/revise" in stages
        assert f"{dataset}/alice_no_uncertainty/zeroshot" not in stages       # one zero-shot pass serves both
    rows = leaderboard.collect([per_task_run / "results"])
    assert {(r.method, r.task) for r in rows if not r.is_mean} >= {
        (m, t) for m in METHODS for tasks in TASKS.values() for t in tasks}


def test_uncertainty_is_worded_by_the_summarizer_llm(per_task_run):
    manifest = json.loads((per_task_run / "manifest.json").read_text())
    for dataset in TASKS:
        said = jsonl(per_task_run / dataset / "teacher" / "uncertainty" / "output.jsonl")
        clusters = jsonl(per_task_run / dataset / "teacher" / "cluster" / "output.jsonl")
        assert {u["qid"] for u in said} == {c["qid"] for c in clusters if c["teacher_answer"] and not c["certain"]}
        assert not any(u["uncertainty"].startswith("I am not certain about this question") for u in said)
        if said:
            assert manifest["generated"][f"{dataset}/teacher/uncertainty"]["texts"] == len(said)


def test_every_generation_stage_counts_the_outputs_cut_by_their_budget(per_task_run):
    manifest = json.loads((per_task_run / "manifest.json").read_text())
    generated = manifest["generated"]
    for dataset in TASKS:
        for stage in ("teacher/cot", "teacher/sample", "w2sg/label", "alice/zeroshot", "alice/revise", "alice/eval"):
            note = generated[f"{dataset}/{stage}"]
            assert 0 <= note["at_budget"] <= note["texts"] and note["budget"] > 0
    # the random student rambles to its 12-token budget: the gate says so, naming stage and field
    assert generated["synth_math/alice/zeroshot"]["at_budget"] > 0
    lines = compare.gates([per_task_run])
    assert any(line.startswith("GATE budget: run synth_math/alice/zeroshot:") and "student.max_new_tokens" in line
               for line in lines)
    table = compare.budgets(manifest)
    assert "| synth_math/alice/zeroshot |" in table


def test_the_mechanism_accounts_for_every_revised_question(per_task_run):
    from alice_eval.trainer.stages import MECHANISM

    manifest = json.loads((per_task_run / "manifest.json").read_text())
    for dataset in TASKS:
        for scope in ("alice", "alice_no_uncertainty"):
            did = manifest["mechanism"][f"{dataset}/{scope}"]
            counts = manifest["label_counts"][f"{dataset}/{scope}"]
            assert did["unsure"] == counts["revised"]
            assert sum(did["classes"][c]["revisions"] for c in MECHANISM) + did["dropped"] == did["unsure"]
            assert did["dropped"] == counts["revision_dropped"]
            assert 0 <= did["own_correct"] <= did["unsure"] and 0 <= did["teacher_correct"] <= did["unsure"]


def test_status_shows_the_mechanism_and_the_budget_tables(per_task_run):
    from click.testing import CliRunner

    from alice_eval.cli import main

    out = CliRunner().invoke(main, ["status", str(per_task_run)]).output
    assert "Revision mechanism: run" in out and "| synth_logic/alice |" in out
    assert "Outputs ended at their token budget: run" in out
    assert "Label quality: run" in out and "| synth_math/alice |" in out


def test_mechanism_table_renders_counts_and_rights():
    manifest = {"mechanism": {"alice": {"unsure": 5, "own_correct": 3, "teacher_correct": 1, "dropped": 1, "classes": {
        "kept own": {"revisions": 2, "correct": 2}, "adopted teacher": {"revisions": 1, "correct": 0},
        "new answer": {"revisions": 1, "correct": 1}}}}}
    table = compare.mechanism(manifest)
    assert "| alice | 5 | 3 | 1 | 2 (2) | 1 (0) | 1 (1) | 1 |" in table


def test_the_method_registry_knows_the_ablation():
    from alice_eval.trainer.methods import METHODS as REGISTRY, plan
    from alice_eval.trainer.pipeline import selected
    from alice_eval.trainer.config import load_recipe

    assert "alice_no_uncertainty" in REGISTRY
    stages = plan(["alice_no_uncertainty"], 0)
    assert "alice/zeroshot" in stages and "alice_no_uncertainty/revise" in stages and "teacher/uncertainty" in stages
    recipe = load_recipe("demo", ["methods=[weak, strong, w2sg, alice, alice_no_uncertainty]"])
    assert selected(recipe, ["alice_no_uncertainty", "w2sg"]) == ["w2sg", "alice_no_uncertainty"]


def test_stop_after_stops_every_task_at_that_stage(tiny_chain, tmp_path):
    from click.testing import CliRunner

    from alice_eval.cli import main

    recipe = write_recipe(tmp_path / "tiny.yaml", tiny_chain, ["alice"],
                          data={"datasets": list(TASKS), "train_size": 16})
    result = CliRunner().invoke(main, ["run", str(recipe), "--run-dir", str(tmp_path / "run"), "--stop-after", "sample"])
    assert result.exit_code == 0 and "stopped after" in result.output, result.output
    for dataset in TASKS:
        assert (tmp_path / "run" / dataset / "teacher" / "sample" / "done.json").is_file()
        assert not (tmp_path / "run" / dataset / "teacher" / "cluster").exists()
    again = CliRunner().invoke(main, ["run", str(recipe), "--run-dir", str(tmp_path / "run"), "--stop-after", "sample"])
    assert again.exit_code == 0 and "stopped after" in again.output           # a stage found done stops too
    assert not (tmp_path / "run" / "synth_math" / "teacher" / "cluster").exists()
    labels = CliRunner().invoke(main, ["run", str(recipe), "--run-dir", str(tmp_path / "run"), "--stop-after", "labels"])
    assert labels.exit_code == 0 and "stopped after" in labels.output
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert set(manifest["mechanism"]) == {f"{d}/alice" for d in TASKS}      # noted before the run stopped
    assert not any((tmp_path / "run" / d / "alice" / "sft").exists() for d in TASKS)
