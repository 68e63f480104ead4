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


@pytest.mark.parametrize("spread", [0.3, 3.0, 30.0])      # flat (full-sort fallback) to peaked (fast path)
def test_sampling_warper_keeps_the_same_tokens_as_transformers(spread):
    import torch
    from transformers import LogitsProcessorList, TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper

    from alice_eval.generation import SamplingWarper

    torch.manual_seed(0)
    scores = torch.randn(32, 5000) * spread
    scores[0, :4990] = -float("inf")                         # a row that only has 10 tokens left
    ids = torch.zeros(32, 1, dtype=torch.long)
    for top_k in (0, 100):
        theirs = LogitsProcessorList([TemperatureLogitsWarper(0.7), *([TopKLogitsWarper(top_k)] if top_k else []),
                                      TopPLogitsWarper(0.95)])(ids, scores.clone())
        ours = SamplingWarper(0.7, top_k, 0.95, k=64)(ids, scores.clone())
        assert torch.equal(ours.isfinite(), theirs.isfinite())
        assert torch.equal(ours[ours.isfinite()], theirs[theirs.isfinite()])


@pytest.mark.parametrize("temperature,top_k", [(0.05, 0), (0.9, 0), (0.9, 20)])
def test_sampling_gives_the_same_texts_as_transformers_warpers(tiny_model, temperature, top_k):
    import torch

    gen = load_generator(str(tiny_model), "hf", batch_size=8, dtype="float32")
    params = SamplingParams(n=4, temperature=temperature, top_p=0.9, top_k=top_k, max_new_tokens=12, seed=3)
    ours = gen.generate(["hi", "what is 2 + 2?"], params)
    enc = gen.tokenizer([gen._render(m) for m in ["hi", "what is 2 + 2?"]], return_tensors="pt",
                        padding=True, add_special_tokens=False)
    torch.manual_seed(3 * 100_003)
    with torch.inference_mode():
        out = gen.model.generate(**enc, max_new_tokens=12, do_sample=True, temperature=temperature, top_p=0.9,
                                 top_k=top_k, num_return_sequences=4, pad_token_id=gen.tokenizer.pad_token_id)
    texts = gen.tokenizer.batch_decode(out[:, enc["input_ids"].shape[1]:], skip_special_tokens=True)
    assert ours == [[t.strip() for t in texts[:4]], [t.strip() for t in texts[4:]]]
