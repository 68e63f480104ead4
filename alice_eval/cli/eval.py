"""`alice-train eval` and `alice-train tasks-path`: the alice_* lm-eval tasks, with and without us."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click


def _kv(option: str, text: str | None) -> dict:
    """lm-eval style ``k=v,k=v`` (values typed: ``8`` is an int, ``false`` a bool)."""
    if not text:
        return {}
    from lm_eval.utils import simple_parse_args_string

    for part in text.split(","):
        if part.strip() and "=" not in part:
            raise click.BadParameter(f"expected k=v pairs separated by commas, got {part.strip()!r}",
                                     param_hint=option)
    try:
        return simple_parse_args_string(text)
    except Exception as err:  # noqa: BLE001 -- any parse failure is a bad value of this option
        raise click.BadParameter(f"cannot parse {text!r}: {err}", param_hint=option) from None


def _limit(text: str | None) -> int | float | None:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        raise click.BadParameter(f"expected a number of documents or a fraction below 1, got {text!r}",
                                 param_hint="--limit") from None
    if not value > 0 or value == float("inf"):          # also refuses nan
        raise click.BadParameter(f"must be a positive number, got {text!r}", param_hint="--limit")
    return value if value < 1 else int(value)


def _batch_size(text: str) -> int | str:
    if text == "auto" or text.startswith("auto:"):
        return text
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise click.BadParameter(f"expected a positive integer or 'auto', got {text!r}",
                                 param_hint="--batch-size")
    return value


ENGINES = ("hf", "vllm", "lm-eval")
ENGINE_ARGS = ("peft", "dtype", "trust_remote_code")     # the --model-args the hf and vllm engines read


def _engine(engine: str, model: str, args: dict, batch_size: int | str, device: str | None):
    """The loaded generator that answers for ``--engine hf|vllm`` (lm-eval's requests go through it)."""
    from alice_eval import evaluation
    from alice_eval.generation import load_generator

    other = sorted(set(args) - set(ENGINE_ARGS))
    if other:
        raise click.BadParameter(f"{', '.join(other)} {'is' if len(other) == 1 else 'are'} read by lm-eval's "
                                 f"HF model only: add --engine lm-eval, or keep to {', '.join(ENGINE_ARGS)}",
                                 param_hint="--model-args")
    options: dict = {"dtype": str(args.get("dtype", "auto"))}
    if args.get("peft"):
        options["adapter"] = evaluation.resolve_model(str(args["peft"]))
    if engine == "hf":
        options.update(batch_size=batch_size if isinstance(batch_size, int) else 64, device=device)
    return load_generator(evaluation.resolve_model(model), engine, **options)


@click.command("tasks-path")
def tasks_path() -> None:
    """Print the folder of the alice_* task YAMLs (for lm_eval --include_path)."""
    from alice_eval.evaluation import tasks_dir

    click.echo(str(tasks_dir()))


@click.group("tasks")
def tasks() -> None:
    """Make stock lm_eval find the alice_* tasks with no flag (install), or stop (uninstall).

    \b
    lm-eval 0.4.13 reads no task plugins; it indexes its own lm_eval/tasks/ folder. `install` adds
    lm_eval/tasks/alice_w2s/ there: links to this package's task files and a marker file. Then:
      lm_eval --tasks 'alice_*' --model hf --model_args pretrained=MODEL --apply_chat_template
    """


def _report(action: str) -> None:
    """Run ``task_install.<action>()`` and echo its lines; its refusal is one line."""
    from alice_eval import task_install

    try:
        for line in getattr(task_install, action)():
            click.echo(line)
    except task_install.TaskInstallError as err:
        raise click.ClickException(str(err)) from None


@tasks.command("install")
def tasks_install() -> None:
    """Link the alice_* tasks into lm-eval's task folder (idempotent)."""
    _report("install")


@tasks.command("uninstall")
def tasks_uninstall() -> None:
    """Remove the folder `install` made (nothing else)."""
    _report("uninstall")


@tasks.command("status")
def tasks_status() -> None:
    """Say whether lm-eval finds the alice_* tasks without --include_path."""
    from alice_eval import task_install

    state = "installed" if task_install.installed() else "not installed (or stale): run `alice-train tasks install`"
    click.echo(f"{task_install.target()}: {state}")


@tasks.command("path")
def tasks_path_command() -> None:
    """Print the folder of the alice_* task YAMLs (for lm_eval --include_path)."""
    from alice_eval.evaluation import tasks_dir

    click.echo(str(tasks_dir()))


@click.command("eval")
@click.option("--model", required=True,
              help="Offline-zoo name (see `alice-train models`), local model folder, or HF hub id.")
@click.option("--model-args", default=None, metavar="K=V,...",
              help="Model arguments, lm-eval style, e.g. 'peft=ADAPTER_DIR,dtype=float32' (any HFLM "
                   "argument with --engine lm-eval).")
@click.option("--tasks", default="alice-synth", show_default=True, metavar="NAMES",
              help="Comma-separated task, group or tag names; shell wildcards allowed ('alice_synth_*').")
@click.option("--limit", default=None, metavar="N",
              help="Documents per task (an integer), or a fraction of each task below 1. For tests.")
@click.option("--batch-size", default="64", show_default=True,
              help="Generation batch size ('auto': lm-eval's search, with --engine lm-eval).")
@click.option("--output-path", type=click.Path(path_type=Path), default=None,
              help="Results JSON file (or a folder, which receives results.json).")
@click.option("--log-samples", is_flag=True,
              help="Also write every prompt and response as JSONL beside the results (needs --output-path).")
@click.option("--apply-chat-template/--no-apply-chat-template", default=True, show_default=True,
              help="Wrap each prompt in the model's chat template.")
@click.option("--gen-kwargs", default=None, metavar="K=V,...",
              help="Generation overrides, e.g. 'max_gen_toks=256'. Decoding is greedy by default.")
@click.option("--device", default=None, help="Torch device: cpu, cuda, cuda:1, ... (default: cuda if present).")
@click.option("--engine", type=click.Choice(ENGINES), default="hf", show_default=True,
              help="What answers: the project's hf decode loop (what runs use; 1.6-1.8x lm-eval's HF model "
                   "in `alice-train bench --engines`), vLLM, or lm-eval's own HF model (transformers' "
                   "generate, needed for HFLM-only --model-args).")
@click.option("--metadata", default=None, metavar="JSON",
              help='Task options as JSON, e.g. \'{"n": 50, "seed": 1}\' for the synthetic tasks, or '
                   '\'{"alice_data_dir": "DIR"}\' for local benchmark files.')
def eval_command(model, model_args, tasks, limit, batch_size, output_path, log_samples,
                 apply_chat_template, gen_kwargs, device, engine, metadata) -> None:
    """Evaluate a model on alice_* (or any lm-eval) tasks with lm-evaluation-harness.

    Zero-shot and greedy, scored exactly as the trainer scores: acc (an unparseable answer is wrong),
    acc_parsed (over parsed answers only, the paper's convention) and parse_rate.

    \b
    Examples:
      alice-train eval --model smollm2-135m-instruct --tasks alice-synth
      alice-train eval --model BASE --model-args peft=runs/x/adapter --tasks 'alice_synth_*' --limit 20

    A model whose repository ships its own code loads only with --model-args trust_remote_code=True.
    """
    from alice_eval import evaluation, runtime

    args = _kv("--model-args", model_args)
    runtime.allow_remote_code(args.get("trust_remote_code") is True)     # as lm-eval: off unless asked
    kwargs = _kv("--gen-kwargs", gen_kwargs)
    meta = None
    if metadata:
        try:
            meta = json.loads(metadata)
        except json.JSONDecodeError as err:
            raise click.BadParameter(f"not valid JSON: {err}", param_hint="--metadata") from None
        if not isinstance(meta, dict):
            raise click.BadParameter("expected a JSON object such as '{\"n\": 50}'", param_hint="--metadata")
    if log_samples and output_path is None:
        raise click.UsageError("--log-samples needs --output-path")
    n = _limit(limit)
    size = _batch_size(batch_size)
    if not evaluation.needs_builtin_tasks(tasks):      # cheap: check names before loading a model
        try:
            evaluation.expand_tasks(tasks)
        except evaluation.UnknownTaskError as err:
            raise click.BadParameter(str(err), param_hint="--tasks") from None
    from alice_eval.zoo import resolve

    try:
        resolve(model)
    except FileNotFoundError as err:
        raise click.BadParameter(str(err), param_hint="--model") from None

    generator = _engine(engine, model, args, size, device) if engine != "lm-eval" else None
    started = time.perf_counter()
    try:
        results = evaluation.evaluate(
            model, tasks, output_path=output_path, model_args=args, limit=n, batch_size=size,
            gen_kwargs=kwargs or None, log_samples=log_samples, apply_chat_template=apply_chat_template,
            device=device, metadata=meta, engine=generator,
        )
    except evaluation.UnknownTaskError as err:
        raise click.BadParameter(str(err), param_hint="--tasks") from None
    finally:
        if generator is not None:
            generator.close()
    if not results:
        return
    from lm_eval.utils import make_table

    for line in results.get("alice_left_out") or []:
        click.echo(line, err=True)
    click.echo(make_table(results))
    if "groups" in results:
        click.echo(make_table(results, "groups"))
    click.echo(f"{time.perf_counter() - started:.0f} s", err=True)
    if output_path is not None:
        click.echo(f"results: {evaluation.results_file(output_path)}", err=True)
