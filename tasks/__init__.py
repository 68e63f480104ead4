"""lm-eval task definitions for the ``alice_*`` tasks, imported as ``alice_eval.tasks``.

This folder sits at the top of the repository (``tasks/``) but installs as ``alice_eval.tasks``
(``package-dir`` in pyproject.toml). One YAML per task and per group; ``_alice_base.yaml`` holds what
every task shares, and ``hooks.py`` the functions their ``!function`` entries name (thin: the real work
is in ``alice_eval.data``, ``alice_eval.prompts`` and ``alice_eval.scoring``). ``alice-train tasks
install`` makes stock lm-eval find them (``lm_eval --tasks 'alice_*'``); leaf tasks are ``alice_*``,
groups ``alice`` and ``alice-<category>``, so the glob never selects a task twice.
"""
