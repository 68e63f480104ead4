"""A lean decode forward for Llama-family checkpoints (Llama, SmolLM2, Qwen2, Qwen2.5).

On a 2-core CPU transformers' forward spends much of a decode step outside the model's matmuls: the
KV cache grows by ``torch.cat`` (the whole cache copied at every step), a 4-D mask is rebuilt, and each
layer runs many small ops. This forward runs the same weights with q/k/v and gate/up as one matmul
each, a KV cache allocated once and written in place, and grouped-query attention without copying
keys. On a CPU, bf16 weights are also packed once into oneDNN's blocked layout: each matmul ran
1.3-2.2x faster at 1-256 rows than ``F.linear`` on the plain matrix, with the same results (measured
on the 0.5B's MLP, 2 cores with AMX). The packed copy costs one more copy of the weights in memory.

Its logits equal transformers' forward to rounding (tests check them on tiny models); :func:`supports`
says which models it runs, the others keep transformers' forward.
"""

from __future__ import annotations

ARCHITECTURES = ("llama", "qwen2")


def supports(model) -> bool:
    """A Llama-family model with SiLU MLPs without biases and full attention (no sliding window, no
    qk-norm, no output bias)."""
    config = model.config
    layer = getattr(getattr(model, "model", None), "layers", [None])[0]
    return (config.model_type in ARCHITECTURES and getattr(config, "hidden_act", "") == "silu"
            and not getattr(config, "use_sliding_window", False) and layer is not None
            and not hasattr(layer.self_attn, "q_norm") and layer.self_attn.o_proj.bias is None
            and layer.mlp.gate_proj.bias is None)


def fused(model) -> "Weights":
    """The model's weights arranged for :class:`Forward`, built once per model. The model's own q/k/v and
    gate/up weights become views of the fused matrices, so both forwards share one copy (and, unless the
    weights were packed, see any in-place change to it)."""
    weights = getattr(model, "_alice_lean", None)
    if weights is None:
        weights = Weights(model)
        model._alice_lean = weights
    return weights


PACK_ROWS = 64          # the row count oneDNN's packed layout is chosen for (it serves any count)


class Weights:
    def __init__(self, model):
        import torch

        inner, config = model.model, model.config
        attention = inner.layers[0].self_attn
        self.heads, self.kv_heads = config.num_attention_heads, config.num_key_value_heads
        self.head_dim = attention.head_dim
        self.scale = attention.scaling
        self.embed = inner.embed_tokens.weight
        self.packed = (self.embed.device.type == "cpu" and self.embed.dtype == torch.bfloat16
                       and torch.backends.mkldnn.is_available())
        pack = (lambda w: torch.ops.mkldnn._reorder_linear_weight(w.detach(), PACK_ROWS)) if self.packed else (lambda w: w)
        self.rotary, self.norm = inner.rotary_emb, (inner.norm.weight, inner.norm.variance_epsilon)
        self.layers = []
        for layer in inner.layers:
            a, m = layer.self_attn, layer.mlp
            qkv = _fuse(torch, [a.q_proj, a.k_proj, a.v_proj])
            bias = _fuse(torch, [a.q_proj, a.k_proj, a.v_proj], "bias") if a.q_proj.bias is not None else None
            self.layers.append((
                (layer.input_layernorm.weight, layer.input_layernorm.variance_epsilon), pack(qkv), bias,
                pack(a.o_proj.weight),
                (layer.post_attention_layernorm.weight, layer.post_attention_layernorm.variance_epsilon),
                pack(_fuse(torch, [m.gate_proj, m.up_proj])), pack(m.down_proj.weight)))
        self.lm_head = pack(model.lm_head.weight)

    def linear(self, x, weight, bias=None):
        import torch
        import torch.nn.functional as F

        if self.packed:
            return torch.ops.mkldnn._linear_pointwise(x, weight, bias, "none", [], "")
        return F.linear(x, weight, bias)


def _fuse(torch, linears, name: str = "weight"):
    """One matrix (or bias) for several linears along the output dimension; each linear's own
    parameter becomes a view into it."""
    whole = torch.cat([getattr(lin, name).detach() for lin in linears])
    start = 0
    for lin in linears:
        size = getattr(lin, name).shape[0]
        old = getattr(lin, name)
        setattr(lin, name, torch.nn.Parameter(whole[start:start + size], requires_grad=old.requires_grad))
        start += size
    return whole


class Forward:
    """One decode call's forward over ``prompts`` left-padded prompts of ``width`` tokens and up to
    ``max_new`` new tokens per row.

    The prompts' keys and values are kept once per prompt, not once per sample: the n samples of a
    prompt attend to it as one group of queries, and to their own generated tokens apart; the two parts
    are merged by their log-sum-exp (exact). A step so reads each prompt's cache once for its n samples
    instead of n times; at 64 rows of ~200-token prompts that cache, not the weights, was most of the
    bytes a step read. With one row per prompt (greedy answers) a row's tokens go on after its prompt
    and one attention call serves both. ``repeat(n)`` makes n rows per prompt, ``select(keep)`` keeps
    the rows still generating (and drops a prompt's cache once none of its rows is left).
    """

    def __init__(self, model, prompts: int, width: int, max_new: int):
        self.w = fused(model)
        self.max_new, self.n = max_new, 1
        self.prompt_keys, self.prompt_values = [], []   # per layer: [prompts, kv_heads, width, dim]
        self.prompt_mask = None                         # [prompts, 1, 1, width]: 0, or -inf at padding
        self.slot = None                                # per row: its prompt x n + its sample
        self.keys, self.values = None, None             # per layer: [rows, kv_heads, max_new, dim]
        self.length, self.width = 0, 0                  # tokens generated per row so far; prompt width

    def prefill(self, ids, mask, positions):
        """The prompts' caches and each prompt's next-token logits. Prompts of similar length are
        computed together, each group padded only to its own longest (one batch of mixed lengths was
        half padding in the bench's evaluation workload)."""
        import torch

        w, (prompts, width) = self.w, ids.shape
        lengths = mask.sum(-1).tolist()
        shape = (prompts, w.kv_heads, width, w.head_dim)
        self.prompt_keys = [torch.zeros(shape, dtype=w.embed.dtype, device=ids.device) for _ in w.layers]
        self.prompt_values = [torch.zeros(shape, dtype=w.embed.dtype, device=ids.device) for _ in w.layers]
        logits = None
        for group in _by_length(lengths):
            rows, longest = torch.tensor(group, device=ids.device), max(lengths[i] for i in group)
            columns = slice(width - longest, width)
            out = self._prefill(ids[rows, columns], mask[rows, columns], positions[rows, columns], rows, columns)
            logits = out.new_empty(prompts, out.shape[-1]) if logits is None else logits
            logits[rows] = out
        self.prompt_mask = torch.zeros(prompts, 1, 1, width, dtype=w.embed.dtype, device=ids.device).masked_fill(
            ~mask.bool()[:, None, None], float("-inf"))
        self.slot, self.width = torch.arange(prompts, device=ids.device), width
        return logits

    def _prefill(self, ids, mask, positions, rows, columns):
        import torch
        import torch.nn.functional as F

        w, (count, width) = self.w, ids.shape
        causal = torch.ones(width, width, dtype=torch.bool, device=ids.device).tril()
        # a query sees earlier real tokens, and always itself: a padding row that saw nothing could be
        # NaN under some SDPA kernels, and the cache would carry it on
        see = ((causal & mask.bool()[:, None, :]) | torch.eye(width, dtype=torch.bool, device=ids.device))[:, None]
        x = F.embedding(ids, w.embed)
        cos, sin = w.rotary(x, positions)
        for layer, prompt_keys, prompt_values in zip(w.layers, self.prompt_keys, self.prompt_values):
            q, k, v = self._qkv(x, layer, cos, sin)
            k, v = k.transpose(1, 2).contiguous(), v.transpose(1, 2).contiguous()
            prompt_keys[rows, :, columns], prompt_values[rows, :, columns] = k, v
            out = F.scaled_dot_product_attention(q.transpose(1, 2), k, v, attn_mask=see, scale=w.scale, enable_gqa=True)
            x = self._rest(x, layer, out.transpose(1, 2).reshape(count, width, -1))
        return w.linear(_rms(x[:, -1], w.norm), w.lm_head)

    def step(self, tokens, positions):
        import torch
        import torch.nn.functional as F

        w, rows, t = self.w, len(tokens), self.length
        # one row per prompt (greedy answers): its tokens go on after its prompt, one attention call
        joint, column = self.n == 1, self.width + t
        if joint and t == 0:
            self._make_room()
        if joint:
            self.prompt_mask[..., column] = 0
        elif self.keys is None:
            shape = (rows, w.kv_heads, self.max_new, w.head_dim)
            self.keys = [torch.empty(shape, dtype=w.embed.dtype, device=tokens.device) for _ in w.layers]
            self.values = [torch.empty(shape, dtype=w.embed.dtype, device=tokens.device) for _ in w.layers]
        x = F.embedding(tokens[:, None], w.embed)
        cos, sin = w.rotary(x, positions)
        for i, layer in enumerate(w.layers):
            q, k, v = self._qkv(x, layer, cos, sin)
            q = q.reshape(rows, w.kv_heads, w.heads // w.kv_heads, w.head_dim)    # query heads by kv head
            prompt_keys, prompt_values = self.prompt_keys[i], self.prompt_values[i]
            if joint:
                prompt_keys[:, :, column], prompt_values[:, :, column] = k[:, 0], v[:, 0]
                out = F.scaled_dot_product_attention(q, prompt_keys[:, :, :column + 1], prompt_values[:, :, :column + 1],
                                                     attn_mask=self.prompt_mask[..., :column + 1], scale=w.scale)
            else:
                keys, values = self.keys[i], self.values[i]
                keys[:, :, t], values[:, :, t] = k[:, 0], v[:, 0]
                out = self._attend(q, prompt_keys, prompt_values, keys[:, :, :t + 1], values[:, :, :t + 1])
            x = self._rest(x, layer, out.reshape(rows, 1, -1))
        self.length += 1
        return w.linear(_rms(x[:, -1], w.norm), w.lm_head)

    def _make_room(self) -> None:
        """Columns after each prompt for its one row's new tokens (masked until written)."""
        import torch.nn.functional as F

        self.prompt_keys = [F.pad(k, (0, 0, 0, self.max_new)) for k in self.prompt_keys]
        self.prompt_values = [F.pad(v, (0, 0, 0, self.max_new)) for v in self.prompt_values]
        self.prompt_mask = F.pad(self.prompt_mask, (0, self.max_new), value=float("-inf"))

    def repeat(self, n: int) -> None:
        self.n, self.slot = n, self.slot.repeat_interleave(n) * n + self.slot.new_tensor(range(n)).repeat(len(self.slot))

    def select(self, keep) -> None:
        import torch

        self.slot = self.slot[keep]
        if self.keys is not None:
            self.keys = [k.index_select(0, keep) for k in self.keys]
            self.values = [v.index_select(0, keep) for v in self.values]
        used = torch.unique(self.slot // self.n)
        if len(used) < len(self.prompt_mask):          # a prompt none of whose rows is left
            renumber = torch.full((len(self.prompt_mask),), -1, dtype=torch.long, device=used.device)
            renumber[used] = torch.arange(len(used), device=used.device)
            self.slot = renumber[self.slot // self.n] * self.n + self.slot % self.n
            self.prompt_keys = [k.index_select(0, used) for k in self.prompt_keys]
            self.prompt_values = [v.index_select(0, used) for v in self.prompt_values]
            self.prompt_mask = self.prompt_mask.index_select(0, used)

    def _qkv(self, x, layer, cos, sin):
        """Queries, keys and values as [rows, width, heads, dim], rotary positions applied."""
        w = self.w
        norm1, qkv, bias = layer[:3]
        rows, width, _ = x.shape
        heads = w.linear(_rms(x, norm1), qkv, bias).view(rows, width, w.heads + 2 * w.kv_heads, w.head_dim)
        qk = _rotate(heads[:, :, :w.heads + w.kv_heads], cos[:, :, None], sin[:, :, None])
        return qk[:, :, :w.heads], qk[:, :, w.heads:], heads[:, :, w.heads + w.kv_heads:]

    def _rest(self, x, layer, attended):
        """The layer after attention: output projection, residual, MLP, residual."""
        import torch.nn.functional as F

        w = self.w
        _, _, _, out, norm2, gate_up, down = layer
        x = x + w.linear(attended, out)
        gate, up = w.linear(_rms(x, norm2), gate_up).chunk(2, dim=-1)
        return x + w.linear(F.silu(gate) * up, down)

    def _attend(self, q, prompt_keys, prompt_values, keys, values):
        """Rows' queries [rows, kv_heads, group, dim] over their prompt and their own tokens."""
        import torch

        prompts, n = len(self.prompt_mask), self.n
        rows, kv_heads, group, dim = q.shape
        # the prompt part: each prompt's samples as one group of queries
        grouped = q.new_zeros(prompts * n, kv_heads, group, dim).index_copy_(0, self.slot, q)
        grouped = grouped.view(prompts, n, kv_heads, group, dim).transpose(1, 2).reshape(prompts, kv_heads, n * group, dim)
        a, lse_a = _attention(grouped, prompt_keys, prompt_values, self.prompt_mask, self.w.scale)
        a = a.view(prompts, kv_heads, n, group, dim).transpose(1, 2).reshape(prompts * n, kv_heads, group, dim)[self.slot]
        lse_a = lse_a.view(prompts, kv_heads, n, group).transpose(1, 2).reshape(prompts * n, kv_heads, group)[self.slot]
        # the own part: every generated token is real, so no mask
        b, lse_b = _attention(q, keys, values, None, self.w.scale)
        share = torch.sigmoid(lse_a - lse_b)[..., None]         # the prompt part's share of the softmax
        return (a.float() * share + b.float() * (1 - share)).to(q.dtype)


def _by_length(lengths: list[int], slack: float = 1.25) -> list[list[int]]:
    """Row indices grouped so that a group's longest prompt is at most ``slack`` x its shortest."""
    groups: list[list[int]] = []
    for i in sorted(range(len(lengths)), key=lambda i: lengths[i]):
        if groups and lengths[i] <= slack * lengths[groups[-1][0]]:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def _attention(q, keys, values, mask, scale):
    """Attention and the log-sum-exp of its scaled scores (to merge two parts), in float32."""
    import torch

    if q.device.type == "cpu":
        return torch.ops.aten._scaled_dot_product_flash_attention_for_cpu(
            q, keys, values, 0.0, False, attn_mask=mask, scale=scale)
    scores = (q.float() @ keys.float().transpose(-1, -2)) * scale
    if mask is not None:
        scores = scores + mask.float()
    lse = scores.logsumexp(-1)
    return ((scores - lse[..., None]).exp() @ values.float()).to(q.dtype), lse


def _rms(x, norm):
    """RMSNorm as one op, rounded once (transformers also rounds before the weight: in bf16 the two
    differ in the last bit)."""
    import torch.nn.functional as F

    weight, eps = norm
    return F.rms_norm(x, (x.shape[-1],), weight, eps)


def _rotate(x, cos, sin):
    import torch

    half = x.shape[-1] // 2
    return x * cos + torch.cat((-x[..., half:], x[..., :half]), dim=-1) * sin
