"""The lean forward (alice_eval.lean) against transformers' own, on tiny Llama and Qwen2 models."""

from __future__ import annotations

import pytest

from alice_eval import lean
from alice_eval.decode import TransformersForward


def _model(kind: str, **extra):
    import torch
    from transformers import AutoModelForCausalLM, LlamaConfig, Qwen2Config

    config = (LlamaConfig if kind == "llama" else Qwen2Config)(
        vocab_size=97, hidden_size=64, intermediate_size=96, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, max_position_embeddings=256, tie_word_embeddings=kind == "llama", **extra)
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32).eval()
    with torch.no_grad():                     # larger weights: logits that differ by more than rounding
        for p in model.parameters():
            p.normal_(0, 0.2)
    return model


@pytest.mark.parametrize("kind,n,opening", [("llama", 2, []), ("qwen2", 2, []), ("qwen2", 1, []),
                                            ("qwen2", 1, [40, 41, 42]), ("llama", 2, [40, 41, 42])])
def test_lean_logits_equal_transformers_through_prefill_steps_and_select(kind, n, opening):
    """n = 2: samples share their prompt's cache; n = 1: a row's tokens go on after its prompt. With an
    opening shared by prompts of similar length (a chat template's system turn), it is computed once."""
    import torch

    model = _model(kind)
    assert lean.supports(model)
    prompts = [opening + p for p in ([5, 6, 7, 8, 9, 10], [11, 12], [13, 14, 15])]
    ours, theirs = lean.Forward(model, 12), TransformersForward(model, 12)
    generator = torch.Generator().manual_seed(0)
    with torch.inference_mode():
        a, b = ours.admit(prompts, n), theirs.admit(prompts, n)
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-4)
        position = torch.tensor([[len(p)] for p in prompts]).repeat_interleave(n, 0)
        leave = {2: {3: [0, 2, 3, 5],                         # rows 1 and 4 leave the batch
                     5: [0, 1, 2]},                           # and the third prompt's last row
                 1: {3: [0, 1], 5: [0]}}[n]
        for step in range(8):
            keep = leave.get(step)
            if keep:
                keep = torch.tensor(keep)
                for run in (ours, theirs):
                    run.select(keep)
                position = position[keep]
            tokens = torch.randint(0, 97, (len(position),), generator=generator)
            a, b = ours.step(tokens, position), theirs.step(tokens, position)
            torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-4)
            position = position + 1
    assert a.shape == ((3, 97) if n == 2 else (1, 97))
    assert len(ours.prompt_mask if n > 1 else ours.mask) == (2 if n == 2 else 1)   # caches of rows gone are gone


@pytest.mark.parametrize("n", [1, 3])
def test_a_row_admitted_mid_decode_computes_as_if_alone(n):
    """Continuous batching: prompts admitted while other rows are generating, longer ones among them,
    get the logits they would get in a batch of their own, and so do the rows already there."""
    import torch

    model = _model("qwen2")
    first, later = [[5, 6, 7], [8, 9]], [[20, 21, 22, 23, 24, 25, 26], [30]]
    generator = torch.Generator().manual_seed(1)
    feeds = [torch.randint(0, 97, (6,), generator=generator).tolist() for _ in first + later]

    def alone(prompt, feed):
        run = lean.Forward(model, 8)
        out = [run.admit([prompt], n)]
        for t, token in enumerate(feed):
            out.append(run.step(torch.tensor([token] * n), torch.tensor([[len(prompt) + t]] * n)))
        return out

    with torch.inference_mode():
        expected = [alone(p, f) for p, f in zip(first + later, feeds)]
        run = lean.Forward(model, 8)
        start = run.admit(first, n)
        got = [[start[:n]], [start[n:]], [], []]
        fed = [0, 0, 0, 0]
        for step in range(6):
            if step == 2:                                  # the first prompt's rows leave, two prompts enter
                keep = torch.arange(n, 2 * n)
                run.select(keep)
                new = run.admit(later, n)
                got[2].append(new[:n]), got[3].append(new[n:])
            live = [1, 2, 3] if step >= 2 else [0, 1]
            tokens = torch.tensor([feeds[p][fed[p]] for p in live for _ in range(n)])
            position = torch.tensor([[len((first + later)[p]) + fed[p]] for p in live for _ in range(n)])
            out = run.step(tokens, position)
            for j, p in enumerate(live):
                got[p].append(out[j * n:(j + 1) * n])
                fed[p] += 1
    for p, rows in enumerate(got):
        for t, logits in enumerate(rows):
            torch.testing.assert_close(logits, expected[p][t], rtol=1e-4, atol=1e-4)
    assert [len(rows) for rows in got] == [3, 7, 5, 5]


def test_common_prefix():
    assert lean._common_prefix([[1, 2, 3], [1, 2, 4, 5], [1, 2]]) == 2
    assert lean._common_prefix([[1, 2], [3]]) == 0
    assert lean._common_prefix([[7, 8]]) == 2


def test_fused_weights_are_the_models_own():
    """Fusing keeps one copy: the model's q/k/v and gate/up parameters are views of the fused matrices,
    so an in-place change reaches both forwards."""
    import torch

    model = _model("qwen2")
    weights = lean.fused(model)
    assert lean.fused(model) is weights                       # built once per model
    attention = model.model.layers[0].self_attn
    qkv = weights.layers[0][1]
    assert attention.k_proj.weight.untyped_storage().data_ptr() == qkv.untyped_storage().data_ptr()
    with torch.inference_mode():
        before = lean.Forward(model, 4).admit([[1, 2, 3]], 1)
    with torch.no_grad():
        attention.v_proj.weight.mul_(2)
    with torch.inference_mode():
        after = lean.Forward(model, 4).admit([[1, 2, 3]], 1)
        torch.testing.assert_close(after, TransformersForward(model, 4).admit([[1, 2, 3]], 1), rtol=1e-4, atol=1e-4)
    assert not torch.allclose(before, after)


def test_models_it_does_not_know_keep_transformers_forward():
    from transformers import GPT2Config, GPT2LMHeadModel

    assert not lean.supports(_model("qwen2", use_sliding_window=True, sliding_window=4, max_window_layers=0))
    assert not lean.supports(_model("llama", hidden_act="gelu"))
    assert not lean.supports(_model("llama", mlp_bias=True))
    assert not lean.supports(GPT2LMHeadModel(GPT2Config(n_layer=1, n_embd=32, n_head=2, vocab_size=50)))
