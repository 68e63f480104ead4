"""`alice-train bench`: measured speed and memory of the CPU path against the baselines it replaced."""

from __future__ import annotations

import json
from pathlib import Path

import click

from alice_eval import bench as benchmark
from alice_eval.bench_engines import ENGINES


@click.command("bench")
@click.option("--model", default="smollm2-135m-instruct", help="A zoo name, a model folder or a Hugging Face id.")
@click.option("--batch", default=64, type=click.IntRange(1), help="Sequences per generate call.")
@click.option("--steps", default=48, type=click.IntRange(1), help="New tokens per sequence (fixed).")
@click.option("--case", "cases", multiple=True, type=click.Choice(list(benchmark.CASES)),
              help="Only these cases (repeatable; default: all).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the table here (.md) and its figures beside it (.json).")
@click.option("--engines", "engine_models", multiple=True, metavar="MODEL",
              help="Instead: compare the generation engines (stock transformers, the hf loop over "
                   "transformers' forward and over the lean one, vLLM eager and compiled) on these models "
                   "(repeatable), for sampling and for evaluation.")
@click.option("--engine", "engine_names", multiple=True, type=click.Choice(ENGINES),
              help="With --engines: only these engines (repeatable; default: all).")
@click.option("--rounds", default=2, show_default=True, type=click.IntRange(min=1),
              help="With --engines: runs per engine, in alternating order; each keeps its fastest.")
def bench(model: str, batch: int, steps: int, cases: tuple[str, ...], out: Path | None,
          engine_models: tuple[str, ...], engine_names: tuple[str, ...], rounds: int) -> None:
    """Time each CPU speed-up against its baseline, one fresh process per measurement.

    \b
    sampling  transformers' temperature + top-p warpers  vs  SamplingWarper (no vocabulary sort)
    lora      PEFT's unmerged LoRA layers                 vs  the adapter merged into the weights
    weights   merged weights frozen, as PEFT leaves them  vs  unfrozen
    release   gc only after each of 3 models              vs  gc + malloc_trim (RSS left afterwards)
    """
    from alice_eval.zoo import resolve

    try:
        for name in engine_models or (model,):
            resolve(name)
    except FileNotFoundError as err:
        raise click.BadParameter(str(err), param_hint="--engines" if engine_models else "--model") from None
    if engine_models:
        _engines(engine_models, engine_names or ENGINES, rounds, out)
        return
    path = resolve(model)
    rows = benchmark.run(path, batch, steps, cases or tuple(benchmark.CASES),
                         progress=lambda msg: click.echo(f"measuring {msg} ...", err=True))
    table = benchmark.render(rows)
    click.echo(f"{model}, batch {batch}, {steps} new tokens per sequence\n{table}")
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.with_suffix(".md").write_text(f"`alice-train bench --model {model} --batch {batch} --steps {steps}`\n\n"
                                          f"{table}\n")
        out.with_suffix(".json").write_text(json.dumps({"model": model, "batch": batch, "steps": steps,
                                                        "rows": benchmark.as_dicts(rows)}, indent=2))
        click.echo(f"wrote {out.with_suffix('.md')} and {out.with_suffix('.json')}", err=True)


def _engines(names: tuple[str, ...], engines: tuple[str, ...], rounds: int, out: Path | None) -> None:
    from alice_eval import bench_engines
    from alice_eval.zoo import resolve

    rows, bounds = bench_engines.run({name: resolve(name) for name in names}, engines=engines, rounds=rounds,
                                     progress=lambda msg: click.echo(f"measuring {msg} ...", err=True))
    table = bench_engines.render(rows, bounds)
    click.echo(table)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.with_suffix(".md").write_text(f"`alice-train bench --engines {' --engines '.join(names)} --rounds {rounds}`"
                                          f"\n\n{table}\n")
        out.with_suffix(".json").write_text(json.dumps({"models": names, "bounds": bounds,
                                                        "workloads": bench_engines.WORKLOADS, "rounds": rounds,
                                                        "rows": bench_engines.as_dicts(rows)}, indent=2))
        click.echo(f"wrote {out.with_suffix('.md')} and {out.with_suffix('.json')}", err=True)
