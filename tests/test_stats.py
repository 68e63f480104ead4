"""Paired statistics, checked against hand-computed cases."""

from __future__ import annotations

import pytest

from alice_eval import stats


def test_mcnemar_exact_p_values():
    # 5 discordant questions, all won by a: two-sided binomial p = 2 * 0.5^5
    a, b = [1] * 5 + [1, 0, 0], [0] * 5 + [1, 0, 0]
    assert stats.mcnemar(a, b) == (pytest.approx(0.0625), 5, 0)
    # 6 won by a, 1 by b: p = 2 * P(X <= 1 | n=7) = 2 * (1 + 7) / 128
    a, b = [1] * 6 + [0] + [1, 1], [0] * 6 + [1] + [1, 1]
    assert stats.mcnemar(a, b) == (pytest.approx(0.125), 6, 1)
    assert stats.mcnemar([1, 0, 1], [1, 0, 1]) == (1.0, 0, 0)       # nothing discordant


def test_paired_bootstrap_interval_by_hand():
    # a - b is 1 on 3 of 10 questions and 0 elsewhere: the resampled mean is Binomial(10, 0.3) / 10,
    # whose 2.5% and 97.5% quantiles are 0.0 (P(X=0) = 0.028) and 0.6 (P(X<=5) = 0.953, P(X<=6) = 0.989)
    a, b = [1] * 3 + [0] * 7, [0] * 10
    d = stats.paired_difference(a, b)
    assert (d.diff, d.low, d.high) == (pytest.approx(0.3), 0.0, pytest.approx(0.6))
    assert not d.significant and d.verdict == "not significant" and d.n == 10
    d = stats.paired_difference([1] * 10, [0] * 10)
    assert (d.diff, d.low, d.high, d.significant, d.verdict) == (1.0, 1.0, 1.0, True, "better")
    assert stats.paired_difference([0] * 10, [1] * 10).verdict == "worse"
    # 4 of 20 questions discordant, all one way: the bootstrap interval excludes 0, the exact test does not
    few = stats.paired_difference([1] * 4 + [0] * 16, [0] * 20)
    assert few.significant and few.p_mcnemar == pytest.approx(0.125)
    assert few.verdict == "better by the interval only (McNemar p=0.12)"
    same = stats.paired_difference([1, 0, 1, 1], [1, 0, 1, 1])
    assert (same.diff, same.low, same.high, same.significant) == (0.0, 0.0, 0.0, False)


def test_seeds_resample_questions_as_units():
    a, b = [1] * 3 + [0] * 7, [0] * 10
    one = stats.paired_difference(a, b)
    # the same verdicts under two seeds: the same questions, so the same interval
    two = stats.paired_difference(a + a, b + b, groups=list(range(10)) * 2)
    assert (two.diff, two.low, two.high, two.n) == (one.diff, one.low, one.high, 10)


def test_pgr_interval_by_hand():
    # weak always wrong, strong always right: PGR is the method's accuracy, Binomial(10, .5) / 10,
    # whose 2.5% and 97.5% quantiles are 0.2 and 0.8 (P(X<=1) = 0.011, P(X<=2) = 0.055)
    pgr, low, high = stats.pgr_interval([0] * 10, [1] * 10, [1] * 5 + [0] * 5)
    assert (pgr, low, high) == (pytest.approx(0.5), pytest.approx(0.2), pytest.approx(0.8))
    assert stats.pgr_interval([1, 1, 0], [1, 0, 0], [1, 1, 1]) == (None, None, None)   # strong <= weak


def test_misaligned_inputs_are_refused():
    with pytest.raises(ValueError, match="aligned"):
        stats.paired_difference([1, 0], [1])
    with pytest.raises(ValueError, match="aligned"):
        stats.pgr_interval([1], [1, 0], [0])


def _results(path, run, method, verdicts, seed=0):
    import json

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"results": {t: {"acc,none": sum(v.values()) / len(v)} for t, v in verdicts.items()},
                                "alice": {"run": run, "method": method, "seed": seed},
                                "alice_verdicts": verdicts}))


def test_paired_comparisons_from_results_files(tmp_path):
    from alice_eval import compare

    qs = [f"q{i}" for i in range(10)]
    math = {"weak": [0] * 10, "strong": [1] * 10, "w2sg": [1] * 3 + [0] * 7, "alice": [1] * 5 + [0] * 5}
    for method, v in math.items():
        logic = dict(zip(qs, [1] * 10 if method == "alice" else [0] * 10))
        _results(tmp_path / "r" / f"{method}.json", "r", method,
                 {"alice_synth_math": dict(zip(qs, v)), "alice_synth_logic": logic})
    found = {(c.task, c.method, c.vs): c for c in compare.compare([tmp_path])}
    c = found["alice_synth_math", "alice", "w2sg"]
    expected = stats.paired_difference(math["alice"], math["w2sg"], groups=qs)
    assert c.difference == expected and c.difference.a_only == 2 and c.difference.b_only == 0
    assert c.pgr == stats.pgr_interval(math["weak"], math["strong"], math["alice"], groups=qs)
    assert ("alice_synth_math", "weak", "w2sg") not in found            # baselines are compared with weak
    assert found["alice_synth_math", "w2sg", "weak"].difference.diff == pytest.approx(0.3)
    logic = found["alice_synth_logic", "alice", "w2sg"]
    assert logic.difference.diff == 1.0 and logic.difference.significant and logic.pgr == (None, None, None)
    table = compare.render(list(found.values()))
    assert "| r | logic | alice_synth_logic | alice | w2sg | 10 | +100.0 |" in table
    paths = compare.write(list(found.values()), tmp_path / "out")
    assert all(p.stat().st_size > 0 for p in paths.values())


def test_seeds_stack_under_one_question(tmp_path):
    from alice_eval import compare

    qs = [f"q{i}" for i in range(10)]
    for seed in (0, 1):
        for method, v in {"w2sg": [0] * 10, "alice": [1] * 3 + [0] * 7}.items():
            _results(tmp_path / f"s{seed}" / f"{method}.json", "r", method, {"alice_synth_math": dict(zip(qs, v))},
                     seed=seed)
    [c] = [c for c in compare.compare([tmp_path]) if c.method == "alice"]
    assert c.difference.n == 10                                  # 10 questions, each answered under 2 seeds
    assert (c.difference.low, c.difference.high) == (0.0, pytest.approx(0.6))


def test_each_gate_fires_on_a_fixture_made_to_trip_it(tmp_path):
    import json

    from alice_eval import compare

    def write(method, acc, parse_rate, first=None):
        data = {"results": {"alice_synth_math": {"acc,none": acc, "parse_rate,none": parse_rate}},
                "alice": {"run": "r", "method": method}}
        if first is not None:
            data["alice_opens_with_answer"] = {"alice_synth_math": first}
        (tmp_path / f"{method}.json").write_text(json.dumps(data))

    write("weak", 0.5, 1.0)
    write("strong", 0.4, 1.0)                       # below the weak model
    write("strong_base", 0.3, 0.9)
    write("alice", 0.45, 0.6, first=0.8)            # parses less than its base, and answers first
    write("w2sg", 0.45, 0.95, first=0.1)
    lines = sorted(compare.gates([tmp_path]))
    assert len(lines) == 3, lines
    assert lines[0].startswith("GATE format collapse: r alice alice_synth_math: 80%")
    assert lines[1].startswith("GATE parse rate fell: r alice alice_synth_math: 60.0%")
    assert lines[2].startswith("GATE strong<=weak: r alice_synth_math")
    write("strong", 0.7, 1.0)
    write("alice", 0.45, 0.95, first=0.2)
    assert compare.gates([tmp_path]) == []
