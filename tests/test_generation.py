"""The generation interface: batching, seeds, stop strings, and the vLLM extra's error."""

from __future__ import annotations

import sys

import pytest

from alice_eval.generation import SamplingParams, as_chat, load_generator


def test_hf_generation_is_seeded_and_keeps_the_callers_order(tiny_model):
    gen = load_generator(str(tiny_model), "hf", batch_size=4, dtype="float32")
    messages = ["a much longer message than the others, to be sorted last", "hi", "what is 2 + 2?"]
    params = SamplingParams(n=3, temperature=0.9, top_p=0.95, max_new_tokens=8, seed=5)
    first = gen.generate(messages, params)
    assert [len(x) for x in first] == [3, 3, 3]
    assert gen.generate(messages, params) == first
    # order: every message's greedy text is the one it gets alone
    greedy = SamplingParams(max_new_tokens=8)
    together = gen.generate(messages, greedy)
    assert together == [gen.generate([m], greedy)[0] for m in messages]


def test_stop_strings_cut_the_completion(tiny_model, tmp_path):
    from tiny import talkative_copy

    talkative = talkative_copy(tiny_model, tmp_path / "talkative")
    gen = load_generator(str(talkative), "hf", batch_size=4, dtype="float32")
    text = gen.generate(["hello"], SamplingParams(max_new_tokens=16))[0][0]
    assert len(text) > 2, "the tiny model must say something for this test to mean anything"
    stop = text[1:3]
    cut = gen.generate(["hello"], SamplingParams(max_new_tokens=16, stop=(stop,)))[0][0]
    assert stop not in cut and text.startswith(cut) and len(cut) < len(text)


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


def _prompts(gen, messages):
    return [gen.tokenizer(gen.render(as_chat(m)), add_special_tokens=False)["input_ids"] for m in messages]


@pytest.mark.parametrize("n,batch", [(1, None), (3, None), (1, 2), (3, 6)])
def test_greedy_decode_gives_the_tokens_of_model_generate(tiny_model, n, batch):
    """The decode loop (prefill once, finished rows leave the batch and, with room for two prompts'
    rows, waiting prompts take their places) changes no greedy token."""
    import torch

    from alice_eval.decode import decode

    gen = load_generator(str(tiny_model), "hf", dtype="float32")
    torch.manual_seed(0)
    with torch.no_grad():                     # larger random weights: varied tokens instead of one repeated
        for p in gen.model.parameters():
            p.normal_(0, 0.3)
    messages = ["hi", "what is 2 + 2?", "a much longer message than the others, to see the padding work", "B"]
    prompts = _prompts(gen, messages)
    pad = gen.tokenizer.pad_token_id
    enc = gen.tokenizer([gen.render(as_chat(m)) for m in messages], return_tensors="pt", padding=True,
                        add_special_tokens=False)
    with torch.inference_mode():
        free = gen.model.generate(**enc, max_new_tokens=24, do_sample=False, pad_token_id=pad, eos_token_id=[])
    # a random model rarely says <|im_end|>: also end at a token the rows first write at different
    # steps, so that rows finish apart and the batch gets compacted
    rows = free[:, enc["input_ids"].shape[1]:].tolist()

    def first_steps(token):
        return {row.index(token) if token in row else len(row) for row in rows}

    extra = max({t for row in rows for t in row}, key=lambda t: (len(first_steps(t)), t))
    assert len(first_steps(extra)) > 1
    eos = sorted(gen.eos | {extra})
    finished = []
    ours = decode(gen.model, prompts, n=n, max_new_tokens=24, eos=set(eos), pad=pad, batch_size=batch,
                  finished=finished.append)
    with torch.inference_mode():
        out = gen.model.generate(**enc, max_new_tokens=24, do_sample=False, pad_token_id=pad, eos_token_id=eos)
    for i, row in enumerate(out[:, enc["input_ids"].shape[1]:].tolist()):
        ends = [j for j, t in enumerate(row) if t in eos]
        theirs = row[:ends[0]] if ends else row
        assert ours[i] == [theirs] * n
    assert len({len(r[0]) for r in ours}) > 1, "rows should finish at different steps"
    assert sum(finished) == len(prompts)


def test_sampled_first_tokens_follow_the_warped_distribution(tiny_model):
    import torch

    from alice_eval.decode import decode
    from alice_eval.generation import SamplingWarper

    gen = load_generator(str(tiny_model), "hf", dtype="float32")
    torch.manual_seed(0)
    with torch.no_grad():                     # larger random weights: a peaked next-token distribution
        for p in gen.model.parameters():
            p.normal_(0, 0.3)
    prompt = _prompts(gen, ["what is 2 + 2?"])
    warp = SamplingWarper(0.3, 0, 0.9)
    draws = decode(gen.model, prompt, n=20000, max_new_tokens=1, eos=set(), pad=0, warp=warp, seed=1)[0]
    with torch.inference_mode():
        logits = gen.model(torch.tensor(prompt)).logits[:, -1].float()
    expected = warp(torch.zeros(1, 1, dtype=torch.long), logits).softmax(-1)[0]
    seen = torch.bincount(torch.tensor([d[0] for d in draws]), minlength=expected.numel()).float() / 20000
    assert 5 < expected.gt(0).sum() < 100                     # a real spread of tokens to draw from
    assert 0.5 * (seen - expected).abs().sum() < 0.04         # total variation (sampling noise: ~0.02)
    assert seen[expected == 0].sum() == 0                     # nothing outside the nucleus


def test_seeded_sampling_repeats_and_a_new_seed_differs(tiny_model):
    gen = load_generator(str(tiny_model), "hf", batch_size=8, dtype="float32")
    params = SamplingParams(n=4, temperature=0.9, top_p=0.9, max_new_tokens=12, seed=3)
    first = gen.generate(["hi", "what is 2 + 2?"], params)
    assert gen.generate(["hi", "what is 2 + 2?"], params) == first
    from dataclasses import replace

    assert gen.generate(["hi", "what is 2 + 2?"], replace(params, seed=4)) != first


@pytest.mark.parametrize("k", [4, 256])
def test_sampling_warper_draws_from_the_warped_distribution(k):
    """``sample`` draws among the k likeliest when the nucleus fits in them (k=256) and falls back to
    the whole vocabulary when it does not (k=4); both follow transformers' warped distribution."""
    import torch

    from alice_eval.generation import SamplingWarper

    torch.manual_seed(0)
    scores = torch.randn(1, 300) * 2
    warper = SamplingWarper(0.8, 0, 0.9, k=k)
    expected = warper(None, scores).softmax(-1)[0]
    assert (expected > 0).sum() > 4                          # at k=4 the nucleus reaches past k
    draws = warper.sample(scores.expand(40000, -1), torch.Generator().manual_seed(0))
    seen = torch.bincount(draws, minlength=300).float() / 40000
    assert 0.5 * (seen - expected).abs().sum() < 0.03         # total variation (sampling noise: ~0.015)
    assert seen[expected == 0].sum() == 0


def test_both_forwards_give_the_same_greedy_texts_and_a_wrong_name_is_named(tiny_model, tmp_path):
    from tiny import talkative_copy

    talkative = str(talkative_copy(tiny_model, tmp_path / "talkative"))
    messages = ["hi", "what is 2 + 2?", "a longer message, so that the prompts differ in length"]
    params = SamplingParams(max_new_tokens=12)
    texts = {forward: load_generator(talkative, "hf", dtype="float32", forward=forward).generate(messages, params)
             for forward in ("lean", "transformers")}
    assert texts["lean"] == texts["transformers"]
    assert len({t for (t,) in texts["lean"] if t}) >= 2                     # real, varied texts compared
    with pytest.raises(ValueError, match="generation.forward"):
        load_generator(talkative, "hf", dtype="float32", forward="fast").generate(messages, params)
