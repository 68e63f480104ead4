"""The `hf` backend's decode loop: our own batching around a model forward (:mod:`alice_eval.lean` for
Llama-family models, transformers' own for the rest).

``model.generate`` spends work a sampling stage does not need, which on a 2-core CPU is most of the
time (``alice-train bench --engines`` measures it):

- with ``num_return_sequences=n`` it prefills each prompt n times; here a prompt is prefilled once and
  its KV cache serves its n rows (shared by them in the lean forward, copied to them in transformers');
- a finished sequence keeps its row (and its share of every matmul) until the longest one ends; here
  finished rows leave the batch whenever a quarter of it has finished;
- per-step logits processors and stopping criteria; here one sampling step (``SamplingWarper.sample``:
  temperature, top-k and top-p drawn among the likeliest tokens, or argmax) and one EOS check;
- a KV cache grown by concatenation and a mask rebuilt at every step; the lean forward writes a cache
  allocated once.

Greedy decoding gives the same tokens as ``model.generate`` (a test checks it); sampling draws from
the same distribution as transformers' warpers, from one seeded ``torch.Generator`` per call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from alice_eval import lean

if TYPE_CHECKING:
    from alice_eval.generation import SamplingWarper

COMPACT_SHARE = 0.25        # drop finished rows once they are this share of the batch


def decode(model, prompts: Sequence[Sequence[int]], *, n: int, max_new_tokens: int, eos: set[int], pad: int,
           warp: SamplingWarper | None = None, seed: int = 0,
           done: Callable[[list[int]], bool] | None = None, forward: str = "auto") -> list[list[list[int]]]:
    """``n`` continuations of each prompt (token ids, EOS excluded); ``warp=None`` decodes greedily.

    ``done(tokens)`` may end a row early (stop strings). ``forward``: ``lean`` (:mod:`alice_eval.lean`,
    Llama-family models), ``transformers`` (the model's own forward, any model) or ``auto`` (lean where it
    runs).
    """
    import torch

    device = model.device
    width = max(len(p) for p in prompts)
    ids = torch.full((len(prompts), width), pad, dtype=torch.long)
    mask = torch.zeros((len(prompts), width), dtype=torch.long)
    for i, p in enumerate(prompts):                       # left padding: every prompt ends at column -1
        ids[i, width - len(p):] = torch.tensor(p, dtype=torch.long)
        mask[i, width - len(p):] = 1
    ids, mask = ids.to(device), mask.to(device)
    positions = (mask.cumsum(-1) - 1).clamp(min=0)
    generator = torch.Generator(device=device).manual_seed(seed)
    if forward == "auto":
        forward = "lean" if lean.supports(model) else "transformers"
    if forward not in FORWARDS:
        raise ValueError(f"generation.forward: {forward!r} is not one of auto, {', '.join(FORWARDS)}")
    run = FORWARDS[forward](model, len(prompts), width, max_new_tokens)

    with torch.inference_mode():
        logits = run.prefill(ids, mask, positions)
        if n > 1:                                         # the prompt's cache, once per sample
            run.repeat(n)
            logits = logits.repeat_interleave(n, 0)
        rows = torch.arange(len(prompts) * n, device=device)   # which output each batch row writes
        position = mask.sum(-1, keepdim=True).repeat_interleave(n, 0)   # next token's position, per row
        tokens: list[list[int]] = [[] for _ in range(len(prompts) * n)]
        alive = torch.ones(len(rows), dtype=torch.bool, device=device)
        eos_ids = torch.tensor(sorted(eos), device=device)
        for step in range(max_new_tokens):
            if warp is None:          # argmax's first maximum, in the model's dtype (max: ~2.5x faster on a CPU)
                chosen = logits.max(-1).indices
            else:
                chosen = warp.sample(logits.float(), generator)
            ended = alive & torch.isin(chosen, eos_ids)
            for row, token, live in zip(rows.tolist(), chosen.tolist(), (alive & ~ended).tolist()):
                if live:
                    tokens[row].append(token)
            if done is not None:
                ended |= alive & torch.tensor([done(tokens[r]) for r in rows.tolist()], device=device)
            alive &= ~ended
            if step == max_new_tokens - 1 or not bool(alive.any()):
                break
            if (~alive).sum() >= COMPACT_SHARE * len(rows):      # finished rows leave the batch
                keep = alive.nonzero().squeeze(1)
                run.select(keep)
                rows, chosen, position, alive = rows[keep], chosen[keep], position[keep], alive[keep]
            chosen = chosen.masked_fill(~alive, pad)          # a finished row left in feeds pad, ignored
            logits, position = run.step(chosen, position), position + 1
    return [tokens[i * n:(i + 1) * n] for i in range(len(prompts))]


class TransformersForward:
    """The model's own forward and cache (any architecture), behind :class:`alice_eval.lean.Forward`'s
    interface."""

    def __init__(self, model, prompts: int, width: int, max_new: int):
        self.model, self.cache, self.mask = model, None, None

    def prefill(self, ids, mask, positions):
        out = self.model(input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=True,
                         logits_to_keep=1)
        self.cache, self.mask = out.past_key_values, mask
        return out.logits[:, -1]

    def step(self, tokens, positions):
        import torch

        self.mask = torch.cat([self.mask, torch.ones_like(self.mask[:, :1])], dim=1)
        out = self.model(input_ids=tokens[:, None], attention_mask=self.mask, position_ids=positions,
                         past_key_values=self.cache, use_cache=True, logits_to_keep=1)
        return out.logits[:, -1]

    def repeat(self, n: int) -> None:
        self.cache.batch_repeat_interleave(n)
        self.mask = self.mask.repeat_interleave(n, 0)

    def select(self, keep) -> None:
        self.cache.batch_select_indices(keep)
        self.mask = self.mask[keep]


FORWARDS = {"lean": lean.Forward, "transformers": TransformersForward}
