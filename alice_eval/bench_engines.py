"""`alice-train bench --engines`: the generation engines on the same prompts, in one run.

    engine           what runs
    stock            transformers ``model.generate`` as a user calls it (the baseline; ``top_k=0`` so it
                     samples the same distribution as the others)
    hf-transformers  the project's ``hf`` decode loop over transformers' own forward
    hf               the project's ``hf`` backend: the decode loop (:mod:`alice_eval.decode`) over the
                     lean forward (:mod:`alice_eval.lean`)
    vllm-eager       vLLM's engine, ``enforce_eager=True``
    vllm-compiled    vLLM's engine with its torch.compile step (load time includes the compilation)

Two workloads, each one batch of the stage it stands for: ``sample`` (8 questions x 8 samples,
temperature 0.9, top-p 0.95) and ``eval`` (64 questions, greedy answers of mixed lengths). Prompts are
the synthetic tasks' test questions with their format instruction. Every measurement runs in a fresh process and reports the
tokens it generated per second of generation (load apart), the load seconds and the peak RSS.

Each engine runs twice per workload (``--rounds``), the second round in reverse order, and keeps its
faster run: on a shared machine whose speed drifts (the bound of one model once measured a third of
another run's), a single pass can hand one engine the slow minutes.

The bound: the same run times a matrix multiply of the model's hidden size at a batch of 256 rows in
the dtype the engines use; ``2 x parameters`` flops per generated token turn that rate into the tokens/s
no engine can pass. ``% bound`` is each engine's share of it.
"""

from __future__ import annotations

import os
import resource
import time
from dataclasses import asdict, dataclass

from alice_eval.bench import _in_fresh_process as _fresh

ENGINES = ("stock", "hf-transformers", "hf", "vllm-eager", "vllm-compiled")
# The stages' own batch shapes at the recipes' generation.batch_size of 64 sequences: the sample stage's
# 8 questions x 8 samples, an evaluation's 64 questions. Smaller batches (4 x 8 and 12 questions, last
# round) measure per-step overhead that a stage does not pay, and miss what it does: rows finishing at
# different lengths.
WORKLOADS = {                 # name: (questions, samples each, max new tokens)
    "sample": (8, 8, 64),
    "eval": (64, 1, 128),
}


@dataclass
class Row:
    model: str
    workload: str
    engine: str
    tokens: int
    seconds: float
    tokens_per_s: float
    load_s: float
    peak_mb: float
    vs_stock: float = 0.0
    pct_bound: float = 0.0
    slowest_tps: float = 0.0          # the slowest round's tokens/s (the row keeps the fastest)


def questions(count: int) -> list[str]:
    """The same user turns for every engine: test questions of the three synthetic kinds, interleaved."""
    from alice_eval import data, prompts

    kinds = [data.load(name, "test") for name in ("synth_math", "synth_logic", "synth_knowledge")]
    records = [r for group in zip(*kinds) for r in group][:count]
    return [prompts.question_prompt(r) for r in records]


def run(models: dict[str, str], workloads: dict[str, tuple[int, int, int]] | None = None,
        engines: tuple[str, ...] = ENGINES, rounds: int = 2,
        progress=lambda _msg: None) -> tuple[list[Row], dict[str, float]]:
    """Rows for every (model, workload, engine), and the tokens/s bound of each model.

    Each engine is measured ``rounds`` times, the rounds in alternating order (a machine whose speed
    drifts favours no engine), and keeps its fastest; ``slowest_tps`` shows the spread."""
    unknown = set(engines) - set(ENGINES)
    if unknown:
        raise ValueError(f"--engine: unknown {', '.join(sorted(unknown))}; choose from {', '.join(ENGINES)}")
    rows, bounds = [], {}
    workloads = workloads or WORKLOADS
    for name, path in models.items():
        for workload, (count, n, max_new) in workloads.items():
            best: dict[str, Row] = {}
            for r in range(rounds):
                progress(f"{name}: matmul bound (round {r + 1})")
                bounds[name] = max(bounds.get(name, 0.0), _fresh(_bound, path))
                for engine in engines if r % 2 == 0 else engines[::-1]:
                    progress(f"{name}: {workload} on {engine} (round {r + 1} of {rounds})")
                    row = _fresh(_measure, engine, path, count, n, max_new)
                    row.model, row.workload = name, workload
                    kept = best.setdefault(engine, row)
                    slowest = min(kept.tokens_per_s, row.tokens_per_s)
                    if row.tokens_per_s > kept.tokens_per_s:
                        best[engine] = kept = row
                    kept.slowest_tps = slowest
            stock = best["stock"].tokens_per_s if "stock" in best else None
            for engine in engines:
                r = best[engine]
                r.vs_stock = round(r.tokens_per_s / stock, 2) if stock else 0.0
                rows.append(r)
    for r in rows:
        r.pct_bound = round(100 * r.tokens_per_s / bounds[r.model], 1)
    return rows, bounds


def render(rows: list[Row], bounds: dict[str, float]) -> str:
    lines = ["| model | workload | engine | tokens | gen s | tokens/s | vs stock | % of bound | load s | peak MB "
             "| slowest round tokens/s |",
             "|" + "---|" * 11]
    for r in rows:
        lines.append(f"| {r.model} | {r.workload} | {r.engine} | {r.tokens} | {r.seconds:.1f} | "
                     f"{r.tokens_per_s:.1f} | {r.vs_stock:.2f}x | {r.pct_bound:.1f}% | {r.load_s:.1f} | "
                     f"{r.peak_mb:.0f} | {r.slowest_tps:.1f} |")
    lines.append("")
    lines += [f"bound for {m}: {b:.0f} tokens/s (measured matmul rate / (2 x parameters))" for m, b in bounds.items()]
    return "\n".join(lines)


def as_dicts(rows: list[Row]) -> list[dict]:
    return [asdict(r) for r in rows]


# -- one measurement per process -------------------------------------------------------------------

def _dtype():
    from alice_eval.runtime import torch_dtype

    return torch_dtype("auto", "cpu")


def _bound(path: str) -> float:
    """Tokens/s at the measured matmul rate: flops per token = 2 x parameters."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    torch.set_num_threads(len(os.sched_getaffinity(0)))
    config = AutoConfig.from_pretrained(path)
    with torch.device("meta"):
        params = sum(p.numel() for p in AutoModelForCausalLM.from_config(config).parameters())
    d = config.hidden_size
    a, b = torch.randn(256, d, dtype=_dtype()), torch.randn(d, 4 * d, dtype=_dtype())
    a @ b
    start, reps = time.perf_counter(), 0
    while time.perf_counter() - start < 3:
        a @ b
        reps += 1
    flops_per_s = 2 * 256 * d * 4 * d * reps / (time.perf_counter() - start)
    return flops_per_s / (2 * params)


def _measure(engine: str, path: str, count: int, n: int, max_new: int) -> Row:
    from alice_eval.generation import SamplingParams

    messages = questions(count)
    params = SamplingParams(n=n, temperature=0.9 if n > 1 else 0.0, top_p=0.95 if n > 1 else 1.0,
                            max_new_tokens=max_new, seed=0)
    start = time.perf_counter()
    if engine.startswith("vllm"):
        from alice_eval.generation import VLLMGenerator

        gen = VLLMGenerator(path, dtype="auto", enforce_eager=engine == "vllm-eager", max_model_len=2048)
        tokenizer = gen.llm.get_tokenizer()
    elif engine.startswith("hf"):
        from alice_eval.generation import HFGenerator

        gen = HFGenerator(path, batch_size=64, forward="transformers" if engine == "hf-transformers" else "auto")
        tokenizer = gen.tokenizer
    else:
        gen = _Stock(path)
        tokenizer = gen.tokenizer
    load = time.perf_counter() - start
    start = time.perf_counter()
    texts = gen.generate(messages, params)
    seconds = time.perf_counter() - start
    tokens = sum(len(tokenizer(t, add_special_tokens=False)["input_ids"]) for group in texts for t in group)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return Row("", "", engine, tokens, round(seconds, 2), round(tokens / seconds, 1), round(load, 1), round(peak))


class _Stock:
    """``model.generate`` with transformers' own sampling, batches of 64 sequences as the hf backend."""

    def __init__(self, path: str):
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        torch.set_num_threads(len(os.sched_getaffinity(0)))
        self.tokenizer = AutoTokenizer.from_pretrained(path, padding_side="left")
        self.model = AutoModelForCausalLM.from_pretrained(path, dtype=_dtype()).eval()

    def generate(self, messages, params):
        import torch

        texts = [self.tokenizer.apply_chat_template([{"role": "user", "content": m}], tokenize=False,
                                                    add_generation_prompt=True) for m in messages]
        per_batch, out = max(1, 64 // params.n), []
        sampling = dict(do_sample=True, temperature=params.temperature, top_p=params.top_p, top_k=0) \
            if params.temperature > 0 else dict(do_sample=False)
        torch.manual_seed(params.seed)
        for i in range(0, len(texts), per_batch):
            enc = self.tokenizer(texts[i:i + per_batch], return_tensors="pt", padding=True, add_special_tokens=False)
            with torch.inference_mode():
                ids = self.model.generate(**enc, max_new_tokens=params.max_new_tokens, num_return_sequences=params.n,
                                          pad_token_id=self.tokenizer.pad_token_id, **sampling)
            decoded = self.tokenizer.batch_decode(ids[:, enc["input_ids"].shape[1]:], skip_special_tokens=True)
            out += [[t.strip() for t in decoded[j:j + params.n]] for j in range(0, len(decoded), params.n)]
        return out
