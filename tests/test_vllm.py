"""The vllm backend for real: vLLM's CPU build (installed by scripts/setup.sh) on a tiny random model."""

from __future__ import annotations

from dataclasses import replace

import pytest

from alice_eval.generation import SamplingParams, load_generator

MESSAGES = ["a much longer message than the others, to be sorted last", "hi", "what is 2 + 2?"]


@pytest.fixture(scope="module")
def vllm_model(tmp_path_factory):
    from tiny import build_tiny_model

    # vLLM's CPU attention refuses head_dim 16 (the other tests' tiny models)
    return build_tiny_model(tmp_path_factory.mktemp("tiny-vllm"), hidden=128, head_dim=64)


@pytest.fixture(scope="module")
def adapter(vllm_model, tmp_path_factory):
    """A LoRA adapter with non-zero weights, as a trained one has."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    out = tmp_path_factory.mktemp("tiny-vllm-lora")
    peft = get_peft_model(AutoModelForCausalLM.from_pretrained(vllm_model),
                          LoraConfig(r=8, lora_alpha=64, target_modules="all-linear", init_lora_weights=False))
    peft.save_pretrained(out)
    return out


@pytest.fixture(scope="module")
def engine(vllm_model, adapter):
    gen = load_generator(str(vllm_model), "vllm", dtype="float32", adapter=None, enable_lora=True,
                         max_lora_rank=8, enforce_eager=True, max_model_len=512)
    yield gen
    gen.close()


def test_cpu_engine_uses_every_core_and_runs_in_process(engine):
    import os

    cores = sorted(os.sched_getaffinity(0))
    assert os.environ["VLLM_CPU_NUM_OF_RESERVED_CPU"] == "0"
    assert os.environ["VLLM_CPU_OMP_THREADS_BIND"] in (f"{cores[0]}-{cores[-1]}", ",".join(map(str, cores)))
    assert int(os.environ["VLLM_CPU_KVCACHE_SPACE"]) >= 1
    assert os.environ["VLLM_ENABLE_V1_MULTIPROCESSING"] == "0"


def test_same_seed_same_texts_other_seed_other_texts(engine):
    params = SamplingParams(n=8, temperature=0.9, top_p=0.95, max_new_tokens=16, seed=5)
    first = engine.generate(MESSAGES * 11, params)          # 33 prompts x 8: the size that crashed with seeds
    assert [len(x) for x in first] == [8] * 33
    assert engine.generate(MESSAGES * 11, params) == first
    assert engine.generate(MESSAGES * 11, replace(params, seed=6)) != first
    assert len({t for texts in first for t in texts}) > 8   # samples differ from each other


def test_greedy_answers_keep_the_callers_order(engine):
    greedy = SamplingParams(max_new_tokens=12)
    together = engine.generate(MESSAGES, greedy)
    for message, texts in zip(MESSAGES, together):
        assert engine.generate([message], greedy) == [texts]


def test_a_lora_adapter_is_served_by_the_same_engine(engine, adapter):
    greedy = SamplingParams(max_new_tokens=12)
    base = engine.generate(MESSAGES, greedy)
    engine.use_adapter(str(adapter))
    tuned = engine.generate(MESSAGES, greedy)
    engine.use_adapter(None)
    assert tuned != base
    assert engine.generate(MESSAGES, greedy) == base


def test_an_engine_without_lora_refuses_an_adapter(engine, adapter):
    engine.lora_enabled = False
    try:
        with pytest.raises(ValueError, match="enable_lora"):
            engine.use_adapter(str(adapter))
    finally:
        engine.lora_enabled = True
