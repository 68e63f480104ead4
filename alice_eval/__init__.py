"""alice-w2s: Alice and cascade Alice for weak-to-strong generalization.

Layout: ``alice_eval`` is the library (scoring, prompts, data, models, generation, evaluation,
leaderboard, CLI); ``alice_eval.tasks`` holds the lm-eval task YAMLs; ``alice_eval.trainer`` holds the
pipeline stages, the TRL wrapper and the recipes.
"""

__version__ = "0.1.0"
