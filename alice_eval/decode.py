"""The `hf` backend's decode loop: our own batching around a model forward (:mod:`alice_eval.lean` for
Llama-family models, transformers' own for the rest).

``model.generate`` spends work a sampling stage does not need, which on a 2-core CPU is most of the
time (``alice-train bench --engines`` measures it):

- with ``num_return_sequences=n`` it prefills each prompt n times; here a prompt is prefilled once and
  its KV cache serves its n rows (shared by them in the lean forward, copied to them in transformers');
- a finished sequence keeps its row (and its share of every matmul) until the longest one ends, and a
  batch of mostly short answers then runs its long one at a handful of rows; here finished rows leave
  the batch whenever a quarter of it has finished, and waiting prompts take their places (continuous
  batching, with the lean forward), so rows stay busy until the last prompts;
- per-step logits processors and stopping criteria; here one sampling step (``SamplingWarper.sample``:
  temperature, top-k and top-p drawn among the likeliest tokens, or argmax) and one EOS check;
- a KV cache grown by concatenation and a mask rebuilt at every step; the lean forward writes a cache
  allocated once per admission.

Greedy decoding gives the same tokens as ``model.generate`` (a test checks it); sampling draws from
the same distribution as transformers' warpers, from one seeded ``torch.Generator`` per call.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from alice_eval import lean

if TYPE_CHECKING:
    from alice_eval.generation import SamplingWarper

COMPACT_SHARE = 0.25        # drop finished rows (and admit waiting prompts) once they are this share


def decode(model, prompts: Sequence[Sequence[int]], *, n: int, max_new_tokens: int, eos: set[int], pad: int,
           warp: SamplingWarper | None = None, seed: int = 0, batch_size: int | None = None,
           done: Callable[[list[int]], bool] | None = None, forward: str = "auto",
           finished: Callable[[int], None] | None = None) -> list[list[list[int]]]:
    """``n`` continuations of each prompt (token ids, EOS excluded); ``warp=None`` decodes greedily.

    At most ``batch_size`` rows (all, by default) run at once; prompts enter in the order given as rows
    become free. ``done(tokens)`` may end a row early (stop strings); ``finished(count)`` hears of
    prompts whose rows have all ended. ``forward``: ``lean`` (:mod:`alice_eval.lean`, Llama-family
    models), ``transformers`` (the model's own forward, any model; a new batch starts when one ends) or
    ``auto`` (lean where it runs).
    """
    import torch

    if max_new_tokens < 1:
        return [[[] for _ in range(n)] for _ in prompts]
    device = model.device
    if forward == "auto":
        forward = "lean" if lean.supports(model) else "transformers"
    if forward not in FORWARDS:
        raise ValueError(f"generation.forward: {forward!r} is not one of auto, {', '.join(FORWARDS)}")
    run = FORWARDS[forward](model, max_new_tokens)
    room = max(n, batch_size or len(prompts) * n)               # rows at once
    waiting = deque(range(len(prompts)))
    generator = torch.Generator(device=device).manual_seed(seed)
    eos_ids = torch.tensor(sorted(eos), device=device)
    tokens: list[list[int]] = [[] for _ in range(len(prompts) * n)]
    left = [n] * len(prompts)                                   # rows still generating, per prompt
    rows = torch.empty(0, dtype=torch.long, device=device)      # which output each batch row writes
    position = torch.empty((0, 1), dtype=torch.long, device=device)   # next token's position, per row
    alive = torch.empty(0, dtype=torch.bool, device=device)
    chosen, logits = rows, None

    with torch.inference_mode():
        while True:
            if waiting and (not len(rows) or run.refills and room - len(rows) >= max(n, COMPACT_SHARE * room)):
                take = [waiting.popleft() for _ in range(min((room - len(rows)) // n, len(waiting)))]
                new = run.admit([list(prompts[i]) for i in take], n)
                more = torch.tensor([i * n + s for i in take for s in range(n)], device=device)
                lengths = torch.tensor([len(prompts[i]) for i in take for _ in range(n)], device=device)
                logits = new if logits is None or not len(rows) else torch.cat([logits, new])
                rows, position = torch.cat([rows, more]), torch.cat([position, lengths[:, None]])
                alive = torch.cat([alive, torch.ones(len(more), dtype=torch.bool, device=device)])
            if not bool(alive.any()):
                break
            if warp is None:          # argmax's first maximum, in the model's dtype (max: ~2.5x faster on a CPU)
                chosen = logits.max(-1).indices
            else:
                chosen = warp.sample(logits.float(), generator)
            ended = alive & torch.isin(chosen, eos_ids)
            for row, token, live in zip(rows.tolist(), chosen.tolist(), (alive & ~ended).tolist()):
                if live:
                    tokens[row].append(token)
            full = [len(tokens[r]) >= max_new_tokens or (done is not None and done(tokens[r])) for r in rows.tolist()]
            ended |= alive & torch.tensor(full, dtype=torch.bool, device=device)
            for row in rows[ended].tolist():
                left[row // n] -= 1
                if finished is not None and not left[row // n]:
                    finished(1)
            alive &= ~ended
            if (~alive).sum() >= COMPACT_SHARE * len(rows) or not bool(alive.any()):   # finished rows leave
                keep = alive.nonzero().squeeze(1)
                run.select(keep)
                rows, chosen, position, alive = rows[keep], chosen[keep], position[keep], alive[keep]
            if len(rows):
                chosen = chosen.masked_fill(~alive, pad)          # a finished row left in feeds pad, ignored
                logits = run.step(chosen, position)
                position = position + alive[:, None]              # a finished row stays where it is
    return [tokens[i * n:(i + 1) * n] for i in range(len(prompts))]


class TransformersForward:
    """The model's own forward and cache (any architecture), behind :class:`alice_eval.lean.Forward`'s
    interface; prompts are admitted only into an empty batch (its cache is one left-padded block)."""

    refills = False

    def __init__(self, model, max_new: int):
        self.model, self.cache, self.mask = model, None, None

    def admit(self, prompts: list[list[int]], n: int):
        import torch

        width, device = max(map(len, prompts)), self.model.device
        ids = torch.zeros((len(prompts), width), dtype=torch.long)
        mask = torch.zeros((len(prompts), width), dtype=torch.long)
        for i, p in enumerate(prompts):                   # left padding: every prompt ends at column -1
            ids[i, width - len(p):], mask[i, width - len(p):] = torch.tensor(p, dtype=torch.long), 1
        ids, mask = ids.to(device), mask.to(device)
        out = self.model(input_ids=ids, attention_mask=mask, position_ids=(mask.cumsum(-1) - 1).clamp(min=0),
                         use_cache=True, logits_to_keep=1)
        self.cache, self.mask = out.past_key_values, mask
        if n > 1:                                         # the prompt's cache, once per sample
            self.cache.batch_repeat_interleave(n)
            self.mask = self.mask.repeat_interleave(n, 0)
        return out.logits[:, -1].repeat_interleave(n, 0)

    def step(self, tokens, positions):
        import torch

        self.mask = torch.cat([self.mask, torch.ones_like(self.mask[:, :1])], dim=1)
        out = self.model(input_ids=tokens[:, None], attention_mask=self.mask, position_ids=positions,
                         past_key_values=self.cache, use_cache=True, logits_to_keep=1)
        return out.logits[:, -1]

    def select(self, keep) -> None:
        if not len(keep):
            self.cache = self.mask = None
            return
        self.cache.batch_select_indices(keep)
        self.mask = self.mask[keep]


FORWARDS = {"lean": lean.Forward, "transformers": TransformersForward}
