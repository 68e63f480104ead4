"""`alice-train bench`: the speed and memory choices of the CPU path, each measured against the
baseline it replaced, in the same run and on the same model.

Every measurement runs in a fresh process, so one case's peak memory and freed-but-kept pages cannot
leak into the next. Each case times a fixed number of generation steps (``min_new_tokens`` =
``max_new_tokens``), so both sides do the same work.

    case       baseline                                   ours
    sampling   transformers' temperature + top-p warpers  SamplingWarper (no full vocabulary sort)
    lora       PEFT's unmerged LoRA layers                adapter merged into the weights
    weights    merged weights left frozen (PEFT)          merged weights unfrozen
    release    gc only after each of 3 models             gc + malloc_trim (alice_eval.memory)
"""

from __future__ import annotations

import gc
import os
import resource
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from multiprocessing import get_context

PROMPT = "Tom has 3 apples and buys 5 more. How many apples does he have? Explain step by step."
CASES = {                   # case: (baseline, ours, what the memory columns measure)
    "sampling": ("transformers warpers", "SamplingWarper", "peak RSS"),
    "lora": ("PEFT unmerged", "merged", "peak RSS"),
    "weights": ("frozen", "unfrozen", "peak RSS"),
    "release": ("gc only", "gc + malloc_trim", "RSS after"),
}


@dataclass
class Measure:
    seconds: float
    memory_mb: float        # peak RSS of the process; for `release`, RSS left after the last model


@dataclass
class Row:
    case: str
    baseline: str
    ours: str
    baseline_s: float
    ours_s: float
    speedup: float          # baseline_s / ours_s
    memory: str             # what the two memory columns measure
    baseline_mb: float
    ours_mb: float


def run(model: str, batch: int = 64, steps: int = 48, cases: tuple[str, ...] = tuple(CASES),
        progress=lambda _msg: None) -> list[Row]:
    """Measure each case (baseline, then ours) on ``model`` (a folder) with ``batch`` sequences."""
    unknown = set(cases) - set(CASES)
    if unknown:
        raise ValueError(f"--case: unknown {', '.join(sorted(unknown))}; choose from {', '.join(CASES)}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        adapter = _random_adapter(model, tmp) if {"lora", "weights"} & set(cases) else None
        for case in cases:
            baseline, ours, memory = CASES[case]
            progress(f"{case}: {baseline}")
            base = _in_fresh_process(_measure, case, False, model, adapter, batch, steps)
            progress(f"{case}: {ours}")
            mine = _in_fresh_process(_measure, case, True, model, adapter, batch, steps)
            rows.append(Row(case, baseline, ours, round(base.seconds, 4), round(mine.seconds, 4),
                            round(base.seconds / mine.seconds, 3), memory,
                            round(base.memory_mb), round(mine.memory_mb)))
    return rows


def render(rows: list[Row]) -> str:
    """A markdown table, the figures as measured."""
    head = "| case | baseline | ours | baseline s | ours s | speedup | memory | baseline MB | ours MB |"
    lines = [head, "|" + "---|" * 9]
    for r in rows:
        lines.append(f"| {r.case} | {r.baseline} | {r.ours} | {r.baseline_s:.2f} | {r.ours_s:.2f} | "
                     f"{r.speedup:.2f}x | {r.memory} | {r.baseline_mb:.0f} | {r.ours_mb:.0f} |")
    return "\n".join(lines)


def as_dicts(rows: list[Row]) -> list[dict]:
    return [asdict(r) for r in rows]


# -- one measurement per process ---------------------------------------------------------------------

def _in_fresh_process(fn, *args) -> Measure:
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


def _measure(case: str, ours: bool, model: str, adapter: str | None, batch: int, steps: int) -> Measure:
    import torch

    from alice_eval.generation import load_model
    from alice_eval.runtime import torch_dtype

    torch.set_num_threads(os.cpu_count() or 1)               # as the generator does
    dtype = torch_dtype("auto", "cpu")
    if case == "release":
        return _release(ours, model, dtype, batch, steps)
    if case == "sampling":
        lm = load_model(model, None, dtype)
    elif case == "lora" and not ours:
        from peft import PeftModel
        from transformers import AutoModelForCausalLM

        lm = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(model, dtype=dtype), adapter)
    else:
        lm = load_model(model, adapter, dtype)                 # merged, unfrozen
        if case == "weights" and not ours:
            lm.requires_grad_(False)                           # as PEFT's merge_and_unload leaves it
    lm.eval()
    start = time.perf_counter()
    _generate(lm, model, batch, steps, sample=case == "sampling", fast=ours)
    return Measure(time.perf_counter() - start, _peak_mb())


def _release(ours: bool, model: str, dtype, batch: int, steps: int) -> Measure:
    from alice_eval.generation import load_model
    from alice_eval.memory import release_memory

    start = time.perf_counter()
    for _ in range(3):                       # a run loads and frees one model after another
        lm = load_model(model, None, dtype).eval()
        _generate(lm, model, batch, steps, sample=False, fast=True)
        del lm
        release_memory() if ours else gc.collect()
    return Measure(time.perf_counter() - start, _current_mb())


def _generate(lm, model: str, batch: int, steps: int, sample: bool, fast: bool) -> None:
    import torch
    from transformers import AutoTokenizer

    from alice_eval.generation import SamplingParams, sampling_kwargs

    tokenizer = AutoTokenizer.from_pretrained(model)
    text = tokenizer.apply_chat_template([{"role": "user", "content": PROMPT}], tokenize=False,
                                         add_generation_prompt=True)
    enc = tokenizer([text] * batch, return_tensors="pt", add_special_tokens=False)
    kwargs = dict(max_new_tokens=steps, min_new_tokens=steps, do_sample=sample,
                  pad_token_id=tokenizer.pad_token_id or tokenizer.eos_token_id)
    if sample and fast:                       # exactly what the generator passes
        kwargs.update(sampling_kwargs(SamplingParams(temperature=0.9, top_p=0.95)))
    elif sample:                              # transformers' own: temperature, then top-p (top-k off)
        kwargs.update(temperature=0.9, top_k=0, top_p=0.95)
    torch.manual_seed(0)
    with torch.inference_mode():
        lm.generate(**enc, **kwargs)


def _random_adapter(model: str, folder: str) -> str:
    """A LoRA adapter with non-zero weights on every linear layer, like a trained one."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(model)
    peft = get_peft_model(base, LoraConfig(r=8, lora_alpha=16, target_modules="all-linear",
                                           init_lora_weights=False))
    peft.save_pretrained(folder)
    return folder


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024          # KiB on Linux


def _current_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20
