"""The Alice pipeline, imported as ``alice_eval.trainer``.

This folder sits at the top of the repository (``trainer/``) but installs as ``alice_eval.trainer``
(``package-dir`` in pyproject.toml), so every import, here and elsewhere, is written
``from alice_eval.trainer import ...``.

methods.py   each method declared once: what it needs, its stages, how it trains its student
pipeline.py  the building blocks the methods use (models, generation, training, evaluation)
stages.py    the Alice stages as plain functions over records
runner.py    caching, resume, atomic writes, the manifest
config.py    recipes: validated YAML;  sft.py: the TRL SFTTrainer wrapper;  recipes/: shipped recipes
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def recipes_dir() -> Path:
    """The shipped recipe YAMLs."""
    return Path(str(files("alice_eval.trainer") / "recipes"))
