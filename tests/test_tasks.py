"""The alice_* lm-eval tasks: packaging, loading, scoring end to end, the harness on a tiny model."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from alice_eval import evaluation, prompts, scoring
from alice_eval.cli.eval import eval_command, tasks_path

REAL_TASKS = ["alice_gsm8k", "alice_arc_challenge", "alice_triviaqa", "alice_hotpotqa"]
SYNTH_TASKS = ["alice_synth_math", "alice_synth_logic", "alice_synth_knowledge"]
OOD_TASKS = ["alice_ood_math", "alice_ood_logic", "alice_ood_knowledge"]
TASKS = REAL_TASKS + SYNTH_TASKS + OOD_TASKS
GROUPS = ["alice", "alice-knowledge", "alice-logic", "alice-math", "alice-ood", "alice-synth"]
METRICS = ("acc", "acc_flexible", "acc_parsed", "parse_rate")
SMALL = {"n": 12}                      # synthetic test split size for these tests


def assert_metrics(res: dict, name: str) -> None:
    for metric in METRICS:
        key = f"{metric},none"
        assert key in res[name], f"{name}: no {key} in {sorted(res[name])}"
        assert 0.0 <= float(res[name][key]) <= 1.0, (name, key, res[name][key])


# -- packaging: a wheel install, from another working directory ------------------------------------

@pytest.fixture(scope="session")
def wheel_site(tmp_path_factory) -> Path:
    """The package built as a wheel and installed (no deps) into a folder of its own."""
    # build from a clean copy: a stale build/ folder in the checkout could leak old files into the wheel
    src = tmp_path_factory.mktemp("src") / "alice-w2s"
    shutil.copytree(Path(__file__).parents[1], src, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "runs", "results", "*.egg-info", "__pycache__", ".pytest_cache"))
    wheels, site = tmp_path_factory.mktemp("wheel"), tmp_path_factory.mktemp("site")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(src)],
                   check=True, cwd=wheels, capture_output=True)
    [wheel] = wheels.glob("alice_w2s-*.whl")
    subprocess.run([*pip, "install", "--no-deps", "--target", str(site), str(wheel)],
                   check=True, cwd=wheels, capture_output=True)
    return site


def test_wheel_installs_only_alice_eval(wheel_site):
    top = {p.name for p in wheel_site.iterdir() if not p.name.endswith((".dist-info", ".data"))} - {"bin"}
    assert top == {"alice_eval"}
    [info] = wheel_site.glob("alice_w2s-*.dist-info")
    assert (info / "top_level.txt").read_text().split() == ["alice_eval"]
    tasks = wheel_site / "alice_eval" / "tasks"
    assert {p.name for p in tasks.glob("*.yaml")} >= {f"{name}.yaml" for name in TASKS + GROUPS}
    assert (tasks / "hooks.py").is_file() and (tasks / "_alice_base.yaml").is_file()
    entry_points = (info / "entry_points.txt").read_text()
    assert "[lm_eval.tasks]" in entry_points and "alice_eval.tasks" in entry_points


def test_wheel_install_loads_every_task_and_group(wheel_site, tmp_path, hf_data_dir):
    script = textwrap.dedent(f"""
        import json, alice_eval
        from lm_eval.tasks import TaskManager, get_task_dict
        from alice_eval.evaluation import tasks_dir
        tm = TaskManager(include_path=str(tasks_dir()), metadata={SMALL!r})
        def leaves(tree):
            for key, value in tree.items():
                yield from leaves(value) if isinstance(value, dict) else [(key, value)]
        docs, groups = {{}}, {{}}
        for group in {GROUPS!r}:
            tasks = dict(leaves(get_task_dict([group], tm)))
            groups[group] = sorted(tasks)
            docs.update({{name: len(list(task.eval_docs)) for name, task in tasks.items()}})
        print(json.dumps({{"file": alice_eval.__file__, "tasks_dir": str(tasks_dir()),
                          "matched": tm.match_tasks(["alice_*"]), "all": tm.all_tasks,
                          "groups": tm.all_groups, "docs": docs, "members": groups}}))
    """)
    env = {**os.environ, "PYTHONPATH": str(wheel_site), "ALICE_DATA_DIR": str(hf_data_dir)}
    proc = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert Path(out["file"]).is_relative_to(wheel_site)
    assert Path(out["tasks_dir"]).is_relative_to(wheel_site)
    assert sorted(out["matched"]) == sorted(TASKS)           # the glob selects each task once, no group
    assert "alice" in out["all"] and set(GROUPS) <= set(out["groups"])
    assert out["members"] == {
        "alice": sorted(REAL_TASKS), "alice-math": ["alice_gsm8k"], "alice-logic": ["alice_arc_challenge"],
        "alice-knowledge": ["alice_hotpotqa", "alice_triviaqa"], "alice-synth": sorted(SYNTH_TASKS),
        "alice-ood": sorted(OOD_TASKS)}
    assert {name: out["docs"].get(name) for name in TASKS} == {
        "alice_gsm8k": 5, "alice_arc_challenge": 5, "alice_triviaqa": 5, "alice_hotpotqa": 5,
        "alice_synth_math": 12, "alice_synth_logic": 12, "alice_synth_knowledge": 12,
        "alice_ood_math": 12, "alice_ood_logic": 12, "alice_ood_knowledge": 12}


# -- tasks through lm-eval's own loading: prompts, targets, scoring on gold answers ------------------

@pytest.fixture(scope="module")
def loaded_tasks(hf_data_dir) -> dict:
    from lm_eval.tasks import get_task_dict

    manager = evaluation.task_manager({"alice_data_dir": str(hf_data_dir), **SMALL}, include_defaults=False)
    assert set(manager.all_tasks) >= set(TASKS + GROUPS)
    return get_task_dict(TASKS, manager)


def test_task_configs(loaded_tasks):
    for name in TASKS:
        task = loaded_tasks[name]
        cfg = task.config
        assert cfg.output_type == "generate_until" and cfg.num_fewshot == 0
        assert cfg.generation_kwargs["do_sample"] is False
        assert cfg.generation_kwargs["max_gen_toks"] == (1024 if name in REAL_TASKS else 384)
        assert cfg.metadata["version"] == (1.2 if "synth" in name else 1.1)   # 1.1: acc_flexible; synth 1.1: short rationales
        metrics = {m["metric"] for m in cfg.metric_list}
        assert metrics == set(METRICS) | ({"f1"} if name == "alice_hotpotqa" else set())
        assert task.has_test_docs()


def test_prompts_and_targets_come_from_the_shared_modules(loaded_tasks):
    for name in TASKS:
        task = loaded_tasks[name]
        for doc in task.eval_docs:
            assert task.doc_to_text(doc) == prompts.question_prompt(doc)
            assert task.doc_to_target(doc) == str(doc["answer"])


def _aggregate(task, responses) -> dict:
    per_doc = [task.process_results(doc, [r]) for doc, r in zip(task.eval_docs, responses)]
    agg = task.aggregation()
    return {m: agg[m]([d[m] for d in per_doc]) for m in per_doc[0]}


def test_gold_completions_score_perfectly(loaded_tasks):
    for name in TASKS:
        task = loaded_tasks[name]
        out = _aggregate(task, [prompts.gold_completion(doc) for doc in task.eval_docs])
        assert out["acc"] == out["acc_parsed"] == out["parse_rate"] == 1.0, (name, out)
        if name == "alice_hotpotqa":
            assert out["f1"] == 1.0


def test_unparsed_answers_leave_acc_parsed_denominator(loaded_tasks):
    task = loaded_tasks["alice_gsm8k"]
    docs = list(task.eval_docs)
    responses = [f"#### {docs[0]['answer']}", "#### 123456", "no final answer", "", "####"]
    out = _aggregate(task, responses)
    assert out["acc"] == pytest.approx(1 / 5)
    assert out["parse_rate"] == pytest.approx(2 / 5)
    assert out["acc_parsed"] == pytest.approx(1 / 2)


def test_fixture_scoring_details(loaded_tasks):
    arc = {doc["qid"].split("-")[-1]: doc for doc in loaded_tasks["alice_arc_challenge"].eval_docs}
    digits, three = arc["Fixture_ARC_2"], arc["Fixture_ARC_3"]
    assert digits["labels"] == ["1", "2", "3", "4"] and "3. a balance" in prompts.question_prompt(digits)
    assert scoring.score(digits, "My choice is 3.").correct
    assert not scoring.score(three, "My choice is D.").parsed      # D is not an option here
    gsm = loaded_tasks["alice_gsm8k"].eval_docs
    assert [doc["answer"] for doc in gsm] == ["7", "1000", "63", "2.5", "-5"]
    assert scoring.score(gsm[1], "40 * 25 = 1,000 dollars.\n#### $1,000").correct
    trivia = loaded_tasks["alice_triviaqa"].eval_docs[0]
    assert scoring.score(trivia, "That album was by the Beatles.").correct
    hotpot = loaded_tasks["alice_hotpotqa"]
    f1 = hotpot.process_results(hotpot.eval_docs[2], ["The Atlantic."])["f1"]
    assert f1 == pytest.approx(2 / 3)


def test_parsed_mean():
    from alice_eval.tasks.hooks import parsed_mean

    assert parsed_mean([(1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]) == 0.5
    assert parsed_mean([(0.0, 0.0), (0.0, 0.0)]) == 0.0
    assert parsed_mean([(1.0, 1.0)]) == 1.0


def test_expand_tasks():
    manager = evaluation.task_manager(include_defaults=False)
    assert set(evaluation.expand_tasks(["alice_synth_*"], manager)) == set(SYNTH_TASKS)
    assert evaluation.expand_tasks("alice-synth,alice_gsm8k", manager) == ["alice-synth", "alice_gsm8k"]
    assert evaluation.expand_tasks(["alice"], manager) == ["alice"]
    assert sorted(evaluation.expand_tasks("alice_*", manager)) == sorted(TASKS)     # leaf tasks only
    # groups swallow their members, which lm-eval would otherwise reject as duplicates
    assert evaluation.expand_tasks("alice*", manager) == ["alice", "alice-ood", "alice-synth"]
    assert evaluation.expand_tasks("alice_synth_math,alice,alice_gsm8k", manager) == [
        "alice_synth_math", "alice"]
    with pytest.raises(ValueError, match="'alice_nope'"):
        evaluation.expand_tasks(["alice-synth", "alice_nope"], manager)
    assert not evaluation.needs_builtin_tasks("alice_*,alice")
    assert evaluation.needs_builtin_tasks(["alice-synth", "gsm8k"])


def test_lm_eval_averages_a_group_of_groups_over_its_leaf_tasks(hf_data_dir):
    """lm-eval 0.4.13 flattens groups: ``alice`` is the mean of 4 tasks, not of the 3 kinds."""
    manager = evaluation.task_manager({"alice_data_dir": str(hf_data_dir)}, include_defaults=False)
    group = manager.load(["alice"])["groups"]["alice"]
    leaf = {"alice_gsm8k": 0.0, "alice_arc_challenge": 0.0, "alice_triviaqa": 1.0, "alice_hotpotqa": 1.0}
    metrics = {name: {"acc,none": v, "sample_len": 5} for name, v in leaf.items()}
    assert group.aggregate(metrics)["acc,none"] == 0.5            # a kind macro average would be 1/3


def test_category_average():
    results = {"group_subtasks": {"alice": ["alice-math", "alice-logic", "alice-knowledge"]},
               "results": {"alice-math": {"acc,none": 0.3}, "alice-logic": {"acc,none": 0.6},
                           "alice-knowledge": {"acc,none": 0.9, "parse_rate,none": "N/A"}}}
    assert evaluation.category_average(results) == {"acc": pytest.approx(0.6)}


# -- the harness on a tiny model ------------------------------------------------------------------

GEN = {"max_gen_toks": 16}


def _check_samples(results: dict, tasks: list[str]) -> None:
    """Each logged sample's metrics are exactly what alice_eval.scoring says about its response."""
    for name in tasks:
        rows = results["samples"][name]
        assert rows
        for row in rows:
            verdict = scoring.score(row["doc"], row["resps"][0][0])
            assert row["acc"] == float(verdict.correct)
            assert row["parse_rate"] == float(verdict.parsed)
            assert tuple(row["acc_parsed"]) == (float(verdict.correct), float(verdict.parsed))
            assert row["arguments"][0][0].startswith("<|im_start|>user\n")      # the chat template


def test_harness_synthetic_tasks_and_group(tiny_model, tmp_path):
    out = tmp_path / "eval" / "results.json"
    results = evaluation.evaluate(
        str(tiny_model), ["alice-synth"], output_path=out, model_args={"dtype": "float32"}, limit=4,
        batch_size=4, gen_kwargs=GEN, log_samples=True, device="cpu", metadata=SMALL,
        extra={"run": "test", "method": "weak"})
    res = results["results"]
    for name in SYNTH_TASKS + ["alice-synth"]:
        assert_metrics(res, name)
    assert results["n-samples"]["alice_synth_math"] == {"original": 12, "effective": 4}
    _check_samples(results, SYNTH_TASKS)

    written = json.loads(out.read_text())
    assert written["alice"] == {"run": "test", "method": "weak"}
    assert written["results"]["alice-synth"]["acc,none"] == res["alice-synth"]["acc,none"]
    assert "samples" not in written and written["model_name"] == str(tiny_model)
    assert written["config"]["model_args"]["dtype"] == "float32"
    assert written["configs"]["alice_synth_math"]["generation_kwargs"]["max_gen_toks"] == 16
    for name in SYNTH_TASKS:
        lines = (out.parent / f"results_samples_{name}.jsonl").read_text().splitlines()
        assert len(lines) == 4 and "gen_args_0" in json.loads(lines[0])["arguments"]
    assert not list(out.parent.glob(".*.tmp"))


def test_harness_real_tasks_on_fixture_files(tiny_model, hf_data_dir):
    results = evaluation.evaluate(
        str(tiny_model), ["alice"], model_args={"dtype": "float32"}, batch_size=8, gen_kwargs=GEN,
        log_samples=True, device="cpu", metadata={"alice_data_dir": str(hf_data_dir)})
    res = results["results"]
    for name in REAL_TASKS + ["alice", "alice-math", "alice-logic", "alice-knowledge"]:
        assert_metrics(res, name)
    assert 0.0 <= res["alice_hotpotqa"]["f1,none"] <= 1.0
    assert {name: results["n-samples"][name]["effective"] for name in REAL_TASKS} == dict.fromkeys(REAL_TASKS, 5)
    _check_samples(results, REAL_TASKS)
    assert set(evaluation.category_average(results)) == set(METRICS)


def test_unknown_task_fails_before_loading_a_model(tmp_path):
    with pytest.raises(ValueError, match="'alice_missing'"):
        evaluation.evaluate(str(tmp_path / "no-model"), ["alice_missing"], device="cpu")


# -- command lines ---------------------------------------------------------------------------------

def test_cli_tasks_path():
    result = CliRunner().invoke(tasks_path, [])
    assert result.exit_code == 0, result.output
    folder = Path(result.output.strip())
    assert folder == evaluation.tasks_dir() and (folder / "alice-synth.yaml").is_file()


@pytest.mark.parametrize("args, option", [
    (["--tasks", "alice_nope"], "--tasks"),
    (["--model-args", "dtype"], "--model-args"),
    (["--gen-kwargs", "max_gen_toks"], "--gen-kwargs"),
    (["--metadata", "{n: 3}"], "--metadata"),
    (["--metadata", "[1]"], "--metadata"),
    (["--limit", "ten"], "--limit"),
    (["--limit", "0"], "--limit"),
    (["--batch-size", "many"], "--batch-size"),
])
def test_cli_eval_bad_input_names_the_option(args, option, tmp_path):
    result = CliRunner().invoke(eval_command, ["--model", str(tmp_path), *args])
    assert result.exit_code == 2, result.output
    assert option in result.output


def test_cli_eval_needs_output_path_for_samples(tmp_path):
    result = CliRunner().invoke(eval_command, ["--model", str(tmp_path), "--log-samples"])
    assert result.exit_code == 2 and "--output-path" in result.output


def test_cli_eval_runs(tiny_model, tmp_path):
    out = tmp_path / "r.json"
    result = CliRunner().invoke(eval_command, [
        "--model", str(tiny_model), "--model-args", "dtype=float32", "--tasks", "alice_synth_m*",
        "--limit", "2", "--gen-kwargs", "max_gen_toks=8", "--device", "cpu", "--output-path", str(out),
        "--metadata", json.dumps(SMALL)])
    assert result.exit_code == 0, result.output
    assert "alice_synth_math" in result.output and "acc_parsed" in result.output
    assert_metrics(json.loads(out.read_text())["results"], "alice_synth_math")


def test_cli_eval_engines_give_the_same_answers(tiny_model, tmp_path):
    """`--engine hf` (the default: the runs' decode loop) answers and scores as `--engine lm-eval` (HFLM)."""
    from tiny import talkative_copy

    varied = talkative_copy(tiny_model, tmp_path / "varied")
    answers = {}
    for engine in ("hf", "lm-eval"):
        out = tmp_path / engine
        result = CliRunner().invoke(eval_command, [
            "--model", str(varied), "--model-args", "dtype=float32", "--tasks", "alice_synth_m*", "--limit", "4",
            "--gen-kwargs", "max_gen_toks=16", "--device", "cpu", "--output-path", str(out), "--log-samples",
            "--metadata", json.dumps(SMALL), "--engine", engine])
        assert result.exit_code == 0, result.output
        rows = [json.loads(line) for line in (out / "results_samples_alice_synth_math.jsonl").read_text().splitlines()]
        answers[engine] = [r["resps"][0][0].strip() for r in rows]
        model_type = json.loads((out / "results.json").read_text())["config"]["model"]
        assert model_type == {"hf": "EngineLM", "lm-eval": "hf"}[engine]
    assert answers["hf"] == answers["lm-eval"] and len(set(answers["hf"])) > 1


def test_cli_eval_hflm_only_model_args_need_the_lm_eval_engine(tiny_model, tmp_path):
    result = CliRunner().invoke(eval_command, ["--model", str(tiny_model), "--model-args", "max_length=64",
                                               "--output-path", str(tmp_path / "r.json")])
    assert result.exit_code == 2, result.output
    assert "--model-args" in result.output and "max_length" in result.output and "--engine lm-eval" in result.output
    assert not (tmp_path / "r.json").exists()


# -- lm_eval exactly as typed: installed tasks, the glob, offline data ----------------------------------

def lm_eval_cli(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """The stock `lm_eval` console script of this environment."""
    exe = Path(sys.executable).with_name("lm_eval")
    return subprocess.run([str(exe), *args], cwd=cwd, capture_output=True, text=True, timeout=900,
                          env={**os.environ, **(env or {})})


@pytest.fixture
def installed_tasks():
    """The tasks linked into lm-eval's own folder for this test; the folder's state before is restored."""
    from alice_eval import task_install

    before = task_install.installed()
    task_install.install()
    yield task_install
    task_install.install() if before else task_install.uninstall()


def test_tasks_install_and_uninstall(installed_tasks, tmp_path):
    from alice_eval.cli import main

    folder = installed_tasks.target()
    assert installed_tasks.installed() and (folder / installed_tasks.MARKER).is_file()
    linked = {p.name: p.resolve() for p in folder.iterdir() if p.is_symlink()}
    assert set(linked) == {p.name for p in evaluation.tasks_dir().iterdir() if p.suffix in (".yaml", ".py")
                           and p.name != "__init__.py"}
    assert all(path.parent == evaluation.tasks_dir().resolve() for path in linked.values())
    assert CliRunner().invoke(main, ["tasks", "install"]).exit_code == 0          # idempotent
    # lm-eval's own index (no include path) sees every task and group once
    from lm_eval.tasks import TaskManager

    index = TaskManager()
    assert sorted(index.match_tasks(["alice_*"])) == sorted(TASKS)
    assert set(GROUPS) <= set(index.all_groups)

    result = CliRunner().invoke(main, ["tasks", "uninstall"])
    assert result.exit_code == 0 and str(folder) in result.output
    assert not folder.exists() and not installed_tasks.installed()
    assert "alice_gsm8k" not in TaskManager().all_tasks
    assert "nothing to remove" in CliRunner().invoke(main, ["tasks", "uninstall"]).output
    # a folder of that name that this project did not make is never touched
    folder.mkdir()
    (folder / "mine.yaml").write_text("task: mine\n")
    try:
        for command in ("install", "uninstall"):
            result = CliRunner().invoke(main, ["tasks", command])
            assert result.exit_code == 1 and "not made by alice-train" in result.output
        assert (folder / "mine.yaml").read_text() == "task: mine\n"
    finally:
        shutil.rmtree(folder)


def test_stock_lm_eval_glob_runs_every_task_once(installed_tasks, tiny_model, tmp_path, hf_data_dir):
    """`lm_eval --tasks 'alice_*'` with no --include_path: every leaf task once, scored, offline."""
    proc = lm_eval_cli(
        "--tasks", "alice_*", "--model", "hf", "--model_args", f"pretrained={tiny_model},dtype=float32",
        "--device", "cpu", "--limit", "2", "--gen_kwargs", "max_gen_toks=8", "--apply_chat_template",
        "--metadata", json.dumps(SMALL), "--output_path", str(tmp_path / "out"),
        cwd=tmp_path, env={"ALICE_DATA_DIR": str(hf_data_dir)})
    assert proc.returncode == 0, proc.stderr[-4000:]
    [file] = (tmp_path / "out").rglob("results_*.json")
    results = json.loads(file.read_text())["results"]
    assert sorted(results) == sorted(TASKS)
    for name in TASKS:
        assert_metrics(results, name)


def test_stock_lm_eval_offline_without_data_stops_with_one_line(installed_tasks, tiny_model, tmp_path):
    env = {"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "ALICE_DATA_DIR": ""}
    proc = lm_eval_cli("--tasks", "alice_arc_challenge", "--model", "hf",
                       "--model_args", f"pretrained={tiny_model}", "--limit", "1", cwd=tmp_path, env=env)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("alice_arc_challenge: ") and "ALICE_DATA_DIR" in last and "alice_gsm8k" in last


def test_offline_gsm8k_uses_the_verified_packaged_copy(monkeypatch):
    from alice_eval import data
    from alice_eval.data import packaged

    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.delenv("ALICE_DATA_DIR", raising=False)
    records = data.load("gsm8k", "test")
    assert len(records) == 1319 and records[0]["question"].startswith("Janet")
    assert records[0]["answer"] == "18" and records[0]["source"] == packaged.describe()
    assert all(scoring.score(r, prompts.gold_completion(r)).correct for r in records)
    # the re-split for training: disjoint, together the whole split
    train, test = data.load("gsm8k", "train", source="packaged"), data.load("gsm8k", "test", source="packaged")
    assert (len(train), len(test)) == (1000, 319)
    assert {r["question"] for r in train}.isdisjoint(r["question"] for r in test)
    assert [r["question"] for r in train + test] == [r["question"] for r in records]
    from alice_eval.data.hf import DatasetUnavailableError

    with pytest.raises(DatasetUnavailableError, match="source: packaged"):
        data.load("gsm8k", "train")               # the hub is unreachable and the package has no train split
    # a copy that is not the verified file is refused with one line
    packaged.gsm8k_test_rows.cache_clear()
    monkeypatch.setattr(packaged, "GSM8K_SHA256", "0" * 64)
    try:
        with pytest.raises(packaged.PackagedDataError, match="sha256") as err:
            data.load("gsm8k", "test")
        assert "\n" not in str(err.value)
    finally:
        packaged.gsm8k_test_rows.cache_clear()


def test_offline_benchmarks_without_data_are_left_out(monkeypatch):
    from alice_eval import data
    from alice_eval.data.hf import DatasetUnavailableError

    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.delenv("ALICE_DATA_DIR", raising=False)
    with pytest.raises(DatasetUnavailableError, match="ALICE_DATA_DIR") as err:
        data.load("triviaqa", "test")
    assert str(err.value).startswith("triviaqa: ") and "\n" not in str(err.value)
    manager = evaluation.task_manager(include_defaults=False)
    names, lines = evaluation.leave_out_unavailable(["alice", "alice-synth"], manager)
    assert names == ["alice_gsm8k", "alice-synth"]          # the group alice falls apart into what has data
    assert sorted(line.split(" ")[0] for line in lines) == ["alice_arc_challenge", "alice_hotpotqa",
                                                           "alice_triviaqa"]
    assert evaluation.leave_out_unavailable(["alice-synth", "alice_synth_math"], manager) == (
        ["alice-synth", "alice_synth_math"], [])


def test_cli_eval_leaves_out_offline_tasks(tiny_model, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.delenv("ALICE_DATA_DIR", raising=False)
    out = tmp_path / "r.json"
    result = CliRunner().invoke(eval_command, [
        "--model", str(tiny_model), "--model-args", "dtype=float32", "--tasks", "alice_gsm8k,alice_triviaqa",
        "--limit", "2", "--gen-kwargs", "max_gen_toks=8", "--device", "cpu", "--output-path", str(out)])
    assert result.exit_code == 0, result.output
    written = json.loads(out.read_text())
    assert sorted(written["results"]) == ["alice_gsm8k"]
    [line] = written["alice_left_out"]
    assert line.startswith("alice_triviaqa left out: ") and line in result.output
    from alice_eval.data import packaged

    assert written["alice_data_sources"] == {"alice_gsm8k": [packaged.describe()]}


def test_engine_lm_answers_as_lm_evals_own_hf_model(tiny_model, tmp_path):
    """Evaluating on the run's engine (the hf decode loop) gives lm-eval's HF model's answers and scores."""
    from tiny import talkative_copy

    from alice_eval.generation import load_generator

    varied = talkative_copy(tiny_model, tmp_path / "varied")      # varied answers, not one token

    common = dict(model_args={"dtype": "float32"}, limit=4, batch_size=4, gen_kwargs=GEN, log_samples=True,
                  device="cpu", metadata=SMALL)
    theirs = evaluation.evaluate(str(varied), ["alice-synth"], **common)
    engine = load_generator(str(varied), "hf", batch_size=8, dtype="float32")
    ours = evaluation.evaluate(str(varied), ["alice-synth"], engine=engine, **common)
    for name in SYNTH_TASKS:
        answers = [[s["resps"][0][0].strip() for s in r["samples"][name]] for r in (theirs, ours)]
        assert answers[0] == answers[1] and len(set(answers[0])) > 1
        assert ours["results"][name]["acc,none"] == theirs["results"][name]["acc,none"]
        assert [s["arguments"][0][0] for s in ours["samples"][name]] == \
               [s["arguments"][0][0] for s in theirs["samples"][name]]         # the same rendered prompts


def test_gsm8k_check_scores_the_same_answers_with_lm_evals_own_filters():
    from alice_eval import gsm8k_check
    from alice_eval.data import packaged

    doc = packaged.gsm8k_test_rows()[0]                      # Janet's ducks: 18
    responses = ["16 - 3 - 4 = 9 eggs, 9 * 2 = 18.\n#### 18", "She makes $18 every day.",
                 "#### 18\nThat is 20 dollars less than 38.", "#### 1,8", "#### 17"]
    verdicts = gsm8k_check.lm_eval_verdicts(gsm8k_check.lm_eval_gsm8k_task(), [doc] * 5, responses)
    ours = [float(scoring.score(data_record(doc), r).correct) for r in responses]
    assert verdicts["strict-match"] == [1.0, 0.0, 1.0, 1.0, 0.0]      # "#### 1,8": commas are ignored
    assert verdicts["flexible-extract"] == [1.0, 1.0, 0.0, 1.0, 0.0]  # the last number anywhere
    assert ours == [1.0, 0.0, 1.0, 0.0, 0.0]                            # the number after the last ####
    flexible = [float(scoring.score(data_record(doc), r).flexible_correct) for r in responses]
    assert flexible == [1.0, 1.0, 1.0, 0.0, 0.0]        # the marker first, then the last number


def test_gsm8k_check_rescores_stored_answers_with_todays_scorer():
    from alice_eval import gsm8k_check

    rows = [{"doc_id": i, "gold": "18", "response": r, "alice_acc": 0.0, "alice_parsed": 0.0,
             "strict-match": s, "flexible-extract": f}
            for i, (r, s, f) in enumerate([("so \\(\\boxed{18}\\) dollars for 4 days", 0.0, 0.0),
                                           ("#### 18", 1.0, 1.0), ("\\boxed{18.00}", 0.0, 0.0)])]
    report = gsm8k_check.rescore({"model": "m", "engine": "hf", "max_gen_toks": 8, "source": [], "per_question": rows})
    assert [q["alice_flexible"] for q in report["per_question"]] == [1.0, 1.0, 1.0]
    assert [q["alice_acc"] for q in report["per_question"]] == [0.0, 1.0, 0.0]
    assert report["differ"] == {"strict-match": [], "flexible-extract": [0, 2]}   # a number after the box; 18.00
    assert report["acc_flexible"] == 1.0 and report["rescored"]


def data_record(row: dict) -> dict:
    return {"kind": "number", "answer": row["answer"].rpartition("####")[2].strip(), "aliases": []}
