"""The whole pipeline on tiny models (``tiny_runs``): every method, cascade through three models,
reruns, bad inputs, the demo preset. Kills at every stage are ``test_kill_points.py``'s."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from alice_eval import scoring
from tiny import build_tiny_model
from tiny_runs import ALL_METHODS, jsonl, needs_embedder, taught_model, write_recipe

pytestmark = needs_embedder


def test_every_method_writes_results_with_the_three_metrics(full_run):
    for method in ALL_METHODS:
        results = json.loads((full_run / "results" / f"{method}.json").read_text())
        assert results["alice"]["method"] == method
        for task in ["alice_synth_math", "alice_synth_logic", "alice_synth_knowledge"]:
            metrics = results["results"][task]
            for key in ("acc,none", "acc_parsed,none", "parse_rate,none"):
                assert 0.0 <= metrics[key] <= 1.0


def test_alice_labels_account_for_every_pool_question(full_run):
    manifest = json.loads((full_run / "manifest.json").read_text())
    counts = manifest["label_counts"]["alice"]
    assert counts["questions"] == 3 * 8                       # three datasets, 16 train -> 8 pool each
    assert counts["no_cluster"] + counts["one_cluster"] + counts["revised"] == counts["questions"]
    assert counts["one_cluster"] > 0 and counts["revised"] > 0   # both paths exercised
    labels = jsonl(full_run / "alice" / "labels" / "output.jsonl")
    assert "original" in {l["source"] for l in labels}
    assert len(labels) == counts["one_cluster"] + counts["revised"] - counts["revision_dropped"]
    pool = {r["qid"]: r for r in jsonl(full_run / "data" / "split" / "output.jsonl")}
    for label in labels:                       # every kept label, revised or not, ends in a readable answer
        assert scoring.extract(pool[label["qid"]], label["completion"]) is not None
    clusters = {c["qid"]: c for c in jsonl(full_run / "teacher" / "cluster" / "output.jsonl")}
    for label in labels:
        if label["source"] == "original":      # bypass: the teacher's own answer, unrevised
            assert label["completion"] == clusters[label["qid"]]["clusters"][0]["representative"]
    uncertain = jsonl(full_run / "teacher" / "uncertainty" / "output.jsonl")
    assert {u["qid"] for u in uncertain} == {q for q, c in clusters.items() if len(c["clusters"]) > 1}
    assert all(u["uncertainty"].startswith("I am not certain") for u in uncertain)


def test_label_quality_and_cost_are_accounted(full_run):
    """Label quality: every kept label scored against the pool's gold, split by source; cost per method."""
    from alice_eval import compare

    manifest = json.loads((full_run / "manifest.json").read_text())
    pool = {r["qid"]: r for r in jsonl(full_run / "data" / "split" / "output.jsonl") if r["role"] == "pool"}
    labels = jsonl(full_run / "alice" / "labels" / "output.jsonl")
    quality = manifest["label_quality"]["alice"]
    right = {l["qid"]: float(scoring.score(pool[l["qid"]], l["completion"]).correct) for l in labels}
    assert quality["verdicts"] == right and quality["correct"] == sum(right.values())
    assert (quality["pool"], quality["labelled"], quality["dropped"]) == (len(pool), len(labels), len(pool) - len(labels))
    revised = [l for l in labels if l["source"] == "revised"]
    assert quality["by_source"].get("student revision", {}).get("labels", 0) == len(revised)
    w2sg = manifest["label_quality"]["w2sg"]
    w2sg_labels = jsonl(full_run / "w2sg" / "label" / "output.jsonl")
    assert w2sg["verdicts"] == {o["qid"]: float(scoring.score(pool[o["qid"]], o["label"]).correct)
                                for o in w2sg_labels if o["label"].strip()}
    assert "cascade_alice/stage2" in manifest["label_quality"]
    report = compare.label_quality(manifest)
    assert "| alice | 24 |" in report and "| w2sg | 24 |" in report
    # cost: Alice draws the teacher's N samples per pool question; W2SG draws none
    spent = {line.split(" | ")[0].strip("| "): line.split(" | ")[1:] for line in compare.cost(manifest).splitlines()[2:]}
    assert int(spent["alice"][0]) == 24 * 6 and int(spent["w2sg"][0]) == 0
    assert int(spent["alice"][1]) > int(spent["w2sg"][1]) > 0      # tokens generated
    assert all(int(v[2]) > 0 for v in spent.values())                # tokens trained on


def test_cascade_uses_disjoint_slices_and_a_merged_teacher(full_run):
    stage1 = {r["qid"] for r in jsonl(full_run / "cascade_alice" / "stage1" / "labels" / "output.jsonl")}
    stage2_questions = {r["qid"] for r in jsonl(full_run / "cascade_alice" / "stage2" / "sample" / "output.jsonl")}
    assert stage2_questions and not stage1 & stage2_questions
    merged = full_run / "cascade_alice" / "stage1" / "merge" / "output"
    assert (merged / "config.json").is_file() and not (merged / "adapter_config.json").exists()
    info = json.loads((merged / "alice_model.json").read_text())
    assert info["adapter"] is False


def test_shared_stages_run_once(full_run):
    # Alice and cascade stage 1 share the teacher's samples; there is one trained teacher
    assert not (full_run / "cascade_alice" / "stage1" / "sample").exists()
    assert (full_run / "teacher" / "sft" / "done.json").is_file()


def test_status_lists_done_stages(full_run):
    from click.testing import CliRunner

    from alice_eval.cli import main

    out = CliRunner().invoke(main, ["status", str(full_run)]).output
    assert "done     teacher/sample" in out and "done     alice/eval" in out


def test_rerun_recomputes_nothing_and_a_config_change_redoes_only_what_it_touches(full_run, tiny_chain, tmp_path):
    from click.testing import CliRunner

    from alice_eval.cli import main

    recipe = tmp_path / "tiny.yaml"
    write_recipe(recipe, tiny_chain, ALL_METHODS)
    run = shutil.copytree(full_run, tmp_path / "run")
    before = {p: p.stat().st_mtime for p in run.glob("**/done.json")}
    result = CliRunner().invoke(main, ["run", str(recipe), "--run-dir", str(run), "--methods", "alice",
                                       "--set", "student.temperature=0.5"])
    assert result.exit_code == 0, result.output
    changed = {str(p.parent.relative_to(run)) for p, t in before.items() if p.stat().st_mtime != t}
    # the student's texts are redone; labels, training and eval follow only if those texts changed
    assert {"alice/zeroshot", "alice/revise"} <= changed
    assert changed <= {"alice/zeroshot", "alice/revise", "alice/labels", "alice/sft", "alice/eval"}


def test_bad_inputs_stop_with_one_line(tiny_chain, tmp_path):
    from click.testing import CliRunner

    from alice_eval.cli import main

    recipe = write_recipe(tmp_path / "r.yaml", tiny_chain, ["weak"])
    runner = CliRunner()
    out = runner.invoke(main, ["run", str(recipe), "--run-dir", str(tmp_path / "a"), "--set", "models.chain=null",
                               "--set", f"models.weak={tmp_path / 'missing-model'}"])
    assert out.exit_code != 0 and "missing-model" in out.output
    one_each = "{synth_math: {n: 1}, synth_logic: {n: 1}, synth_knowledge: {n: 1}}"
    out = runner.invoke(main, ["run", str(recipe), "--run-dir", str(tmp_path / "b"), "--set", f"data.options={one_each}"])
    assert out.exit_code != 0 and "data: the split left 0 teacher and 3 pool questions" in out.output
    out = runner.invoke(main, ["run", str(recipe), "--methods", "alice", "--run-dir", str(tmp_path / "c")])
    assert out.exit_code != 0 and "--methods" in out.output
    lines = out.output.strip().splitlines()
    assert lines[-1].startswith("Error: --methods") and sum(line.startswith("Error") for line in lines) == 1


def test_demo_preset_on_tiny_models_writes_the_leaderboard(tiny_chain, tmp_path):
    """The default demo recipe, unchanged but for the model names, end to end through `alice-train demo`."""
    from click.testing import CliRunner

    from alice_eval.cli import main

    out = tmp_path / "results"
    (out / "runs" / "demo").mkdir(parents=True)
    (out / "runs" / "demo" / "alice.json").write_text("{}")      # an earlier layout's file: removed
    result = CliRunner().invoke(main, ["demo", "--run-dir", str(tmp_path / "demo"), "--out", str(out),
                                       "--set", f"models.weak={tiny_chain[0]}",
                                       "--set", f"models.strong={tiny_chain[2]}"])
    assert result.exit_code == 0, result.output
    for name in ("leaderboard.md", "leaderboard.csv", "leaderboard.png"):
        assert (out / name).stat().st_size > 0
    table = (out / "leaderboard.md").read_text()
    for method in ("weak", "strong", "w2sg", "alice"):
        assert f"| {method} |" in table
    assert sorted(p.name for p in (out / "runs" / "demo").iterdir()) == sorted(["manifest.json"] + [  # one per task
        f"{m}@{d}.json" for m in ("alice", "strong", "w2sg", "weak") for d in ("synth_knowledge", "synth_logic", "synth_math")])
    assert "Paired verdicts" in result.output and "| alice | w2sg |" in (out / "paired.md").read_text()
    assert "Label quality: demo" in result.output and "Cost: demo" in result.output


def test_packaged_gsm8k_recipe_trains_and_evaluates_on_disjoint_parts(tiny_chain, tmp_path):
    """`source: packaged`: the teacher half and pool come from rows 0-999 of the packaged test split, and
    the evaluation from rows 1000-1318, offline."""
    from click.testing import CliRunner

    from alice_eval.cli import main

    recipe = write_recipe(tmp_path / "gsm.yaml", tiny_chain, ["weak"],
                          data={"datasets": ["gsm8k"], "train_size": 8, "options": {"gsm8k": {"source": "packaged"}}})
    run = tmp_path / "run"
    result = CliRunner().invoke(main, ["run", str(recipe), "--run-dir", str(run), "--set", "eval.limit=2"])
    assert result.exit_code == 0, result.output
    split = jsonl(run / "data" / "split" / "output.jsonl")
    assert len(split) == 8 and all(r["source"].endswith("(re-split: train)") for r in split)
    results = json.loads((run / "results" / "weak.json").read_text())
    assert results["n-samples"]["alice_gsm8k"]["original"] == 319
    [samples] = (run / "weak" / "eval" / "output").glob("*alice_gsm8k*.jsonl")
    questions = {json.loads(line)["doc"]["question"] for line in samples.read_text().splitlines()}
    assert questions and questions.isdisjoint(r["question"] for r in split)


def test_seeds_share_what_the_seed_does_not_reach(tiny_chain, tmp_path):
    from click.testing import CliRunner

    from alice_eval import leaderboard
    from alice_eval.cli import main

    recipe = write_recipe(tmp_path / "r.yaml", tiny_chain, ["weak", "alice"])
    run = tmp_path / "run"
    result = CliRunner().invoke(main, ["run", str(recipe), "--run-dir", str(run), "--seeds", "0,1",
                                       "--set", "eval.limit=2"])
    assert result.exit_code == 0, result.output
    stages_ = json.loads((run / "manifest.json").read_text())["stages"]
    # the split, the teacher and the labels do not depend on the seed: computed once, linked in for seed 1
    shared = ["data/split", "teacher/cot", "teacher/sft", "teacher/sample", "teacher/cluster",
              "teacher/uncertainty", "alice/zeroshot", "alice/revise", "alice/labels"]
    for stage in shared:
        assert stages_[f"seed-1/{stage}"]["reused_from"] == stage, stage
    split, again = run / "data/split/output.jsonl", run / "seed-1/data/split/output.jsonl"
    assert split.stat().st_ino == again.stat().st_ino
    teacher = run / "teacher/sft/output/adapter_model.safetensors"
    assert teacher.stat().st_ino == (run / "seed-1/teacher/sft/output/adapter_model.safetensors").stat().st_ino
    # each method's own training does, and so its evaluation: once per seed
    for stage in ["weak/sft", "weak/eval", "alice/sft", "alice/eval"]:
        assert "reused_from" not in stages_[f"seed-1/{stage}"], stage
        assert stages_[f"seed-1/{stage}"]["key"] != stages_[stage]["key"], stage
    assert sorted(p.name for p in (run / "results").iterdir()) == ["alice.json", "alice@seed-1.json",
                                                                   "weak.json", "weak@seed-1.json"]
    assert json.loads((run / "results" / "weak@seed-1.json").read_text())["alice"]["seed"] == 1
    [row] = [r for r in leaderboard.collect([run / "results"]) if r.task == "alice_synth_math" and r.method == "alice"]
    assert row.seeds == 2


def test_methods_run_end_to_end_on_the_vllm_backend(tmp_path):
    """Generation and evaluation on vLLM's CPU build: one engine per base model, students' LoRA adapters
    served by it, engines closed for training and started again in the same process."""
    from click.testing import CliRunner

    from alice_eval.cli import main

    shape = {"hidden": 128, "head_dim": 64}                 # vLLM's CPU attention needs head_dim >= 32
    teacher = taught_model(tmp_path, "teacher", 0, **shape)
    chain = [teacher, teacher, build_tiny_model(tmp_path / "strong", seed=2, **shape)]
    recipe = write_recipe(tmp_path / "tiny.yaml", chain, ["weak", "w2sg", "alice"])
    result = CliRunner().invoke(main, ["run", str(recipe), "--run-dir", str(tmp_path / "run"),
                                       "--set", "generation.backend=vllm",
                                       "--set", "generation.engine_args={enforce_eager: true, max_model_len: 512}"])
    assert result.exit_code == 0, result.output
    for method in ["weak", "w2sg", "alice"]:
        results = json.loads((tmp_path / "run" / "results" / f"{method}.json").read_text())
        assert set(results["results"]) >= {"alice_synth_math", "alice_synth_logic", "alice_synth_knowledge"}
        assert results["config"]["model"] == "EngineLM"
    samples = jsonl(tmp_path / "run" / "teacher" / "sample" / "output.jsonl")
    assert len(samples) == 3 * 8 and all(len(s["samples"]) == 6 for s in samples)
    # the taught teacher answers in the tasks' formats, so some of its vLLM samples parse and cluster
    # (how many depends on the CPU's kernels: 3 of 24 questions on an AVX-512 machine, 6+ on an AVX2 one)
    clusters = jsonl(tmp_path / "run" / "teacher" / "cluster" / "output.jsonl")
    assert any(c["clusters"] for c in clusters)


# -- bad input: one line, the field named, nothing on disk changed ---------------------------------------

def _tree_hash(*folders: Path) -> dict[str, str]:
    import hashlib

    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for folder in folders for p in sorted(folder.rglob("*")) if not p.is_symlink()}


BAD_RUN = [  # (extra arguments to `run GOOD --run-dir FINISHED`, exit code, what the line names)
    (["--methods", "bogus"], 2, "--methods"),
    (["--methods", ","], 2, "--methods"),
    (["--stop-after", "bogus"], 2, "--stop-after"),
    (["--set", "sample.n=[1"], 2, "--set sample.n"),
    (["--set", "sample.n=1"], 2, "sample.n"),
    (["--set", "eval.limit=0"], 2, "eval.limit"),
    (["--set", "eval.limit=-3"], 2, "eval.limit"),
    (["--set", "eval.max_gen_toks=-1"], 2, "eval.max_gen_toks"),
    (["--set", "train.lora_r=-1"], 2, "train.lora_r"),
    (["--set", "train.lora_dropout=5"], 2, "train.lora_dropout"),
    (["--set", "train.weight_decay=-0.1"], 2, "train.weight_decay"),
    (["--set", "train.warmup_steps=-5"], 2, "train.warmup_steps"),
    (["--set", "train.scheduler=bogus"], 2, "train.scheduler"),
    (["--set", "train.deepspeed=/no/ds.json"], 2, "train.deepspeed"),
    (["--set", "train.accelerate_config=/no/accelerate.yaml"], 2, "accelerate_config"),
    (["--set", "methods=[weak]", "--set", "models.chain=null", "--set", "models.weak=''"], 2, "models.weak"),
    (["--set", "methods=[weak]", "--set", "models.chain=null", "--set", "models.weak=no-such-zoo-model"], 2, "no-such-zoo-model"),
    (["--set", "methods=[weak]", "--set", "models.chain=null", "--set", "models.weak=./missing-folder"], 2, "missing-folder"),
    (["--set", "name=../escape"], 2, "name"),
    (["--set", "name=."], 2, "name"),
    (["--set", "data.options={synth_math: {nn: 1}}"], 2, "data.options"),
    (["--set", "trian.epochs=1"], 2, "trian"),
    (["--set", "generation.backend=tpu"], 2, "generation.backend"),
    (["--seeds", "1,1"], 2, "seeds"),
    (["--seeds", "1,x"], 2, "seeds"),
]


def test_bad_input_table(full_run, tiny_chain, tmp_path, monkeypatch):
    """Each bad input: its exit code, one line naming what is wrong, and every file left as it was."""
    from click.testing import CliRunner

    from alice_eval.cli import main

    monkeypatch.chdir(tmp_path)
    good = write_recipe(tmp_path / "good.yaml", tiny_chain, ["weak", "strong", "w2sg", "w2sg_qa", "alice",
                                                               "cascade_alice"])
    (tmp_path / "extends-number.yaml").write_text("extends: 5\nname: x\n")
    (tmp_path / "extends-list.yaml").write_text("extends: [a, b]\nname: x\n")
    (tmp_path / "latin1.yaml").write_bytes("name: caf\xe9\n".encode("latin-1"))
    (tmp_path / "a-file").write_text("not a folder")
    (tmp_path / "not-a-run").mkdir()
    (tmp_path / "not-a-run" / "keep.txt").write_text("mine")
    (tmp_path / "empty-model").mkdir()
    corrupt = tmp_path / "corrupt"
    shutil.copytree(full_run, corrupt, ignore=shutil.ignore_patterns("output", "work"))
    (corrupt / "manifest.json").write_text("{not json")
    rows = [(["run", str(good), "--run-dir", str(full_run), *extra], code, field) for extra, code, field in BAD_RUN]
    rows += [
        (["run", "some/typo-folder/demo.yaml"], 2, "typo-folder/demo.yaml"),
        (["run", str(tmp_path / "extends-number.yaml")], 2, "extends"),
        (["run", str(tmp_path / "extends-list.yaml")], 2, "extends"),
        (["run", str(tmp_path / "latin1.yaml")], 2, "UTF-8"),
        (["run", str(good), "--run-dir", str(tmp_path / "a-file")], 2, "--run-dir"),
        (["run", str(good), "--run-dir", str(tmp_path / "not-a-run")], 2, "--run-dir"),
        (["status", str(corrupt)], 1, "manifest.json"),
        (["eval", "--model", str(tmp_path / "missing")], 2, "--model"),
        (["eval", "--model", str(tmp_path / "empty-model")], 2, "--model"),
        (["eval", "--model", str(tiny_chain[0]), "--limit", "nan"], 2, "--limit"),
        (["eval", "--model", str(tiny_chain[0]), "--tasks", "alice_nope"], 2, "--tasks"),
        (["bench", "--model", str(tmp_path / "missing")], 2, "--model"),
        (["leaderboard", str(tmp_path / "missing")], 2, "RUN_DIRS"),
    ]
    assert len(rows) >= 30
    before = _tree_hash(full_run, tmp_path)
    for args, code, field in rows:
        result = CliRunner().invoke(main, args)
        lines = result.output.strip().splitlines()
        assert result.exit_code == code, (args, result.exit_code, result.output)
        assert len(lines) == 1 and lines[0].startswith("Error: ") and field in lines[0], (args, result.output)
        assert "Traceback" not in result.output
        assert _tree_hash(full_run, tmp_path) == before, args


def test_a_models_own_code_runs_only_when_the_recipe_says_trust_remote_code(tiny_model, tmp_path):
    from click.testing import CliRunner

    from alice_eval import runtime
    from alice_eval.cli import main
    from tiny import with_remote_code

    marker = tmp_path / "ran"
    model = with_remote_code(tiny_model, tmp_path / "model", marker)
    recipe = write_recipe(tmp_path / "r.yaml", [model, model, model], ["weak"])
    common = ["--set", "models.chain=null", "--set", "eval.limit=1"]
    try:
        result = CliRunner().invoke(main, ["run", str(recipe), "--run-dir", str(tmp_path / "off"), *common])
        assert result.exit_code == 0, result.output
        assert not marker.exists()           # trained and evaluated with transformers' own class
        result = CliRunner().invoke(main, ["run", str(recipe), "--run-dir", str(tmp_path / "on"), *common,
                                           "--set", "models.trust_remote_code=true"])
        assert result.exit_code == 0, result.output
        assert marker.exists()
    finally:
        runtime.allow_remote_code(False)     # the policy is per process: leave it off for other tests
