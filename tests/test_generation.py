"""The generation interface: batching, seeds, stop strings, and the vLLM extra's error."""

from __future__ import annotations

import sys

import pytest

from alice_eval.generation import SamplingParams, load_generator


def test_hf_generation_is_seeded_and_keeps_the_callers_order(tiny_model):
    gen = load_generator(str(tiny_model), "hf", batch_size=4, dtype="float32")
    messages = ["a much longer message than the others, to be sorted last", "hi", "what is 2 + 2?"]
    params = SamplingParams(n=3, temperature=0.9, top_p=0.95, max_new_tokens=8, seed=5)
    first = gen.generate(messages, params)
    assert [len(x) for x in first] == [3, 3, 3]
    assert gen.generate(messages, params) == first
    # order: generating one message alone in the same batch slot gives the same text greedily
    greedy = SamplingParams(max_new_tokens=8)
    assert gen.generate(messages, greedy)[1] == gen.generate(["hi"], greedy)[0]


def test_stop_strings_cut_the_completion(tiny_model):
    gen = load_generator(str(tiny_model), "hf", batch_size=4, dtype="float32")
    text = gen.generate(["hello"], SamplingParams(max_new_tokens=16))[0][0]
    if len(text) > 2:
        stop = text[1:3]
        cut = gen.generate(["hello"], SamplingParams(max_new_tokens=16, stop=(stop,)))[0][0]
        assert stop not in cut and text.startswith(cut)


def test_vllm_backend_without_the_extra_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "vllm", None)          # as if the extra were not installed
    with pytest.raises(RuntimeError, match=r"pip install 'alice-w2s\[vllm\]'"):
        load_generator("any-model", "vllm")


def test_unknown_backend_names_the_field():
    with pytest.raises(ValueError, match="generation.backend"):
        load_generator("any-model", "tgi")
