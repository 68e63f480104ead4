"""The leaderboard: lm-eval results JSON files in, a PGR table (markdown, CSV) and a bar chart out.

Each results file is the dict ``lm_eval.simple_evaluate`` returns. Our trainer adds a top-level block
``"alice": {"run", "method", "weak_model", "strong_model", "recipe"}``; files without it (plain
``lm_eval`` runs) are shown under run ``lm_eval`` with the model name as method, and get no PGR.

PGR = (acc_method - acc_weak) / (acc_strong - acc_weak), per run and task (the paper's PGR).
 It is left out, with a flag, when the strong ceiling does not beat the weak model.
"""

from __future__ import annotations

import csv
import json
import logging
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from alice_eval.data.registry import DATASETS
from alice_eval.runtime import atomic_write
from alice_eval.trainer import methods as method_registry

log = logging.getLogger(__name__)

BASELINES = ("weak", "strong")
CATEGORY_ORDER = ("math", "logic", "knowledge", "ood")
PLAIN_RUN = "lm_eval"
FLAG_NO_GAP = "strong<=weak"
FLAG_NO_BASELINE = "no baseline"
Z95 = 1.959963984540054
COLUMNS = ("category", "task", "run", "method", "n", "acc", "95% CI", "acc_flexible", "acc_parsed", "parse_rate", "PGR",
           "seeds (sd)")
CSV_COLUMNS = ("category", "task", "run", "method", "n", "acc", "ci_low", "ci_high", "acc_flexible", "acc_parsed",
               "parse_rate", "pgr", "flag", "seeds", "sd")


@dataclass
class Row:
    run: str
    method: str
    task: str                      # "alice_synth_math", or "<category> (mean)" for an aggregate row
    category: str                  # "math" | "logic" | "knowledge"
    n: int | None
    acc: float | None
    acc_parsed: float | None = None
    parse_rate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    pgr: float | None = None
    flag: str = ""
    acc_flexible: float | None = None   # the answer read as models write it (alice_eval.scoring)
    seed: int | None = None        # the seed of one run; None once seeds are averaged (see ``seeds``)
    seeds: int = 1                 # how many seeds the row averages
    sd: float | None = None        # standard deviation of acc over those seeds

    @property
    def is_mean(self) -> bool:
        return self.task.endswith(" (mean)")


def wilson(p: float | None, n: int | None, z: float = Z95) -> tuple[float | None, float | None]:
    """95% Wilson score interval of a proportion ``p`` observed on ``n`` samples."""
    if p is None or not n:
        return None, None
    denom = 1 + z * z / n
    center = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, center - half), min(1.0, center + half)


# ---------------------------------------------------------------------------------------------- read

def _float(v) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):        # "N/A", None
        return None
    return None if math.isnan(f) else f


def _metric(res: dict, name: str) -> float | None:
    """``res["<name>,<filter>"]``, preferring the ``none`` filter."""
    if f"{name},none" in res:
        return _float(res[f"{name},none"])
    for key, v in res.items():
        if key.split(",")[0] == name:
            return _float(v)
    return None


def _plain_model_name(data: dict) -> str:
    if data.get("model_name"):
        return str(data["model_name"])
    args = (data.get("config") or {}).get("model_args") or ""
    if isinstance(args, dict):
        return str(args.get("pretrained") or "unknown model")
    for part in str(args).split(","):
        key, _, value = part.partition("=")
        if key.strip() == "pretrained":
            return value.strip()
    return "unknown model"


def _rows_of(data: dict, path: Path) -> list[Row]:
    block = data.get("alice") if isinstance(data.get("alice"), dict) else None
    seed = None
    if block:
        run = str(block.get("run") or path.parent.name)
        method = str(block.get("method") or "unknown")
        seed = block.get("seed")
    else:
        run, method = PLAIN_RUN, _plain_model_name(data)
    counts = data.get("n-samples") or {}
    rows = []
    for task, res in data["results"].items():
        spec = DATASETS.get(task.removeprefix("alice_")) if task.startswith("alice_") else None
        if spec is None or not isinstance(res, dict):          # a group, or not one of ours
            continue
        count = counts.get(task) if isinstance(counts, dict) else None
        n = _float((count or {}).get("effective") if isinstance(count, dict) else None)
        n = int(n) if n and n > 0 and n == int(n) else None          # malformed counts: shown as unknown
        acc = _metric(res, "acc")
        lo, hi = wilson(acc, n)
        rows.append(Row(run, method, task, spec.category, n, acc, _metric(res, "acc_parsed"),
                        _metric(res, "parse_rate"), lo, hi, seed=seed, acc_flexible=_metric(res, "acc_flexible")))
    return rows


def _json_files(paths: list[Path]) -> list[Path]:
    files = []
    for p in map(Path, paths):
        files.extend(sorted(p.rglob("*.json")) if p.is_dir() else [p])
    return files


def collect(paths: list[Path]) -> list[Row]:
    """Rows of every lm-eval results JSON under ``paths`` (files or directories, searched
    recursively), the newest per (run, method, task), with PGR and per-category mean rows added."""
    newest: dict[tuple[str, str, str], tuple[float, Row]] = {}
    for path in _json_files(paths):
        try:
            data = json.loads(path.read_text())
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            log.warning("leaderboard: skipping %s: not a readable JSON file (%s)", path, e)
            continue
        if not isinstance(data, dict) or not isinstance(data.get("results"), dict):
            continue
        stamp = _float(data.get("date"))
        stamp = stamp if stamp is not None else path.stat().st_mtime
        for row in _rows_of(data, path):
            key = (row.run, row.method, row.task, row.seed)
            if key not in newest or stamp >= newest[key][0]:
                newest[key] = (stamp, row)
    rows = _over_seeds([row for _, row in newest.values()])
    rows += _means(rows)
    _add_pgr(rows)
    return sort_rows(rows)


def _over_seeds(rows: list[Row]) -> list[Row]:
    """One row per (run, method, task): the mean over its seeds, with their standard deviation."""
    by_key: dict[tuple[str, str, str], list[Row]] = defaultdict(list)
    for r in rows:
        by_key[r.run, r.method, r.task].append(r)
    out = []
    for members in by_key.values():
        if len(members) == 1:
            out.append(members[0])
            continue
        first = members[0]

        def mean(attr):
            vals = [getattr(r, attr) for r in members]
            return None if None in vals else sum(vals) / len(vals)

        acc = mean("acc")
        sd = None if acc is None else math.sqrt(sum((r.acc - acc) ** 2 for r in members) / (len(members) - 1))
        lo, hi = wilson(acc, first.n)
        out.append(Row(first.run, first.method, first.task, first.category, first.n, acc, mean("acc_parsed"),
                       mean("parse_rate"), lo, hi, seeds=len(members), sd=sd, acc_flexible=mean("acc_flexible")))
    return out


def _means(rows: list[Row]) -> list[Row]:
    """One "<category> (mean)" row per (run, method, kind) whose run has more than one task of that kind."""
    tasks_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    groups: dict[tuple[str, str, str], list[Row]] = defaultdict(list)
    for r in rows:
        tasks_of[r.run, r.category].add(r.task)
        groups[r.run, r.method, r.category].append(r)
    out = []
    for (run, method, category), members in groups.items():
        if len(tasks_of[run, category]) < 2:
            continue

        def mean(attr):
            vals = [getattr(r, attr) for r in members]
            return None if None in vals else sum(vals) / len(vals)

        ns = [r.n for r in members]
        n = None if None in ns else sum(ns)
        acc = mean("acc")
        pooled = None if n is None or acc is None else sum(r.acc * r.n for r in members) / n
        lo, hi = wilson(pooled, n)
        out.append(Row(run, method, f"{category} (mean)", category, n, acc, mean("acc_parsed"),
                       mean("parse_rate"), lo, hi, acc_flexible=mean("acc_flexible")))
    return out


def _add_pgr(rows: list[Row]) -> None:
    """Set ``pgr`` and ``flag`` in place. A mean row is compared with the baselines' mean over the
    same tasks, so it is only scored when the method covers exactly the tasks the baselines do."""
    acc = {(r.run, r.method, r.task): r.acc for r in rows}
    tasks = defaultdict(set)
    for r in rows:
        if not r.is_mean:
            tasks[r.run, r.method, r.category].add(r.task)
    for r in rows:
        if r.run == PLAIN_RUN or r.method in BASELINES:
            continue
        weak, strong = acc.get((r.run, "weak", r.task)), acc.get((r.run, "strong", r.task))
        if r.is_mean and not (tasks[r.run, r.method, r.category] == tasks[r.run, "weak", r.category]
                              == tasks[r.run, "strong", r.category]):
            weak = strong = None
        if weak is None or strong is None or r.acc is None:
            r.flag = FLAG_NO_BASELINE
        elif strong <= weak:
            r.flag = FLAG_NO_GAP
        else:
            r.pgr = (r.acc - weak) / (strong - weak)


def sort_rows(rows: list[Row]) -> list[Row]:
    def key(r: Row):
        category = CATEGORY_ORDER.index(r.category) if r.category in CATEGORY_ORDER else len(CATEGORY_ORDER)
        order = method_registry.names()
        method = order.index(r.method) if r.method in order else len(order)
        return category, r.category, r.run, method, r.method, r.is_mean, r.task
    return sorted(rows, key=key)


# --------------------------------------------------------------------------------------------- write

def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f}"


def _pgr_cell(r: Row) -> str:
    if r.pgr is not None:
        return f"{r.pgr:.2f}"
    return {FLAG_NO_GAP: "— (strong ≤ weak)", FLAG_NO_BASELINE: "— (no baseline)"}.get(r.flag, "—")


def render_table(rows: list[Row]) -> str:
    """The leaderboard as a markdown table, in ``sort_rows`` order."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in sort_rows(rows):
        ci = "—" if r.ci_low is None else f"{_pct(r.ci_low)}–{_pct(r.ci_high)}"
        cells = (r.category, r.task, r.run, r.method, "—" if r.n is None else str(r.n), _pct(r.acc), ci,
                 _pct(r.acc_flexible), _pct(r.acc_parsed), _pct(r.parse_rate), _pgr_cell(r),
                 "1" if r.seeds == 1 else f"{r.seeds} ({_pct(r.sd)})")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _write_csv(rows: list[Row], path: Path) -> None:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(CSV_COLUMNS)
        for r in sort_rows(rows):
            w.writerow(["" if v is None else v for v in
                        (r.category, r.task, r.run, r.method, r.n, r.acc, r.ci_low, r.ci_high,
                         r.acc_flexible, r.acc_parsed, r.parse_rate, r.pgr, r.flag, r.seeds, r.sd)])


def _write_png(rows: list[Row], path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in sort_rows(rows) if not r.is_mean and r.acc is not None]
    categories = list(dict.fromkeys(r.category for r in rows)) or ["(no results)"]
    several_runs = len({r.run for r in rows}) > 1
    fig, axes = plt.subplots(1, len(categories), figsize=(max(6, 5 * len(categories)), 4.5), squeeze=False)
    for ax, category in zip(axes[0], categories):
        panel = [r for r in rows if r.category == category]
        groups = list(dict.fromkeys((r.run, r.task) for r in panel))
        methods = list(dict.fromkeys(r.method for r in panel))
        width = 0.8 / max(1, len(methods))
        for i, method in enumerate(methods):
            xs, ys, err = [], [], [[], []]
            for r in panel:
                if r.method != method:
                    continue
                xs.append(groups.index((r.run, r.task)) - 0.4 + width * (i + 0.5))
                ys.append(100 * r.acc)
                # max(0, ...): at acc 0 or 1 the Wilson bound can sit a rounding error past acc
                err[0].append(0 if r.ci_low is None else max(0.0, 100 * (r.acc - r.ci_low)))
                err[1].append(0 if r.ci_high is None else max(0.0, 100 * (r.ci_high - r.acc)))
            ax.bar(xs, ys, width, yerr=err, capsize=3, label=method)
        ax.set_xticks(range(len(groups)))
        ax.set_xticklabels([f"{run}\n{task.removeprefix('alice_')}" if several_runs
                            else task.removeprefix("alice_") for run, task in groups], fontsize=8)
        ax.set_title(category)
        ax.set_ylabel("acc (%)")
        ax.set_ylim(0, 100)
        if methods:
            ax.legend(fontsize=7)
    fig.suptitle("alice-w2s leaderboard: accuracy with 95% Wilson CI")
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=120)
    plt.close(fig)


def write(rows: list[Row], out_dir: Path) -> dict[str, Path]:
    """Write ``leaderboard.md``, ``leaderboard.csv`` and ``leaderboard.png`` into ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    table = render_table(rows)
    return {
        "md": atomic_write(out_dir / "leaderboard.md", lambda p: p.write_text(table)),
        "csv": atomic_write(out_dir / "leaderboard.csv", lambda p: _write_csv(rows, p)),
        "png": atomic_write(out_dir / "leaderboard.png", lambda p: _write_png(rows, p)),
    }


__all__ = ["Row", "collect", "render_table", "sort_rows", "wilson", "write"]
