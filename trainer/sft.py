"""Supervised fine-tuning on TRL's SFTTrainer: prompt/completion chats, loss on the completion only,
LoRA (PEFT) or full fine-tuning. A trained model is a folder: full weights, or a LoRA adapter whose
``alice_model.json`` names its base; ``merge`` turns an adapter into a plain model for the next stage."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

from alice_eval import faults, prompts, runtime
from alice_eval.memory import release_memory
from alice_eval.trainer.config import TrainConfig

MODEL_INFO = "alice_model.json"


def sft_rows(records: list[dict], completions: list[str]) -> list[dict]:
    """Conversational prompt/completion rows: the prompt is exactly the evaluation prompt."""
    return [{"prompt": [{"role": "user", "content": prompts.question_prompt(r)}],
             "completion": [{"role": "assistant", "content": c}]}
            for r, c in zip(records, completions, strict=True)]


def length_batches(rows: list[dict], batch_size: int, seed: int) -> list[dict]:
    """Rows reordered so that each run of ``batch_size`` holds similar lengths, the runs shuffled.

    Padding to the longest row of a batch is pure waste on a CPU, and the synthetic kinds differ ~5x
    in length (a knowledge answer ~50 tokens, a logic rationale up to ~500). transformers' own
    ``group_by_length`` sorts a whole small dataset longest-first, which would also order the kinds
    against the learning-rate schedule; shuffled batches keep the order random."""
    import random

    by_length = sorted(rows, key=lambda r: len(json.dumps(r)))
    batches = [by_length[i:i + batch_size] for i in range(0, len(by_length), batch_size)]
    random.Random(seed).shuffle(batches)
    return [row for batch in batches for row in batch]


def train(base: str, rows: list[dict], out_dir: Path, work_dir: Path, cfg: TrainConfig, seed: int,
          name: str = "") -> None:
    """Fine-tune ``base`` on ``rows``, in this process or, with ``cfg.num_processes > 1`` or an
    accelerate config, under ``accelerate launch`` (DDP, DeepSpeed, FSDP) in a child process.
    ``name``: the stage's, for its kill points (:mod:`alice_eval.faults`)."""
    if cfg.num_processes > 1 or cfg.accelerate_config:
        launch(base, rows, out_dir, work_dir, cfg, seed)
    else:
        train_here(base, rows, out_dir, work_dir, cfg, seed, name)


def accelerate_config_path(name: str) -> str:
    """A path, or the name of one of TRL's shipped accelerate configs (zero2, fsdp2, multi_gpu...)."""
    if Path(name).is_file():
        return name
    from importlib.resources import files

    shipped = Path(str(files("trl") / "accelerate_configs")) / f"{name}.yaml"
    if not shipped.is_file():
        raise FileNotFoundError(f"train.accelerate_config: {name!r} is neither a file nor one of TRL's configs "
                                f"({', '.join(p.stem for p in shipped.parent.glob('*.yaml'))})")
    return str(shipped)


def launch(base: str, rows: list[dict], out_dir: Path, work_dir: Path, cfg: TrainConfig, seed: int) -> None:
    """Run :func:`train_here` on every process of an ``accelerate launch``; generation stays here."""
    import subprocess
    import sys

    job = work_dir / "job.json"
    job.write_text(json.dumps({"base": base, "rows": rows, "out": str(out_dir), "work": str(work_dir),
                               "train": cfg.model_dump(), "seed": seed, "remote_code": runtime.remote_code()}))
    command = [sys.executable, "-m", "accelerate.commands.launch", "--num_processes", str(cfg.num_processes)]
    if cfg.accelerate_config:
        command += ["--config_file", accelerate_config_path(cfg.accelerate_config)]
    command += ["-m", "alice_eval.trainer.sft", str(job)]
    done = subprocess.run(command)
    if done.returncode != 0:
        raise RuntimeError(f"train: accelerate launch exited with {done.returncode} (command: {' '.join(command)})")


def step_budget(cfg: TrainConfig, examples: int, processes: int = 1) -> int:
    """``max_steps`` for the trainer: the recipe's, else ``min_steps`` where the epochs over ``examples``
    would take fewer optimizer steps, else -1 (the epochs decide)."""
    if cfg.max_steps > 0:
        return cfg.max_steps
    per_epoch = math.ceil(examples / (cfg.batch_size * cfg.grad_accum * processes))
    return cfg.min_steps if math.ceil(per_epoch * cfg.epochs) < cfg.min_steps else -1


def train_here(base: str, rows: list[dict], out_dir: Path, work_dir: Path, cfg: TrainConfig, seed: int,
               name: str = "") -> None:
    """Fine-tune ``base`` on ``rows``; checkpoints go to ``work_dir`` so a killed run resumes there."""
    import torch
    from datasets import Dataset
    from transformers import AutoTokenizer
    from trl import SFTConfig, SFTTrainer

    if not rows:
        raise ValueError("train: no training examples (the pool or the filtered labels are empty)")
    gpu = runtime.on_gpu()
    bf16 = runtime.train_in_bf16(cfg.bf16)
    args = SFTConfig(
        output_dir=str(work_dir), seed=seed, data_seed=seed,
        num_train_epochs=cfg.epochs, max_steps=step_budget(cfg, len(rows), int(os.environ.get("WORLD_SIZE", 1))),
        learning_rate=cfg.learning_rate, weight_decay=cfg.weight_decay, max_grad_norm=1.0,
        lr_scheduler_type=cfg.scheduler, warmup_steps=cfg.warmup_steps,  # counted in optimizer steps
        per_device_train_batch_size=cfg.batch_size, gradient_accumulation_steps=cfg.grad_accum,
        max_length=cfg.max_length, packing=False,
        use_cpu=not gpu, bf16=bf16, gradient_checkpointing=cfg.gradient_checkpointing,
        # a LoRA base can stay in bf16 (PEFT keeps the adapters in fp32): ~25% faster steps on a bf16
        # CPU; full fine-tuning on a CPU keeps fp32 master weights
        model_init_kwargs={"dtype": torch.bfloat16 if bf16 and (gpu or cfg.mode == "lora") else torch.float32,
                           "trust_remote_code": runtime.remote_code()},
        save_strategy="steps", save_steps=cfg.save_steps, save_total_limit=1, save_only_model=False,
        logging_steps=1, report_to="none", dataloader_num_workers=0, deepspeed=cfg.deepspeed,
        disable_tqdm=False,
        train_sampling_strategy="sequential" if cfg.group_by_length else "random",
    )
    if cfg.group_by_length:
        rows = length_batches(rows, cfg.batch_size, seed)
    peft_config = None
    if cfg.mode == "lora":
        from peft import LoraConfig

        peft_config = LoraConfig(r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=cfg.lora_dropout,
                                 target_modules=cfg.target_modules, task_type="CAUSAL_LM")
    tokenizer = AutoTokenizer.from_pretrained(base, trust_remote_code=runtime.remote_code())
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    trainer = SFTTrainer(model=base, args=args, train_dataset=Dataset.from_list(rows),
                         processing_class=tokenizer, peft_config=peft_config)
    if faults.armed():
        _add_kill_points(trainer, name)
    start = _start_step_callback(name)
    trainer.add_callback(start)
    # trainer_state.json is written last: a checkpoint without it was cut short by a kill
    checkpoints = sorted((p for p in work_dir.glob("checkpoint-*") if (p / "trainer_state.json").is_file()),
                         key=lambda p: int(p.name.split("-")[-1]))
    trainer.train(resume_from_checkpoint=str(checkpoints[-1]) if checkpoints else None)
    trainer.save_model(str(out_dir))        # on every rank: DeepSpeed ZeRO-3 gathers weights here
    faults.point("train.saved", name)
    if trainer.is_world_process_zero():
        tokenizer.save_pretrained(str(out_dir))
        losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
        (out_dir / MODEL_INFO).write_text(json.dumps({
            "base": base, "adapter": cfg.mode == "lora", "examples": len(rows),
            "resumed_from_step": start.step,
            "steps": trainer.state.global_step, "first_loss": losses[0] if losses else None,
            "last_loss": losses[-1] if losses else None}, indent=2))
    del trainer
    release_memory()                          # the next stage loads another model: free this one now


def _start_step_callback(name: str):
    """A callback that keeps (and says) the step training starts from: past 0 when it resumed."""
    from transformers import TrainerCallback

    class StartStep(TrainerCallback):
        step = 0

        def on_train_begin(self, args, state, control, **kwargs):
            self.step = state.global_step
            if self.step:
                print(f"[{name or 'train'}] resumed at step {self.step} of {state.max_steps}", flush=True)

    return StartStep()


def _add_kill_points(trainer, name: str) -> None:
    """``train.step`` after each optimizer step; ``train.checkpoint`` inside a checkpoint's write, after
    its weights and before its optimizer and trainer state (the test of :mod:`alice_eval.faults`)."""
    from transformers import TrainerCallback

    class KillPoints(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            faults.point("train.step", name)

    trainer.add_callback(KillPoints())
    save_rest = trainer._save_optimizer_and_scheduler

    def save_rest_after_the_weights(*args, **kwargs):
        faults.point("train.checkpoint", name)
        return save_rest(*args, **kwargs)

    trainer._save_optimizer_and_scheduler = save_rest_after_the_weights


def model_args(folder: Path) -> tuple[str, str | None]:
    """(pretrained, peft adapter or None) for loading a trained model folder."""
    info = json.loads((Path(folder) / MODEL_INFO).read_text())
    return (info["base"], str(folder)) if info["adapter"] else (str(folder), None)


def merge(folder: Path, out_dir: Path, name: str = "") -> None:
    """Write a plain model: the adapter merged into its base (full fine-tunes are copied as they are);
    ``name``: the stage's, for its kill point."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    base, adapter = model_args(folder)
    model = AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32, trust_remote_code=runtime.remote_code())
    if adapter:
        model = PeftModel.from_pretrained(model, adapter).merge_and_unload()
    model.save_pretrained(str(out_dir))
    faults.point("merge.saved", name)
    AutoTokenizer.from_pretrained(str(folder), trust_remote_code=runtime.remote_code()).save_pretrained(str(out_dir))
    (out_dir / MODEL_INFO).write_text(json.dumps({"base": None, "adapter": False, "merged_from": str(folder)}))


if __name__ == "__main__":     # the child side of `launch`: python -m alice_eval.trainer.sft JOB.json
    import sys

    job = json.loads(Path(sys.argv[1]).read_text())
    runtime.allow_remote_code(job.get("remote_code", False))
    train_here(job["base"], job["rows"], Path(job["out"]), Path(job["work"]), TrainConfig(**job["train"]),
               job["seed"])
