"""`alice-train bench`: measured speed and memory of the CPU path against the baselines it replaced."""

from __future__ import annotations

import json
from pathlib import Path

import click

from alice_eval import bench as benchmark


@click.command("bench")
@click.option("--model", default="smollm2-135m-instruct", help="A zoo name, a model folder or a Hugging Face id.")
@click.option("--batch", default=64, type=click.IntRange(1), help="Sequences per generate call.")
@click.option("--steps", default=48, type=click.IntRange(1), help="New tokens per sequence (fixed).")
@click.option("--case", "cases", multiple=True, type=click.Choice(list(benchmark.CASES)),
              help="Only these cases (repeatable; default: all).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the table here (.md) and its figures beside it (.json).")
def bench(model: str, batch: int, steps: int, cases: tuple[str, ...], out: Path | None) -> None:
    """Time each CPU speed-up against its baseline, one fresh process per measurement.

    \b
    sampling  transformers' temperature + top-p warpers  vs  SamplingWarper (no vocabulary sort)
    lora      PEFT's unmerged LoRA layers                 vs  the adapter merged into the weights
    weights   merged weights frozen, as PEFT leaves them  vs  unfrozen
    release   gc only after each of 3 models              vs  gc + malloc_trim (RSS left afterwards)
    """
    from alice_eval.models import resolve

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
