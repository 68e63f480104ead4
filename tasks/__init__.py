"""lm-eval task definitions for the ``alice_*`` tasks (installed as ``alice_eval.tasks``).

One YAML per task and per group; ``_alice_base.yaml`` holds what every task shares, and ``hooks.py`` the
functions their ``!function`` entries name (thin: the real work is in ``alice_eval.data``,
``alice_eval.prompts`` and ``alice_eval.scoring``). Point stock lm-eval at this folder with
``lm_eval run --include_path "$(alice-train tasks-path)" --tasks alice,alice_synth``. (With stock
lm-eval, ``--tasks 'alice_*'`` fails: it selects the groups *and* their tasks, which lm-eval rejects as
duplicates; ``alice-train eval`` drops the duplicates itself.)
"""
