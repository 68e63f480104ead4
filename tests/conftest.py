"""Shared fixtures. Tests run offline: no hub, datasets cached in a throwaway folder."""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
if "HF_DATASETS_CACHE" not in os.environ:     # set before `datasets` is imported anywhere
    _cache = tempfile.mkdtemp(prefix="alice-test-datasets-")
    atexit.register(shutil.rmtree, _cache, ignore_errors=True)
    os.environ["HF_DATASETS_CACHE"] = _cache

import pytest  # noqa: E402

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"
sys.path.insert(0, str(TESTS))

from tiny import build_tiny_model  # noqa: E402
from tiny_runs import full_run, tiny_chain  # noqa: E402,F401  (fixtures of the tiny-model runs)


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def hf_data_dir() -> Path:
    """Local files shaped like the four hub benchmarks (``<dataset>/<split>.jsonl``), for ALICE_DATA_DIR."""
    return FIXTURES / "hf"


@pytest.fixture(scope="session")
def tiny_model_factory(tmp_path_factory):
    """``make(seed=0, hidden=64, layers=2) -> Path``: a tiny random chat model, built once per arguments."""
    built: dict[tuple, Path] = {}

    def make(seed: int = 0, hidden: int = 64, layers: int = 2) -> Path:
        key = (seed, hidden, layers)
        if key not in built:
            out = tmp_path_factory.mktemp(f"tiny-s{seed}-h{hidden}-l{layers}")
            built[key] = build_tiny_model(out, seed=seed, hidden=hidden, layers=layers)
        return built[key]

    return make


@pytest.fixture(scope="session")
def tiny_model(tiny_model_factory) -> Path:
    return tiny_model_factory()
