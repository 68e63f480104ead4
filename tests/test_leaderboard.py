"""The leaderboard on hand-made lm-eval results files: dedup, PGR, flags, Wilson CIs, outputs, CLI."""

from __future__ import annotations

import csv
import json
import logging
import math
import os

import pytest

from alice_eval import leaderboard as lb

Z = 1.959963984540054


def wilson_ref(p, n):
    """Wilson score interval, written out independently of the module."""
    centre = p + Z**2 / (2 * n)
    spread = Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2))
    return (centre - spread) / (1 + Z**2 / n), (centre + spread) / (1 + Z**2 / n)


def results_json(path, tasks, *, alice=None, date=1_700_000_000.0, model_args="pretrained=x", **extra):
    """Write an lm-eval shaped results file. ``tasks``: {task: (acc, n or None)}; groups get no n."""
    data = {
        "results": {t: {"alias": t, "acc,none": acc, "acc_stderr,none": "N/A",
                        "acc_parsed,none": min(1.0, acc + 0.1), "acc_parsed_stderr,none": "N/A",
                        "acc_flexible,none": min(1.0, acc + 0.05),
                        "parse_rate,none": 0.9, "parse_rate_stderr,none": "N/A"}
                    for t, (acc, _) in tasks.items()},
        "n-samples": {t: {"original": n, "effective": n} for t, (_, n) in tasks.items() if n is not None},
        "config": {"model": "hf", "model_args": model_args},
        "date": date,
        **extra,
    }
    if alice:
        data["alice"] = {"weak_model": "w", "strong_model": "s", "recipe": "synth.yaml", **alice}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))
    return path


@pytest.fixture
def runs(tmp_path):
    root = tmp_path / "runs"
    groups = {"alice-math": (0.99, None), "alice-synth": (0.99, None), "alice": (0.99, None)}
    # run r1: two math tasks, so a "math (mean)" row is built too
    r1 = {"weak": (0.30, 0.20), "strong": (0.70, 0.60), "w2sg": (0.50, 0.30), "alice": (0.60, 0.50)}
    for method, (synth, gsm) in r1.items():
        results_json(root / "r1" / method / "results_2024-01-02T00-00-00.json",
                     {"alice_synth_math": (synth, 100), "alice_gsm8k": (gsm, 50), **groups},
                     alice={"run": "r1", "method": method})
    # an older alice result of r1, with the newest mtime: the `date` field must decide
    old = results_json(root / "r1" / "alice" / "results_2023-01-01T00-00-00.json",
                       {"alice_synth_math": (0.10, 100), "alice_gsm8k": (0.10, 50)},
                       alice={"run": "r1", "method": "alice"}, date=1_600_000_000.0)
    os.utime(old, (2_000_000_000, 2_000_000_000))
    # run r2: the strong ceiling is below the weak model
    for method, acc in {"weak": 0.45, "strong": 0.40, "w2sg": 0.50}.items():
        results_json(root / "r2" / f"{method}.json", {"alice_synth_logic": (acc, 80)},
                     alice={"run": "r2", "method": method})
    # run r3: no baselines, and no n-samples
    results_json(root / "r3" / "cascade.json", {"alice_synth_knowledge": (0.3, None)},
                 alice={"run": "r3", "method": "cascade_alice"})
    # a plain lm_eval run: no alice block, no model_name, a non-alice task
    results_json(root / "plain" / "tiny__gpt2" / "results_2024-01-03T00-00-00.json",
                 {"alice_synth_math": (0.25, 100), "gsm8k": (0.9, 100), "alice-synth": (0.25, None)},
                 model_args="pretrained=tiny/gpt2,dtype=float32")
    (root / "r1" / "manifest.json").write_text(json.dumps({"recipe": "synth.yaml"}))
    (root / "r1" / "broken.json").write_text("{not json")
    return root


def by_key(rows):
    return {(r.run, r.method, r.task): r for r in rows}


def test_wilson_matches_formula():
    lo, hi = lb.wilson(0.5, 100)
    assert (lo, hi) == pytest.approx(wilson_ref(0.5, 100))
    assert (lo, hi) == pytest.approx((0.4038, 0.5962), abs=1e-4)
    assert lb.wilson(0.5, 0) == (None, None) and lb.wilson(0.5, None) == (None, None)


def test_collect(runs, caplog):
    with caplog.at_level(logging.WARNING):
        rows = lb.collect([runs])
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1 and "broken.json" in warnings[0]          # manifest.json is silent

    rows = by_key(rows)
    tasks = {t for _, _, t in rows}
    assert tasks == {"alice_synth_math", "alice_gsm8k", "math (mean)", "alice_synth_logic",
                     "alice_synth_knowledge"}                            # groups and gsm8k skipped

    alice = rows["r1", "alice", "alice_synth_math"]
    assert alice.acc == 0.60 and alice.n == 100 and alice.category == "math"  # the older file lost
    assert alice.pgr == pytest.approx(0.75) and alice.flag == ""
    assert alice.acc_parsed == pytest.approx(0.70) and alice.parse_rate == 0.9
    assert (alice.ci_low, alice.ci_high) == pytest.approx(wilson_ref(0.6, 100))
    w2sg = rows["r1", "w2sg", "alice_synth_math"]
    assert w2sg.pgr == pytest.approx(0.5)
    assert (w2sg.ci_low, w2sg.ci_high) == pytest.approx((0.4038, 0.5962), abs=1e-4)
    assert rows["r1", "w2sg", "alice_gsm8k"].pgr == pytest.approx(0.25)
    for base in ("weak", "strong"):
        assert rows["r1", base, "alice_synth_math"].pgr is None
        assert rows["r1", base, "alice_synth_math"].flag == ""

    mean = rows["r1", "w2sg", "math (mean)"]                             # macro mean, pooled CI
    assert mean.acc == pytest.approx(0.40) and mean.n == 150
    assert mean.pgr == pytest.approx((0.40 - 0.25) / (0.65 - 0.25))
    assert (mean.ci_low, mean.ci_high) == pytest.approx(wilson_ref((50 + 15) / 150, 150))
    assert rows["r1", "alice", "math (mean)"].pgr == pytest.approx(0.75)

    r2 = rows["r2", "w2sg", "alice_synth_logic"]
    assert r2.pgr is None and r2.flag == "strong<=weak"
    assert rows["r2", "weak", "alice_synth_logic"].flag == ""

    r3 = rows["r3", "cascade_alice", "alice_synth_knowledge"]
    assert r3.flag == "no baseline" and r3.n is None and r3.ci_low is None

    plain = rows["lm_eval", "tiny/gpt2", "alice_synth_math"]
    assert plain.acc == 0.25 and plain.pgr is None and plain.flag == ""
    assert not any(r.run == "lm_eval" and r.is_mean for r in rows.values())


def test_table_order_and_cells(runs):
    table = lb.render_table(lb.collect([runs]))
    lines = table.splitlines()
    assert lines[0] == ("| category | task | run | method | n | acc | 95% CI | acc_flexible | acc_parsed | parse_rate "
                        "| PGR | seeds (sd) |")
    assert "| math | alice_synth_math | r1 | w2sg | 100 | 50.0 | 40.4–59.6 | 55.0 | 60.0 | 90.0 | 0.50 | 1 |" in lines
    assert "| math | alice_synth_math | r1 | alice | 100 | 60.0 | 50.2–69.1 | 65.0 | 70.0 | 90.0 | 0.75 | 1 |" in lines
    assert "| math | alice_synth_math | r1 | weak | 100 | 30.0 | 21.9–39.6 | 35.0 | 40.0 | 90.0 | — | 1 |" in lines
    assert ("| logic | alice_synth_logic | r2 | w2sg | 80 | 50.0 | 39.3–60.7 | 55.0 | 60.0 | 90.0 | — (strong ≤ weak) "
            "| 1 |") in lines
    assert ("| knowledge | alice_synth_knowledge | r3 | cascade_alice | — | 30.0 | — | 35.0 | 40.0 | 90.0 "
            "| — (no baseline) | 1 |") in lines
    assert "| math | math (mean) | r1 | w2sg | 150 | 40.0 |" in table
    # category, then run, then method order weak, strong, w2sg, alice
    order = [(c[1].strip(), c[3].strip(), c[4].strip()) for c in (l.split("|") for l in lines[2:])]
    assert [m for k, r, m in order if r == "r1"][:4] == ["weak", "weak", "weak", "strong"]
    r1_methods = list(dict.fromkeys(m for k, r, m in order if r == "r1"))
    assert r1_methods == ["weak", "strong", "w2sg", "alice"]
    assert [k for k, _, _ in order].index("logic") > max(i for i, (k, _, _) in enumerate(order) if k == "math")


def test_write(runs, tmp_path):
    rows = lb.collect([runs])
    paths = lb.write(rows, tmp_path / "out")
    assert set(paths) == {"md", "csv", "png"}
    assert paths["md"].read_text() == lb.render_table(rows)
    assert paths["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]   # no temp files left

    with paths["csv"].open() as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == ["category", "task", "run", "method", "n", "acc", "ci_low", "ci_high",
                                     "acc_flexible", "acc_parsed", "parse_rate", "pgr", "flag", "seeds", "sd"]
        got = {(r["run"], r["method"], r["task"]): r for r in reader}
    assert len(got) == len(rows)
    alice = got["r1", "alice", "alice_synth_math"]
    assert (alice["category"], alice["n"], float(alice["acc"])) == ("math", "100", 0.6)
    assert float(alice["pgr"]) == pytest.approx(0.75) and alice["flag"] == ""
    assert float(alice["ci_low"]) == pytest.approx(wilson_ref(0.6, 100)[0])
    r2 = got["r2", "w2sg", "alice_synth_logic"]
    assert r2["pgr"] == "" and r2["flag"] == "strong<=weak"
    assert got["r3", "cascade_alice", "alice_synth_knowledge"]["n"] == ""


def test_cli(runs, tmp_path):
    from click.testing import CliRunner

    from alice_eval.cli.leaderboard import leaderboard

    out = tmp_path / "board"
    result = CliRunner().invoke(leaderboard, [str(runs), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "| math | alice_synth_math | r1 | alice | 100 | 60.0 |" in result.output
    for name in ("leaderboard.md", "leaderboard.csv", "leaderboard.png"):
        assert (out / name).is_file() and f"wrote {out / name}" in result.output

    missing = tmp_path / "nowhere"
    result = CliRunner().invoke(leaderboard, [str(missing), "--out", str(out)])
    assert result.exit_code == 2 and str(missing) in result.output


def test_seeds_are_averaged_with_their_spread(tmp_path):
    for seed, acc in ((0, 0.4), (1, 0.6), (2, 0.5)):
        results_json(tmp_path / "r" / f"alice@{seed}.json", {"alice_synth_math": (acc, 10)},
                     alice={"run": "r", "method": "alice", "seed": seed})
    [row] = lb.collect([tmp_path])
    assert (row.acc, row.seeds, row.n) == (pytest.approx(0.5), 3, 10)
    assert row.sd == pytest.approx(0.1)                      # sample standard deviation of .4, .6, .5
    assert "| 3 (10.0) |" in lb.render_table([row])
