"""The `hf` backend's decode loop: transformers' model forward, our own batching around it.

``model.generate`` spends work a sampling stage does not need, which on a 2-core CPU is most of the
time (``alice-train bench`` measures it):

- with ``num_return_sequences=n`` it prefills each prompt n times; here a prompt is prefilled once and
  its KV cache copied to its n rows;
- a finished sequence keeps its row (and its share of every matmul) until the longest one ends; here
  finished rows leave the batch whenever a quarter of it has finished;
- per-step logits processors and stopping criteria; here one sampling step (``SamplingWarper``'s
  temperature, top-k and top-p, or argmax) and one EOS check.

Greedy decoding gives the same tokens as ``model.generate`` (a test checks it); sampling draws from
the same distribution as transformers' warpers, from one seeded ``torch.Generator`` per call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

COMPACT_SHARE = 0.25        # drop finished rows once they are this share of the batch


def decode(model, prompts: Sequence[Sequence[int]], *, n: int, max_new_tokens: int, eos: set[int], pad: int,
           warp: Callable | None = None, seed: int = 0,
           done: Callable[[list[int]], bool] | None = None) -> list[list[list[int]]]:
    """``n`` continuations of each prompt (token ids, EOS excluded); ``warp=None`` decodes greedily.

    ``done(tokens)`` may end a row early (stop strings).
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

    with torch.inference_mode():
        out = model(input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=True, logits_to_keep=1)
        cache, logits = out.past_key_values, out.logits[:, -1]
        if n > 1:                                         # the prompt's cache, once per sample
            cache.batch_repeat_interleave(n)
            logits, mask = logits.repeat_interleave(n, 0), mask.repeat_interleave(n, 0)
        rows = torch.arange(len(prompts) * n, device=device)   # which output each batch row writes
        position = mask.sum(-1, keepdim=True)             # next token's position, per row
        tokens: list[list[int]] = [[] for _ in range(len(prompts) * n)]
        alive = torch.ones(len(rows), dtype=torch.bool, device=device)
        eos_ids = torch.tensor(sorted(eos), device=device)
        for step in range(max_new_tokens):
            logits = logits.float()
            if warp is None:
                chosen = logits.argmax(-1)
            else:
                probs = warp(rows[:, None], logits).softmax(-1)    # warpers ignore the ids
                chosen = torch.multinomial(probs, 1, generator=generator).squeeze(1)
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
                cache.batch_select_indices(keep)
                rows, chosen, mask, position, alive = rows[keep], chosen[keep], mask[keep], position[keep], alive[keep]
            chosen = chosen.masked_fill(~alive, pad)          # a finished row left in feeds pad, ignored
            mask = torch.cat([mask, torch.ones_like(mask[:, :1])], dim=1)
            out = model(input_ids=chosen[:, None], attention_mask=mask, position_ids=position,
                        past_key_values=cache, use_cache=True, logits_to_keep=1)
            logits, position = out.logits[:, -1], position + 1
    return [tokens[i * n:(i + 1) * n] for i in range(len(prompts))]
