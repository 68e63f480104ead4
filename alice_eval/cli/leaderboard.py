"""`alice-train leaderboard`: gather lm-eval results JSON files into a PGR table, CSV and plot."""

from __future__ import annotations

from pathlib import Path

import click

DEFAULT_DIRS = ("runs", "results/runs")


@click.command("leaderboard")
@click.argument("run_dirs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("results"),
              show_default=True, help="Folder for leaderboard.md, leaderboard.csv and leaderboard.png.")
def leaderboard(run_dirs: tuple[Path, ...], out_dir: Path) -> None:
    """Build the leaderboard from lm-eval results JSON files found under RUN_DIRS.

    RUN_DIRS are run directories or single results files (searched recursively for *.json with a
    "results" dict; default: runs/ and results/runs/ where they exist). Within a run, PGR =
    (method - weak) / (strong - weak) per task; plain `lm_eval` results are listed without PGR.

    \b
    Example:
      alice-train leaderboard runs/ --out results
    """
    from alice_eval import leaderboard as lb

    if run_dirs:
        for path in run_dirs:
            if not path.exists():
                raise click.BadParameter(f"{path} does not exist", param_hint="RUN_DIRS")
    else:
        run_dirs = tuple(Path(d) for d in DEFAULT_DIRS if Path(d).exists())
        if not run_dirs:
            raise click.BadParameter("none given, and neither runs/ nor results/runs/ exists here",
                                     param_hint="RUN_DIRS")
    rows = lb.collect(list(run_dirs))
    if not rows:
        raise click.ClickException(
            f"no alice_* task results found under {', '.join(map(str, run_dirs))}")
    click.echo(lb.render_table(rows))
    from alice_eval import compare

    comparisons = compare.compare(list(run_dirs))
    if comparisons:
        click.echo(compare.render(comparisons))
    for line in compare.gates(list(run_dirs)):
        click.secho(line, fg="red", err=True)
    runs = compare.manifests(list(run_dirs))
    if runs:
        click.echo(compare.run_report(runs))
    written = compare.write(comparisons, out_dir, runs).values() if comparisons else []
    for path in [*lb.write(rows, out_dir).values(), *written]:
        click.echo(f"wrote {path}")
