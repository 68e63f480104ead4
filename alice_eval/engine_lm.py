"""lm-eval's model interface over one of the project's generators (the ``hf`` decode loop or vLLM).

With it an evaluation runs on the engine the stages run on, with its speed (``alice-train bench
--engines``, workload ``eval``), and a run reuses the model it has loaded. lm-eval renders the chat
template through :meth:`EngineLM.apply_chat_template`, so prompts are exactly those of its own ``hf``
model. Generative tasks only: every alice_* task is one.
"""

from __future__ import annotations

import json

from lm_eval.api.model import LM

from alice_eval.faults import point
from alice_eval.generation import Generator, SamplingParams, at_budget


class EngineLM(LM):
    """``stage``: the run's stage this evaluation is, for its kill point."""

    def __init__(self, generator: Generator, name: str, stage: str = ""):
        super().__init__()
        self.generator, self.name, self.stage = generator, name, stage
        self.at_budget: dict[str, int] = {}          # per task: answers that ended at max_gen_toks

    @property
    def tokenizer_name(self) -> str:
        return self.name.replace("/", "__")

    def apply_chat_template(self, chat_history: list[dict], add_generation_prompt: bool = True) -> str:
        return self.generator.render(chat_history)

    def generate_until(self, requests) -> list[str]:
        groups: dict[str, list[int]] = {}
        for i, request in enumerate(requests):        # one engine call per distinct gen_kwargs
            groups.setdefault(json.dumps(request.args[1], sort_keys=True, default=str), []).append(i)
        out = [""] * len(requests)
        for key, indices in groups.items():
            texts = self.generator.complete([requests[i].args[0] for i in indices], sampling_params(json.loads(key)),
                                            desc="evaluating")
            point("eval.answered", self.stage)
            for i, (text,) in zip(indices, texts):
                out[i] = text
                task = getattr(requests[i], "task_name", None) or "unknown"
                self.at_budget[task] = self.at_budget.get(task, 0) + at_budget(text)
        return out

    def loglikelihood(self, requests):
        raise ValueError("this engine answers generative tasks only (every alice_* task is one); evaluate "
                         "log-likelihood tasks with lm-eval's own hf model")

    loglikelihood_rolling = loglikelihood


def sampling_params(gen_kwargs: dict) -> SamplingParams:
    """lm-eval's ``gen_kwargs`` (``until``, ``max_gen_toks``, ``do_sample``, ``temperature``, ``top_p``)."""
    until = gen_kwargs.get("until") or []
    sample = bool(gen_kwargs.get("do_sample")) and float(gen_kwargs.get("temperature") or 0) > 0
    return SamplingParams(temperature=float(gen_kwargs["temperature"]) if sample else 0.0,
                          top_p=float(gen_kwargs.get("top_p") or 1.0) if sample else 1.0,
                          max_new_tokens=int(gen_kwargs.get("max_gen_toks") or 256),
                          stop=tuple([until] if isinstance(until, str) else until))
