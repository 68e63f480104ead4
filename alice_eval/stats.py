"""Paired statistics over test questions: every method answers the same questions, so compare them
question by question, not as two independent bars.

- :func:`paired_difference`: mean(a - b) with a paired-bootstrap 95% interval (questions resampled);
- :func:`mcnemar`: the exact McNemar test (a two-sided binomial test on the discordant questions);
- :func:`pgr_interval`: PGR = (method - weak) / (strong - weak) with weak, strong and the method
  resampled together over the same questions.

A difference is *significant* only when its interval excludes 0. Inputs are 0/1 verdicts (or any
per-question scores) aligned by question; several seeds are handled by the caller stacking
``(question, seed)`` pairs and resampling questions (``groups``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BOOTSTRAP = 10_000


@dataclass(frozen=True)
class Difference:
    diff: float            # mean(a) - mean(b)
    low: float             # 95% paired-bootstrap interval
    high: float
    p_mcnemar: float       # exact McNemar p-value (1.0 when no question is discordant)
    n: int                 # questions
    a_only: int            # questions a got right and b wrong
    b_only: int

    @property
    def significant(self) -> bool:
        return self.low > 0 or self.high < 0

    @property
    def verdict(self) -> str:
        if not self.significant:
            return "not significant"
        word = "better" if self.diff > 0 else "worse"
        # with few discordant questions a percentile bootstrap is too narrow; say when the exact test disagrees
        return word if self.p_mcnemar < 0.05 else f"{word} by the interval only (McNemar p={self.p_mcnemar:.2g})"


def _resample(n_groups: int, rounds: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, n_groups, size=(rounds, n_groups))


def _group_sums(values: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-group sums and counts, groups numbered 0..G-1."""
    sums = np.bincount(groups, weights=values)
    counts = np.bincount(groups).astype(float)
    return sums, counts


def _groups(n: int, groups) -> np.ndarray:
    if groups is None:
        return np.arange(n)
    _, inverse = np.unique(np.asarray(groups, dtype=object).astype(str), return_inverse=True)
    return inverse


def mcnemar(a, b) -> tuple[float, int, int]:
    """(exact two-sided p, a-only count, b-only count) for paired 0/1 verdicts."""
    from scipy.stats import binomtest

    a, b = np.asarray(a) > 0.5, np.asarray(b) > 0.5
    a_only, b_only = int(np.sum(a & ~b)), int(np.sum(~a & b))
    discordant = a_only + b_only
    p = 1.0 if discordant == 0 else float(binomtest(a_only, discordant, 0.5).pvalue)
    return p, a_only, b_only


def paired_difference(a, b, groups=None, rounds: int = BOOTSTRAP, seed: int = 0) -> Difference:
    """mean(a) - mean(b) over aligned questions, with a 95% percentile interval from resampling
    questions (``groups``: the question of each entry when seeds repeat it; resampled as units)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape or a.ndim != 1 or len(a) == 0:
        raise ValueError(f"paired_difference: need two aligned, non-empty lists (got {a.shape} and {b.shape})")
    g = _groups(len(a), groups)
    sums, counts = _group_sums(a - b, g)
    draws = _resample(len(sums), rounds, seed)
    boot = sums[draws].sum(axis=1) / counts[draws].sum(axis=1)
    low, high = np.percentile(boot, [2.5, 97.5])
    p, a_only, b_only = mcnemar(a, b)
    return Difference(float(a.mean() - b.mean()), float(low), float(high), p, len(sums), a_only, b_only)


def pgr_interval(weak, strong, method, groups=None, rounds: int = BOOTSTRAP,
                 seed: int = 0) -> tuple[float | None, float | None, float | None]:
    """(PGR, low, high): resampled questions keep weak, strong and the method together. Draws where
    the strong ceiling is not above the weak model have no PGR and are left out; None when the point
    estimate itself has no gap or fewer than 95% of the draws have one."""
    w, s, m = (np.asarray(x, dtype=float) for x in (weak, strong, method))
    if not (w.shape == s.shape == m.shape) or len(w) == 0:
        raise ValueError("pgr_interval: weak, strong and method must be aligned and non-empty")
    gap = s.mean() - w.mean()
    if gap <= 0:
        return None, None, None
    point = float((m.mean() - w.mean()) / gap)
    g = _groups(len(w), groups)
    (ws, counts), (ss, _), (ms, _) = (_group_sums(x, g) for x in (w, s, m))
    draws = _resample(len(ws), rounds, seed)
    n = counts[draws].sum(axis=1)
    wb, sb, mb = (x[draws].sum(axis=1) / n for x in (ws, ss, ms))
    ok = sb - wb > 0
    if ok.mean() < 0.95:
        return point, None, None
    low, high = np.percentile((mb[ok] - wb[ok]) / (sb[ok] - wb[ok]), [2.5, 97.5])
    return point, float(low), float(high)
