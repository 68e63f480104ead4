"""`alice-train check-gsm8k`: alice_gsm8k's verdicts against lm-eval's own gsm8k filters."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("check-gsm8k")
@click.option("--model", "models", required=True, multiple=True,
              help="Zoo name, local folder or HF id; repeat for several models.")
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="First N questions of the test split (default: all 1,319).")
@click.option("--engine", type=click.Choice(["hf", "vllm", "lm-eval"]), default="hf", show_default=True,
              help="What answers: the project's hf decode loop, vLLM, or lm-eval's own HF model.")
@click.option("--batch-size", type=click.IntRange(min=1), default=32, show_default=True)
@click.option("--max-gen-toks", type=click.IntRange(min=1), default=384, show_default=True)
@click.option("--out", type=click.Path(path_type=Path), default=Path("results/gsm8k-check"), show_default=True,
              help="Folder for <model>.json (every answer and verdict) and README.md (the table).")
@click.option("--rescore", is_flag=True,
              help="Score the answers already stored in --out again with today's scorer (no model runs).")
def check_gsm8k(models, limit, engine, batch_size, max_gen_toks, out, rescore) -> None:
    """Score the same answers with alice_gsm8k and with lm-eval's gsm8k (strict-match, flexible-extract).

    Each model answers the packaged GSM8K test questions once (alice_gsm8k's prompt, greedy); both
    scorers then read those answers, and the questions where their verdicts differ are listed.
    """
    import json

    from alice_eval import gsm8k_check

    if rescore:
        for model in models:
            path = out / f"{Path(model).name}.json"
            if not path.is_file():
                raise click.ClickException(f"{path}: no stored answers to rescore; run without --rescore first")
            table = gsm8k_check.write(gsm8k_check.rescore(json.loads(path.read_text())), out)
        click.echo(table.read_text())
        return
    for model in models:
        report = gsm8k_check.check(model, limit, engine, batch_size, max_gen_toks)
        table = gsm8k_check.write(report, out)
        click.echo(f"{model}: {report['questions']} questions, acc {report['acc']:.3f}, acc_flexible "
                   f"{report['acc_flexible']:.3f}, strict-match {report['strict-match']:.3f}, flexible-extract "
                   f"{report['flexible-extract']:.3f}")
    click.echo(table.read_text())
