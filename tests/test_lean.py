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


def _left_padded(torch, prompts, pad=0):
    width = max(map(len, prompts))
    ids = torch.full((len(prompts), width), pad)
    mask = torch.zeros((len(prompts), width), dtype=torch.long)
    for i, p in enumerate(prompts):
        ids[i, width - len(p):], mask[i, width - len(p):] = torch.tensor(p), 1
    return ids, mask, (mask.cumsum(-1) - 1).clamp(min=0)


@pytest.mark.parametrize("kind,n", [("llama", 2), ("qwen2", 2), ("qwen2", 1)])
def test_lean_logits_equal_transformers_through_prefill_steps_repeat_and_select(kind, n):
    """n = 2: samples share their prompt's cache; n = 1: a row's tokens go on after its prompt."""
    import torch

    model = _model(kind)
    assert lean.supports(model)
    ids, mask, positions = _left_padded(torch, [[5, 6, 7, 8, 9, 10], [11, 12], [13, 14, 15]])
    ours, theirs = lean.Forward(model, 3, 6, 12), TransformersForward(model, 3, 6, 12)
    generator = torch.Generator().manual_seed(0)
    with torch.inference_mode():
        a, b = ours.prefill(ids, mask, positions), theirs.prefill(ids, mask, positions)
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-4)
        if n > 1:
            for run in (ours, theirs):
                run.repeat(n)
        position = mask.sum(-1, keepdim=True).repeat_interleave(n, 0)
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
    assert len(ours.prompt_mask) == n                         # the caches of prompts with no row are gone


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
    ids, mask, positions = _left_padded(torch, [[1, 2, 3]])
    with torch.inference_mode():
        before = lean.Forward(model, 1, 3, 4).prefill(ids, mask, positions)
    with torch.no_grad():
        attention.v_proj.weight.mul_(2)
    with torch.inference_mode():
        after = lean.Forward(model, 1, 3, 4).prefill(ids, mask, positions)
        torch.testing.assert_close(after, TransformersForward(model, 1, 3, 4).prefill(ids, mask, positions),
                                   rtol=1e-4, atol=1e-4)
    assert not torch.allclose(before, after)


def test_models_it_does_not_know_keep_transformers_forward():
    from transformers import GPT2Config, GPT2LMHeadModel

    assert not lean.supports(_model("qwen2", use_sliding_window=True, sliding_window=4, max_window_layers=0))
    assert not lean.supports(_model("llama", hidden_act="gelu"))
    assert not lean.supports(_model("llama", mlp_bias=True))
    assert not lean.supports(GPT2LMHeadModel(GPT2Config(n_layer=1, n_embd=32, n_head=2, vocab_size=50)))
