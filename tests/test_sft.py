"""TRL fine-tuning: completion-only loss, LoRA merge (what a cascade stage needs), accelerate launch."""

from __future__ import annotations

import pytest

import json

import torch

from alice_eval.data import load
from alice_eval.trainer import sft
from alice_eval.trainer.config import TrainConfig

CFG = TrainConfig(mode="lora", max_steps=3, learning_rate=5e-3, batch_size=4, grad_accum=1, warmup_steps=0,
                  max_length=256, lora_r=4, lora_alpha=8, bf16=False, save_steps=100)


def rows():
    records = load("synth_math", "train", n=8)
    return sft.sft_rows(records, [r["rationale"] for r in records])


def logits(model_dir, adapter=None):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    if adapter:
        model = PeftModel.from_pretrained(model, adapter)
    ids = AutoTokenizer.from_pretrained(model_dir)("What is 2 + 3? #### 5", return_tensors="pt")
    with torch.no_grad():
        return model(**ids).logits


def test_lora_training_then_merge_gives_a_plain_model_with_the_same_outputs(tiny_model, tmp_path):
    sft.train(str(tiny_model), rows(), tmp_path / "adapter", tmp_path / "work", CFG, seed=0)
    info = json.loads((tmp_path / "adapter" / sft.MODEL_INFO).read_text())
    assert info["adapter"] and info["steps"] == 3 and info["examples"] == 8
    assert sft.model_args(tmp_path / "adapter") == (str(tiny_model), str(tmp_path / "adapter"))

    sft.merge(tmp_path / "adapter", tmp_path / "merged")
    assert not (tmp_path / "merged" / "adapter_config.json").exists()
    assert sft.model_args(tmp_path / "merged") == (str(tmp_path / "merged"), None)
    with_adapter = logits(str(tiny_model), str(tmp_path / "adapter"))
    merged = logits(str(tmp_path / "merged"))
    assert torch.allclose(with_adapter, merged, atol=1e-4)
    assert not torch.allclose(logits(str(tiny_model)), merged, atol=1e-4)   # training changed something


def test_training_is_deterministic_and_resumes_from_its_checkpoint(tiny_model, tmp_path, monkeypatch):
    import trl

    resumed_from, steps_run = [], []

    class Spy(trl.SFTTrainer):
        def train(self, *args, resume_from_checkpoint=None, **kwargs):
            resumed_from.append(resume_from_checkpoint)
            out = super().train(*args, resume_from_checkpoint=resume_from_checkpoint, **kwargs)
            steps_run.append(self.state.global_step)
            return out

    monkeypatch.setattr(trl, "SFTTrainer", Spy)
    cfg = CFG.model_copy(update={"max_steps": 4, "save_steps": 2, "scheduler": "constant"})
    sft.train(str(tiny_model), rows(), tmp_path / "a", tmp_path / "wa", cfg, seed=0)
    # a run killed after its step-2 checkpoint: keep the checkpoint, train again into a fresh output
    sft.train(str(tiny_model), rows(), tmp_path / "half", tmp_path / "wb",
              cfg.model_copy(update={"max_steps": 2}), seed=0)
    assert (tmp_path / "wb" / "checkpoint-2").is_dir()
    sft.train(str(tiny_model), rows(), tmp_path / "b", tmp_path / "wb", cfg, seed=0)
    # the third run started from the step-2 checkpoint (not from scratch) and ended at step 4
    assert resumed_from == [None, None, str(tmp_path / "wb" / "checkpoint-2")] and steps_run[-1] == 4
    assert torch.allclose(logits(str(tiny_model), str(tmp_path / "a")), logits(str(tiny_model), str(tmp_path / "b")),
                          atol=1e-6)


def test_accelerate_launch_path_trains_in_a_child_process(tiny_model, tmp_path):
    cfg = CFG.model_copy(update={"mode": "full", "max_steps": 2})
    (tmp_path / "work").mkdir()
    sft.launch(str(tiny_model), rows(), tmp_path / "out", tmp_path / "work", cfg, seed=0)
    info = json.loads((tmp_path / "out" / sft.MODEL_INFO).read_text())
    assert info == {**info, "adapter": False, "steps": 2}
    assert (tmp_path / "out" / "model.safetensors").is_file()


def test_bf16_lora_keeps_a_bf16_base_and_fp32_adapters(tiny_model, tmp_path, monkeypatch):
    """The CPU fast path: with bf16 on, a LoRA run loads the base in bf16 and still learns fp32 adapters."""
    from safetensors.torch import load_file

    import trl

    seen = {}

    class Spy(trl.SFTTrainer):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            seen["base"] = self.model.get_base_model().dtype

    monkeypatch.setattr(trl, "SFTTrainer", Spy)
    sft.train(str(tiny_model), rows(), tmp_path / "adapter", tmp_path / "work",
              CFG.model_copy(update={"bf16": True}), seed=0)
    assert seen["base"] == torch.bfloat16
    weights = load_file(str(tmp_path / "adapter" / "adapter_model.safetensors"))
    assert weights and all(w.dtype == torch.float32 for w in weights.values())
    assert any(w.abs().sum() > 0 for k, w in weights.items() if "lora_B" in k)   # it learned something


def test_length_batches_group_similar_lengths_and_keep_every_row():
    rows = [{"prompt": "x" * n, "completion": ""} for n in (5, 500, 7, 480, 6, 510, 490, 4)]
    ordered = sft.length_batches(rows, batch_size=4, seed=0)
    assert sorted(map(json.dumps, ordered)) == sorted(map(json.dumps, rows))
    batches = [{len(r["prompt"]) for r in ordered[i:i + 4]} for i in (0, 4)]
    assert sorted(map(max, batches)) == [7, 510] and sorted(map(min, batches)) == [4, 480]
    assert ordered == sft.length_batches(rows, batch_size=4, seed=0)          # seeded
    orders = {tuple(len(r["prompt"]) for r in sft.length_batches(rows, 4, seed)) for seed in range(8)}
    assert len(orders) == 2                                                    # the batch order is shuffled


def test_evaluating_an_adapter_matches_the_merged_model(tiny_model, tmp_path):
    """evaluate(peft=...) merges the adapter in memory: the same answers as the merged folder."""
    from alice_eval.evaluation import evaluate

    sft.train(str(tiny_model), rows(), tmp_path / "adapter", tmp_path / "work", CFG, seed=0)
    sft.merge(tmp_path / "adapter", tmp_path / "merged")
    common = dict(model_args={"dtype": "float32"}, batch_size=4, gen_kwargs={"max_gen_toks": 8},
                  log_samples=True, device="cpu", metadata={"n": 4})
    adapter = evaluate(str(tiny_model), ["alice_synth_math"], peft=str(tmp_path / "adapter"), **common)
    merged = evaluate(str(tmp_path / "merged"), ["alice_synth_math"], **common)
    answers = lambda r: [s["resps"] for s in r["samples"]["alice_synth_math"]]  # noqa: E731
    assert answers(adapter) == answers(merged) and len(answers(adapter)) == 4
    assert adapter["config"]["model_args"]["peft"] == str(tmp_path / "adapter")


def test_a_merged_adapter_loads_as_a_plain_unfrozen_model(tiny_model, tmp_path):
    """load_model merges the adapter and unfreezes the weights (frozen bf16 weights are slow on CPUs)."""
    from alice_eval.generation import load_model

    sft.train(str(tiny_model), rows(), tmp_path / "adapter", tmp_path / "work", CFG, seed=0)
    model = load_model(str(tiny_model), str(tmp_path / "adapter"), torch.float32)
    assert not any("lora" in name for name, _ in model.named_parameters())
    assert all(p.requires_grad for p in model.parameters())
    from transformers import AutoTokenizer

    ids = AutoTokenizer.from_pretrained(str(tiny_model))("What is 2 + 3? #### 5", return_tensors="pt")
    with torch.no_grad():
        merged = model(**ids).logits
    assert torch.allclose(merged, logits(str(tiny_model), str(tmp_path / "adapter")), atol=1e-4)


@pytest.mark.parametrize("examples,epochs,min_steps,max_steps,expected", [
    (8, 2, 6, -1, 6),          # 2 steps an epoch x 2 = 4 < 6: six steps
    (12, 2, 6, -1, -1),        # 3 x 2 = 6: the epochs decide
    (40, 1, 6, -1, -1),
    (8, 2, 0, -1, -1),         # off
    (8, 2, 6, 3, 3),           # max_steps wins
    (9, 0.5, 2, -1, -1),       # ceil(3 x 0.5) = 2
])
def test_min_steps_raises_the_step_budget_of_a_small_label_set(examples, epochs, min_steps, max_steps, expected):
    from alice_eval.trainer.config import TrainConfig
    from alice_eval.trainer.sft import step_budget

    cfg = TrainConfig(epochs=epochs, min_steps=min_steps, max_steps=max_steps, batch_size=2, grad_accum=2)
    assert step_budget(cfg, examples) == expected
