"""Kill anywhere, lose nothing: a tiny run of every method SIGKILLed at each kill point in turn.

Each run resumes the one before it and is killed (``ALICE_KILL_AT``, :mod:`alice_eval.faults`) at the
next point in run order, so the points cover every stage: between chunks and mid-chunk, mid-training
step, mid-checkpoint write, mid-evaluation, mid-merge, while the manifest or a results file is written.
After each kill the test checks that the next run reused what was finished (done stages, chunk files,
complete checkpoints are not written again); the last run finishes, and every stage output, answer and
score equals that of the uninterrupted run (``full_run``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from tiny_runs import ALL_METHODS, jsonl, needs_embedder, write_recipe

pytestmark = needs_embedder

KILL_POINTS = [   # in run order; <point>@<stage>#<k>: the k-th pass in that process (see alice_eval/faults.py)
    "file.tmp@manifest.json",                  # the very first write of a run
    "stage.output@data/split",
    "train.step@weak/sft#3",                   # mid-training, one step after checkpoint-2
    "train.checkpoint@weak/sft",               # checkpoint-4: weights written, trainer state not
    "train.saved@weak/sft",
    "artifact.output@weak/sft",
    "eval.answered@weak/eval",                 # mid-evaluation: answers generated, not scored
    "results.copy@weak",
    "stage.done@strong/sft",                   # done.json written, manifest not
    "file.tmp@manifest.json#2",                # the manifest, mid-write, after strong/sft's note
    "chunk.computed@teacher/cot#2",            # mid-chunk, one chunk written
    "chunk.written@teacher/cot",               # between chunks
    "train.step@teacher/sft#1",                # before any checkpoint: training starts over
    "stage.output@w2sg/label",
    "artifact.output@w2sg/eval",
    "train.checkpoint@teacher_qa/sft",
    "chunk.written@teacher/sample#2",
    "stage.output@teacher/cluster",
    "chunk.computed@teacher/uncertainty",
    "stage.done@alice/zeroshot",
    "chunk.computed@alice/revise",
    "stage.output@alice/labels",
    "train.step@alice/sft#3",
    "eval.answered@alice/eval",
    "train.saved@cascade_alice/stage1/sft",
    "merge.saved@cascade_alice/stage1/merge",
    "chunk.written@cascade_alice/stage2/sample",
    "file.tmp@output.jsonl#1",                 # the next stage output, mid-write
    "results.copy@cascade_alice",
]


def run_cli(recipe: Path, run_dir: Path, kill_at: str | None, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    env.pop("ALICE_KILL_AT", None)
    if kill_at:
        env["ALICE_KILL_AT"] = kill_at
    return subprocess.run([sys.executable, "-m", "alice_eval", "run", str(recipe), "--run-dir", str(run_dir), *args],
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900)


def finished_work(run_dir: Path) -> dict[str, tuple[int, int]]:
    """Every file that holds finished work, with (mtime_ns, inode): done stages' ``done.json``, chunk
    files, and complete checkpoints' ``trainer_state.json``."""
    files = [*run_dir.glob("**/done.json"), *run_dir.glob("**/parts/*.jsonl"),
             *run_dir.glob("**/work/checkpoint-*/trainer_state.json")]
    return {str(p.relative_to(run_dir)): (p.stat().st_mtime_ns, p.stat().st_ino) for p in files
            if not any(part.startswith(".") for part in p.relative_to(run_dir).parts)}   # not scratch


def check_reused(run_dir: Path, before: dict[str, tuple[int, int]], log: str) -> None:
    """What was finished before the last run was not done again: a done stage's ``done.json`` is the
    same file; a chunk file is the same file, or its stage finished having resumed at least that many
    chunks; a complete checkpoint is the same, or the last run's training resumed from it (``log``)."""
    for rel, stamp in before.items():
        path = run_dir / rel
        if path.exists() and (path.stat().st_mtime_ns, path.stat().st_ino) == stamp:
            continue
        assert not rel.endswith("done.json"), f"{rel} was written again"
        stage = run_dir / rel.split("/parts/")[0].split("/work/")[0]
        if "/parts/" in rel:
            assert (stage / "done.json").is_file(), f"{rel} is gone and its stage is not done"
            chunks = sum(1 for r in before if r.startswith(f"{stage.relative_to(run_dir)}/parts/"))
            assert json.loads((stage / "done.json").read_text())["resumed_chunks"] >= chunks, rel
        else:               # a newer checkpoint replaces it (save_total_limit 1) once training went on from it
            step = rel.split("/work/checkpoint-")[1].split("/")[0]
            name = str(stage.relative_to(run_dir))
            assert f"[{name}] resumed at step {step} of" in log, f"{name} did not resume from {rel}"


def test_killed_at_every_point_a_rerun_reuses_finished_work_and_ends_as_an_uninterrupted_run(
        full_run, tiny_chain, tmp_path):
    recipe = write_recipe(tmp_path / "tiny.yaml", tiny_chain, ALL_METHODS)
    run_dir = tmp_path / "run"
    before: dict[str, tuple[int, int]] = {}
    for kill_at in KILL_POINTS:
        proc = run_cli(recipe, run_dir, kill_at)
        assert proc.returncode == -signal.SIGKILL, f"{kill_at}: the run was not killed there\n{proc.stdout[-3000:]}"
        check_reused(run_dir, before, proc.stdout)
        before = finished_work(run_dir)
    proc = run_cli(recipe, run_dir, None)
    assert proc.returncode == 0, proc.stdout[-3000:]
    check_reused(run_dir, before, proc.stdout)

    assert not list(run_dir.glob("**/.*.tmp")), "a killed write's temporary file was left behind"
    for output in sorted(full_run.glob("**/output.jsonl")):
        rel = output.relative_to(full_run)
        assert jsonl(run_dir / rel) == jsonl(output), rel
    for method in ALL_METHODS:
        resumed = json.loads((run_dir / "results" / f"{method}.json").read_text())["results"]
        reference = json.loads((full_run / "results" / f"{method}.json").read_text())["results"]
        assert {t: v["acc,none"] for t, v in resumed.items()} == {t: v["acc,none"] for t, v in reference.items()}
        answers = sorted((run_dir / method / "eval" / "output").glob("*.jsonl"))
        reference_answers = sorted((full_run / method / "eval" / "output").glob("*.jsonl"))
        assert [jsonl(p) for p in answers] == [jsonl(p) for p in reference_answers], method
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert set(manifest["stages"]) == set(json.loads((full_run / "manifest.json").read_text())["stages"])


def test_killed_while_linking_another_seeds_stage_the_rerun_links_it(tiny_chain, tmp_path):
    """The 30th point: a stage shared across seeds, killed after its files were linked into a scratch
    folder and before that folder was moved in."""
    recipe = write_recipe(tmp_path / "tiny.yaml", tiny_chain, ["weak"])
    run_dir = tmp_path / "run"
    args = ("--seeds", "0,1", "--set", "eval.limit=2")
    proc = run_cli(recipe, run_dir, "reuse.copied@seed-1/data/split", *args)
    assert proc.returncode == -signal.SIGKILL, proc.stdout[-3000:]
    before = finished_work(run_dir)
    proc = run_cli(recipe, run_dir, None, *args)
    assert proc.returncode == 0, proc.stdout[-3000:]
    check_reused(run_dir, before, proc.stdout)
    split, linked = run_dir / "data/split/output.jsonl", run_dir / "seed-1/data/split/output.jsonl"
    assert split.stat().st_ino == linked.stat().st_ino
    assert not list(run_dir.glob("**/.*.reuse")), "the killed link's scratch folder was left behind"
