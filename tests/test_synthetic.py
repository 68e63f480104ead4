"""The synthetic datasets: deterministic, split-disjoint, well-formed, and gold answers score as correct."""

from __future__ import annotations

import itertools
import re
from collections import Counter

import pytest

from alice_eval import prompts, scoring
from alice_eval.data import facts as facts_module
from alice_eval.data import synthetic

LOADERS = {
    "synth_math": synthetic.math_records,
    "synth_logic": synthetic.logic_records,
    "synth_knowledge": synthetic.knowledge_records,
}
KIND = {"synth_math": "number", "synth_logic": "choice", "synth_knowledge": "text"}
DIFFICULTIES = ["easy", "medium", "hard", "mixed"]
FIELDS = {"qid": str, "question": str, "kind": str, "answer": str, "aliases": list, "choices": list,
          "labels": list, "rationale": str}


@pytest.fixture(scope="module")
def default_records():
    """Every dataset's default train and test split."""
    return {(name, split): load(split) for name, load in LOADERS.items() for split in ("train", "test")}


# -- determinism and splits ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", LOADERS)
def test_same_arguments_give_identical_records(name):
    load = LOADERS[name]
    assert load("test", n=50, seed=3, difficulty="mixed") == load("test", n=50, seed=3, difficulty="mixed")
    assert load("train", seed=1) == load("train", seed=1)


@pytest.mark.parametrize("name", LOADERS)
def test_different_seeds_differ(name):
    load = LOADERS[name]
    assert load("test", n=50, seed=0) != load("test", n=50, seed=1)


@pytest.mark.parametrize("name", ["synth_math", "synth_logic"])
def test_generated_datasets_have_default_sizes_and_respect_n(name, default_records):
    assert len(default_records[(name, "train")]) == 2000
    assert len(default_records[(name, "test")]) == 200
    assert len(LOADERS[name]("train", n=17)) == 17


def test_knowledge_uses_the_whole_fact_table(default_records):
    train, test = default_records[("synth_knowledge", "train")], default_records[("synth_knowledge", "test")]
    assert 150 <= len(test) <= 200
    assert len(train) + len(test) == len(facts_module.FACTS)
    assert len(synthetic.knowledge_records("test", n=10)) == 10
    assert len(synthetic.knowledge_records("test", n=10_000)) == len(test)


@pytest.mark.parametrize("name", LOADERS)
def test_train_and_test_share_no_question(name, default_records):
    train = {r["question"] for r in default_records[(name, "train")]}
    test = {r["question"] for r in default_records[(name, "test")]}
    assert not train & test
    # Disjoint whatever the seeds and difficulties of the two sides.
    for difficulty in ("easy", "hard"):
        other = {r["question"] for r in LOADERS[name]("test", seed=5, difficulty=difficulty)}
        assert not train & other


def test_knowledge_splits_facts_by_group():
    """Facts asking the same thing two ways (gold -> Au, Au -> gold) land in the same split."""
    splits_of_group: dict[str, set[str]] = {}
    for fact in facts_module.FACTS:
        splits_of_group.setdefault(fact.group, set()).add(synthetic.knowledge_split(fact))
    assert all(len(splits) == 1 for splits in splits_of_group.values())
    by_question = {f.question: f for f in facts_module.FACTS}
    test_groups = {by_question[r["question"]].group for r in synthetic.knowledge_records("test")}
    train_groups = {by_question[r["question"]].group for r in synthetic.knowledge_records("train", seed=9)}
    assert not test_groups & train_groups


# -- record shape ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", LOADERS)
def test_record_fields_and_types(name, default_records):
    for split in ("train", "test"):
        records = default_records[(name, split)]
        for i, record in enumerate(records):
            assert set(record) == set(FIELDS)
            for field, kind in FIELDS.items():
                assert isinstance(record[field], kind), (record["qid"], field)
            assert record["kind"] == KIND[name]
            assert record["qid"] == f"{name}-{split}-{i:05d}"
            assert record["question"].strip() and record["answer"].strip()
        assert len({r["qid"] for r in records}) == len(records)
        assert len({r["question"] for r in records}) == len(records)


def test_math_records_are_positive_integers_with_worked_steps(default_records):
    for record in default_records[("synth_math", "test")]:
        assert re.fullmatch(r"[1-9]\d*", record["answer"])
        assert record["rationale"].splitlines()[-1] == prompts.answer_line("number", record["answer"])
        assert record["choices"] == record["labels"] == record["aliases"] == []


@pytest.mark.parametrize("difficulty,steps", [("easy", 1), ("medium", 2), ("hard", 3)])
def test_math_difficulty_is_the_number_of_steps(difficulty, steps):
    for record in synthetic.math_records("test", n=100, difficulty=difficulty):
        assert len(record["rationale"].splitlines()) == steps + 1, record


def test_logic_records_have_four_distinct_options(default_records):
    for record in default_records[("synth_logic", "test")]:
        assert record["labels"] == ["A", "B", "C", "D"]
        assert len(set(record["choices"])) == 4
        assert record["answer"] in record["labels"]
        assert record["rationale"].splitlines()[-1] == prompts.answer_line("choice", record["answer"])
        assert record["aliases"] == []


def test_logic_covers_every_family(default_records):
    questions = [r["question"] for r in default_records[("synth_logic", "test")]]
    for marker in ("In a certain club", "compare their", "knight", "Assume that"):
        assert sum(marker in q for q in questions) >= 20, marker


def test_logic_answer_labels_are_roughly_uniform():
    counts = Counter(r["answer"] for r in synthetic.logic_records("train", n=400, seed=11))
    assert set(counts) == {"A", "B", "C", "D"}
    assert all(65 <= c <= 135 for c in counts.values()), counts


def test_orderings_are_sometimes_undetermined():
    orderings = [r for r in synthetic.logic_records("train", n=1000) if "compare their" in r["question"]]
    unknown = [r for r in orderings
               if r["choices"][r["labels"].index(r["answer"])] == synthetic.UNKNOWN]
    assert 0.05 < len(unknown) / len(orderings) < 0.4


def test_knowledge_records_are_open_questions(default_records):
    for record in default_records[("synth_knowledge", "test")]:
        assert record["answer"] in record["aliases"]
        assert scoring.text_matches(record["answer"], record["aliases"])
        assert record["choices"] == record["labels"] == [] and record["rationale"] == ""


# -- gold answers score as correct ------------------------------------------------------------------------

@pytest.mark.parametrize("name", LOADERS)
@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_gold_completion_scores_correct(name, difficulty):
    load = LOADERS[name]
    records = load("test", difficulty=difficulty) + load("train", n=300, difficulty=difficulty)
    assert records, (name, difficulty)
    for record in records:
        verdict = scoring.score(record, prompts.gold_completion(record))
        assert verdict.correct, (record, verdict)


@pytest.mark.parametrize("name", LOADERS)
def test_every_difficulty_has_records(name):
    for difficulty in DIFFICULTIES:
        for split in ("train", "test"):
            assert LOADERS[name](split, n=5, difficulty=difficulty)


# -- bad arguments ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", LOADERS)
def test_bad_split_and_difficulty_raise(name):
    load = LOADERS[name]
    with pytest.raises(ValueError, match="split.*validation.*train, test"):
        load("validation")
    with pytest.raises(ValueError, match="difficulty.*'extreme'"):
        load("test", difficulty="extreme")


@pytest.mark.parametrize("name", LOADERS)
def test_extra_loader_options_are_ignored(name):
    load = LOADERS[name]
    assert load("test", n=5, data_dir="/nonexistent", cache=True) == load("test", n=5)


# -- the puzzle forms are logically sound ----------------------------------------------------------------

def _syllogism_holds(statement, model) -> bool:
    """``model`` is a set of individuals, each a frozenset of the terms it belongs to."""
    quant, x, y = statement
    if quant == "all":
        return all(y in ind for ind in model if x in ind)
    if quant == "no":
        return not any(x in ind and y in ind for ind in model)
    if quant == "some":
        return any(x in ind and y in ind for ind in model)
    return any(x in ind and y not in ind for ind in model)   # some_not


def _syllogism_models(letters, size=6):
    # A countermodel, when one exists, needs at most one individual per term, per "some" premise and
    # for the conclusion, so models of up to six kinds of individual are enough for these forms.
    kinds = [frozenset(c) for r in range(len(letters) + 1) for c in itertools.combinations(letters, r)]
    for r in range(size + 1):
        yield from (set(m) for m in itertools.combinations(kinds, r))


@pytest.mark.parametrize("form", synthetic.SYLLOGISM_FORMS)
def test_syllogism_forms_are_valid(form):
    _, premises, conclusion, distractors, _ = synthetic.SYLLOGISM_FORMS[form]
    letters = sorted({t for s in [*premises, conclusion, *distractors] for t in s[1:]})
    models = [m for m in _syllogism_models(letters) if all(_syllogism_holds(p, m) for p in premises)]
    # The conclusion follows even without assuming that every group has members...
    assert all(_syllogism_holds(conclusion, m) for m in models)
    # ...and no distractor follows even when every group does have members.
    populated = [m for m in models if all(any(t in ind for ind in m) for t in letters)]
    for distractor in distractors:
        assert not all(_syllogism_holds(distractor, m) for m in populated), distractor


@pytest.mark.parametrize("form", synthetic.IMPLICATION_FORMS)
def test_implication_forms_are_valid(form):
    _, premises, answer, distractors, _ = synthetic.IMPLICATION_FORMS[form]
    atoms = sorted({x[0] for p in premises for x in p[1:]})
    worlds = [dict(zip(atoms, values)) for values in itertools.product([True, False], repeat=len(atoms))]

    def lit(world, literal):
        return world[literal[0]] == literal[1]

    def holds(world, premise):
        if premise[0] == "if":
            return not lit(world, premise[1]) or lit(world, premise[2])
        if premise[0] == "or":
            return lit(world, premise[1]) or lit(world, premise[2])
        return lit(world, premise[1])

    models = [w for w in worlds if all(holds(w, p) for p in premises)]
    assert models

    def follows(option):
        if option[0] == "?":   # "cannot be determined" is right when the atom varies across models
            return len({w[option[1]] for w in models}) == 2
        return all(lit(w, option) for w in models)

    assert follows(answer)
    for distractor in distractors:
        assert not follows(distractor), distractor


# -- the fact table ------------------------------------------------------------------------------------------

def test_fact_table():
    table = facts_module.FACTS
    assert len(table) >= 400
    assert len({f.key for f in table}) == len(table)
    assert len({f.question for f in table}) == len(table)
    assert {f.level for f in table} == set(facts_module.LEVELS)
    for fact in table:
        assert fact.aliases[0] == fact.answer
        assert all(scoring.normalize_text(a) for a in fact.aliases), fact
    # Each level is a real share of the table, so every difficulty has something to ask.
    levels = Counter(f.level for f in table)
    assert all(count >= 80 for count in levels.values()), levels


def test_the_hand_written_check_is_well_formed_and_eval_only():
    from alice_eval.data.registry import OOD_TASKS, load
    from alice_eval.trainer.config import DataConfig

    assert OOD_TASKS == ("alice_ood_math", "alice_ood_logic", "alice_ood_knowledge")
    generated = {r["question"] for name in ("synth_math", "synth_logic", "synth_knowledge")
                 for split in ("train", "test") for r in load(name, split)}
    for name in ("ood_math", "ood_logic", "ood_knowledge"):
        records = load(name, "test")
        assert len(records) == 12 and len({r["qid"] for r in records}) == 12
        assert not {r["question"] for r in records} & generated          # written by hand, not generated
        for r in records:                                                  # the gold answer line scores right
            gold = prompts.answer_line(r["kind"], r["answer"]) if r["kind"] != "text" else r["answer"]
            assert scoring.score(r, gold).correct, r
        with pytest.raises(ValueError, match="evaluation only"):
            load(name, "train")
        with pytest.raises(ValueError, match="evaluation only"):
            DataConfig(datasets=[name])
    facts = {scoring.normalize_text(a) for f in facts_module.FACTS for a in (f.answer, *f.aliases)}
    assert not {scoring.normalize_text(r["answer"]) for r in load("ood_knowledge", "test")} & facts
