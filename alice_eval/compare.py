"""Paired comparisons between methods of one run: every method answers the same test questions.

For each run, each task and each category (its tasks' questions pooled), every method is compared
with ``w2sg`` and with ``weak``: the accuracy difference with its 95% paired-bootstrap interval, the
exact McNemar p-value, and PGR with an interval in which weak, strong and the method are resampled
together. The per-question verdicts come from the results JSONs the trainer writes
(``alice_verdicts``); several seeds of a method are stacked, their questions resampled as units.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from alice_eval import stats
from alice_eval.data.registry import DATASETS
from alice_eval.runtime import atomic_write
from alice_eval.trainer import methods as method_registry

BASELINES = ("w2sg", "weak")
COLUMNS = ("run", "category", "task", "method", "vs", "n", "diff", "ci_low", "ci_high", "p_mcnemar",
           "verdict", "pgr", "pgr_low", "pgr_high")


@dataclass(frozen=True)
class Comparison:
    run: str
    category: str
    task: str                  # a task, or "<category> (all)" for the pooled questions of a category
    method: str
    vs: str
    difference: stats.Difference
    pgr: tuple[float | None, float | None, float | None]


def _trainer_results(paths: list[Path]):
    """(data, its ``alice`` block) for every readable trainer results JSON under ``paths``."""
    files = [q for p in map(Path, paths) for q in (sorted(p.rglob("*.json")) if p.is_dir() else [p])]
    for path in files:
        try:
            data = json.loads(path.read_text())
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            continue
        block = data.get("alice") if isinstance(data, dict) else None
        if isinstance(block, dict) and isinstance(data.get("results"), dict):
            yield data, block


def verdicts(paths: list[Path]) -> dict[tuple[str, str, str], dict[str, float]]:
    """(run, method, task) -> {question key: verdict}; seeds of one method are keyed ``<qid>@<seed>``."""
    out: dict[tuple[str, str, str], dict[str, float]] = defaultdict(dict)
    for data, block in _trainer_results(paths):
        if not isinstance(data.get("alice_verdicts"), dict):
            continue
        run, method, seed = str(block.get("run")), str(block.get("method")), block.get("seed")
        for task, per_question in data["alice_verdicts"].items():
            if isinstance(per_question, dict):
                out[run, method, task].update({f"{q}@{seed}" if seed is not None else q: float(v)
                                               for q, v in per_question.items()})
    return dict(out)


def _category(task: str) -> str:
    spec = DATASETS.get(task.removeprefix("alice_"))
    return spec.category if spec else "other"


def compare(paths: list[Path]) -> list[Comparison]:
    table = verdicts(paths)
    runs = sorted({run for run, _, _ in table})
    out = []
    for run in runs:
        methods = [m for m in method_registry.names() if any(k[:2] == (run, m) for k in table)]
        tasks = sorted({t for r, _, t in table if r == run})
        units = [(t, _category(t), [t]) for t in tasks]
        by_category = defaultdict(list)
        for t in tasks:
            by_category[_category(t)].append(t)
        units += [(f"{c} (all)", c, ts) for c, ts in by_category.items() if len(ts) > 1]
        for label, category, unit_tasks in units:
            for vs in BASELINES:
                for method in methods:
                    if method == vs or method in ("weak", "strong") and vs == "w2sg":
                        continue
                    aligned = _aligned(table, run, unit_tasks, [method, vs, "weak", "strong"])
                    if aligned is None:
                        continue
                    keys, cols = aligned
                    groups = [k.split("@")[0] for k in keys]
                    diff = stats.paired_difference(cols[method], cols[vs], groups=groups)
                    pgr = (None, None, None)
                    if "weak" in cols and "strong" in cols and method not in ("weak", "strong"):
                        pgr = stats.pgr_interval(cols["weak"], cols["strong"], cols[method], groups=groups)
                    out.append(Comparison(run, category, label, method, vs, diff, pgr))
    return out


def _aligned(table, run, tasks, wanted):
    """Keys answered by both ``wanted[0]`` and ``wanted[1]`` (and weak/strong where present), with
    each method's verdicts in that order; None when the pair has nothing in common."""
    present = [m for m in wanted if all((run, m, t) in table for t in tasks)]
    if wanted[0] not in present or wanted[1] not in present:
        return None
    keys = None
    for m in present:
        ks = {f"{t}/{k}" for t in tasks for k in table[run, m, t]}
        keys = ks if keys is None else keys & ks
    keys = sorted(keys or [])
    if not keys:
        return None

    def col(m):
        return [table[run, m, k.split("/", 1)[0]][k.split("/", 1)[1]] for k in keys]

    return keys, {m: col(m) for m in dict.fromkeys(present)}


# -- sanity gates: what makes a comparison meaningless, flagged loudly -------------------------------------

ANSWER_FIRST_LIMIT = 0.5       # more than half the answers open with "####" / "My choice is": collapsed format


def gates(paths: list[Path]) -> list[str]:
    """One line per tripped gate over the results JSONs under ``paths``:

    - the strong ceiling not above the weak model on a task (PGR undefined there);
    - a trained student whose parse rate fell below its untuned base model's (``strong_base``, when run);
    - format collapse: most answers open with the answer marker instead of reasoning first;
    - budget: a generation stage where more than ``BUDGET_LIMIT`` of the outputs ended at their budget.
    """
    acc: dict[tuple[str, str, str], dict[str, float]] = {}
    first: dict[tuple[str, str, str], float] = {}
    for data, block in _trainer_results(paths):
        run, method = str(block.get("run")), str(block.get("method"))
        for task, res in data["results"].items():
            if task.startswith("alice_") and isinstance(res, dict) and task.removeprefix("alice_") in DATASETS:
                acc[run, method, task] = {m: _float(res.get(f"{m},none")) for m in ("acc", "parse_rate")}
        for task, share in (data.get("alice_opens_with_answer") or {}).items():
            first[run, method, task] = float(share)
    out = []
    for (run, method, task), m in sorted(acc.items()):
        if method == "strong":
            weak = acc.get((run, "weak", task), {}).get("acc")
            if weak is not None and m["acc"] is not None and m["acc"] <= weak:
                out.append(f"GATE strong<=weak: {run} {task}: strong ceiling {100 * m['acc']:.1f} <= weak "
                           f"{100 * weak:.1f}; PGR is undefined and no method can be judged against the gap")
        base = acc.get((run, "strong_base", task), {}).get("parse_rate")
        if method not in ("weak", "strong_base") and base is not None and m["parse_rate"] is not None \
                and m["parse_rate"] < base:
            out.append(f"GATE parse rate fell: {run} {method} {task}: {100 * m['parse_rate']:.1f}% of answers "
                       f"parsed, its untuned base model {100 * base:.1f}%")
    for (run, method, task), share in sorted(first.items()):
        if share > ANSWER_FIRST_LIMIT:
            out.append(f"GATE format collapse: {run} {method} {task}: {100 * share:.0f}% of answers open with "
                       "the answer marker (no reasoning before it)")
    for run, manifest in manifests(paths).items():
        out += budget_gates(manifest, run)
    return out


def _float(x) -> float | None:
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


# -- what a run's manifest says: label quality and cost ---------------------------------------------------

def label_quality(manifest: dict) -> str:
    """Markdown: per method (and cascade stage), the share of training labels that are right, by source,
    and the paired difference against W2SG's labels on the questions both labelled."""
    notes = manifest.get("label_quality") or {}
    if not notes:
        return ""
    lines = ["| labels of | pool | labelled | right | by source | vs w2sg labels, same questions (95% CI) |",
             "|---|---|---|---|---|---|"]
    for name, n in notes.items():
        w2sg = (notes.get(_part(name) + "w2sg") or {}).get("verdicts") or {}
        share = n["correct"] / n["labelled"] if n["labelled"] else None
        sources = "; ".join(f"{s}: {v['correct']:.0f}/{v['labels']}" for s, v in n["by_source"].items())
        if n["dropped"]:
            sources += f"; dropped: {n['dropped']}"
        vs = "—"
        common = sorted(set(n["verdicts"]) & set(w2sg))
        if not name.endswith("w2sg") and common:
            d = stats.paired_difference([n["verdicts"][q] for q in common], [w2sg[q] for q in common])
            vs = f"{_pct(d.diff, True)} ({_pct(d.low, True)} to {_pct(d.high, True)}), n={d.n}, {d.verdict}"
        lines.append(f"| {name} | {n['pool']} | {n['labelled']} | {_pct(share)}% | {sources} | {vs} |")
    return "\n".join(lines) + "\n"


def _part(name: str) -> str:
    """The prefix of a noted name (``seed-1/synth_math/`` of ``seed-1/synth_math/alice``; ``""`` of
    ``alice``): the part of the run (seed, dataset) it belongs to. A cascade stage's scope keeps its own."""
    cascade = name.find("cascade_alice/")
    if cascade >= 0:
        return name[:cascade]
    head, _, _ = name.rpartition("/")
    return f"{head}/" if head else ""


def mechanism(manifest: dict) -> str:
    """Markdown: what each student did with the teacher's guidance on the questions it revised (the
    mechanism the paper claims; no anchor reports it): its own and the teacher's answers' accuracy, and
    per class of revision (kept its own, adopted the teacher's, a new answer) the count and how many
    were right, all read flexibly; dropped: revisions that never became a label."""
    notes = manifest.get("mechanism") or {}
    if not notes:
        return ""
    from alice_eval.trainer.stages import MECHANISM

    lines = ["| student of | revised | own answer right | teacher's right | "
             + " | ".join(f"{c} (right)" for c in MECHANISM) + " | dropped |",
             "|---|---|---|---|" + "---|" * len(MECHANISM) + "---|"]
    for name, n in notes.items():
        cells = [f"{n['classes'][c]['revisions']} ({n['classes'][c]['correct']})" for c in MECHANISM]
        lines.append(f"| {name} | {n['unsure']} | {n['own_correct']} | {n['teacher_correct']} | "
                     + " | ".join(cells) + f" | {n['dropped']} |")
    return "\n".join(lines) + "\n"


BUDGET_LIMIT = 0.10            # a stage where more of its outputs end at their token budget is flagged


def budgets(manifest: dict) -> str:
    """Markdown: per generation stage, how many outputs ended at their token budget (cut before they
    finished: an answer without its answer line)."""
    rows = [(name, g) for name, g in (manifest.get("generated") or {}).items() if "at_budget" in g]
    if not rows:
        return ""
    lines = ["| stage | outputs | at budget | share | budget (tokens) |", "|---|---|---|---|---|"]
    for name, g in rows:
        share = g["at_budget"] / g["texts"] if g["texts"] else None
        lines.append(f"| {name} | {g['texts']} | {g['at_budget']} | {_pct(share)}% | {g.get('budget') or '—'} |")
    return "\n".join(lines) + "\n"


def budget_gates(manifest: dict, run: str) -> list[str]:
    return [f"GATE budget: {run} {name}: {100 * g['at_budget'] / g['texts']:.0f}% of {g['texts']} outputs ended "
            f"at their {g.get('budget')}-token budget; raise it (student.max_new_tokens, generation.max_new_tokens, "
            "eval.max_gen_toks)"
            for name, g in (manifest.get("generated") or {}).items()
            if g.get("texts") and g.get("at_budget", 0) / g["texts"] > BUDGET_LIMIT]


def cost(manifest: dict) -> str:
    """Markdown: per method, what it cost: teacher samples drawn, tokens generated and trained on, and
    wall seconds, over the stages the method registry lists for it (a shared stage counts for each)."""
    stages_done = manifest.get("stages") or {}
    methods = (manifest.get("config") or {}).get("methods") or []
    chain = len(((manifest.get("config") or {}).get("models") or {}).get("chain") or [])
    generated, trained = manifest.get("generated") or {}, manifest.get("trained") or {}
    lines = ["| method | teacher samples | tokens generated | tokens trained on | seconds (eval included) |",
             "|---|---|---|---|---|"]
    for name in method_registry.names():
        if name not in methods:
            continue
        own = [*method_registry.METHODS[name].stages(chain), f"{name}/eval"]
        # every part of the run counts: stages under a dataset's or seed's prefix too
        mine = lambda table: {k: v for k, v in table.items() if any(k == s or k.endswith("/" + s) for s in own)}  # noqa: E731
        samples = sum(v.get("texts", 0) for k, v in mine(generated).items() if k.endswith("/sample"))
        tokens = sum(v.get("tokens", 0) for v in mine(generated).values())
        train = sum(v.get("tokens", 0) for v in mine(trained).values())
        seconds = sum(v.get("seconds", 0) for v in mine(stages_done).values())
        lines.append(f"| {name} | {samples} | {tokens} | {train} | {seconds:.0f} |")
    return "\n".join(lines) + "\n"


def run_report(manifests: dict[str, dict]) -> str:
    parts = []
    for run, manifest in manifests.items():
        labels, spent, did, cut = label_quality(manifest), cost(manifest), mechanism(manifest), budgets(manifest)
        if labels:
            parts.append(f"### Label quality: {run}\n\n{labels}")
        if did:
            parts.append(f"### Revision mechanism: {run}\n\n{did}")
        if cut:
            parts.append(f"### Outputs ended at their token budget: {run}\n\n{cut}")
        parts.append(f"### Cost: {run}\n\n{spent}")
    return "\n".join(parts)


def manifests(paths: list[Path]) -> dict[str, dict]:
    """run name -> manifest, for every manifest.json under ``paths``."""
    out = {}
    for p in map(Path, paths):
        for m in (sorted(p.rglob("manifest.json")) if p.is_dir() else []):
            try:
                data = json.loads(m.read_text())
            except (OSError, UnicodeDecodeError, json.JSONDecodeError):
                continue
            if isinstance(data, dict) and "stages" in data:
                out[m.parent.name] = data
    return out


def _pct(x: float | None, signed: bool = False) -> str:
    return "—" if x is None else (f"{100 * x:+.1f}" if signed else f"{100 * x:.1f}")


def render(comparisons: list[Comparison]) -> str:
    lines = ["| run | category | task | method | vs | n | diff (pts) | 95% CI | McNemar p | verdict | PGR (95% CI) |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for c in comparisons:
        d = c.difference
        pgr = "—" if c.pgr[0] is None else (f"{c.pgr[0]:.2f}" + ("" if c.pgr[1] is None
                                                                else f" ({c.pgr[1]:.2f} to {c.pgr[2]:.2f})"))
        lines.append(f"| {c.run} | {c.category} | {c.task} | {c.method} | {c.vs} | {d.n} | {_pct(d.diff, True)} | "
                     f"{_pct(d.low, True)} to {_pct(d.high, True)} | {d.p_mcnemar:.3g} | {d.verdict} | {pgr} |")
    return "\n".join(lines) + "\n"


def _csv(comparisons: list[Comparison], path: Path) -> None:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for c in comparisons:
            d = c.difference
            w.writerow([c.run, c.category, c.task, c.method, c.vs, d.n, d.diff, d.low, d.high, d.p_mcnemar,
                        d.verdict, *("" if v is None else v for v in c.pgr)])


def _png(comparisons: list[Comparison], path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [c for c in comparisons if c.vs == "w2sg"] or comparisons
    fig, ax = plt.subplots(figsize=(7, 0.35 * max(4, len(shown)) + 1))
    for i, c in enumerate(shown):
        d = c.difference
        ax.errorbar(100 * d.diff, i, xerr=[[100 * (d.diff - d.low)], [100 * (d.high - d.diff)]], fmt="o",
                    color="tab:green" if d.significant and d.diff > 0 else
                    "tab:red" if d.significant else "tab:gray", capsize=3)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(range(len(shown)))
    ax.set_yticklabels([f"{c.run} {c.task.removeprefix('alice_')}: {c.method} - {c.vs}" for c in shown], fontsize=7)
    ax.set_xlabel("accuracy difference (points), 95% paired-bootstrap interval")
    ax.set_title("paired differences (grey: interval includes 0)")
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=120)
    plt.close(fig)


def write(comparisons: list[Comparison], out_dir: Path, runs: dict[str, dict] | None = None) -> dict[str, Path]:
    """``paired.md`` (the differences, then each run's label quality and cost), ``paired.csv`` and
    ``paired.png`` in ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    table = "## Paired differences\n\n" + render(comparisons) + ("\n" + run_report(runs) if runs else "")
    return {"paired_md": atomic_write(out_dir / "paired.md", lambda p: p.write_text(table)),
            "paired_csv": atomic_write(out_dir / "paired.csv", lambda p: _csv(comparisons, p)),
            "paired_png": atomic_write(out_dir / "paired.png", lambda p: _png(comparisons, p))}
