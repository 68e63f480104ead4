"""The Alice pipeline: recipes (config), stages, the runner that caches and resumes them, the TRL SFT
wrapper, and the methods (weak, strong, w2sg, alice, cascade_alice) built from them."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def recipes_dir() -> Path:
    """The shipped recipe YAMLs."""
    return Path(str(files("alice_eval.trainer") / "recipes"))
