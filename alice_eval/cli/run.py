"""`alice-train run`, `status` and `demo`: recipes end to end, resumable."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import click

from alice_eval.cli import BadInput

DEMO_RECIPES = {False: "demo", True: "demo-full"}


def _methods(value: str | None) -> list[str] | None:
    if value is None:
        return None
    names = [m.strip() for m in value.split(",") if m.strip()]
    if not names:
        raise BadInput(f"--methods: {value!r} names no method; give e.g. --methods weak,alice")
    return names


def _run_dir(run_dir: str | None, name: str) -> Path:
    """The run directory: ``runs/<name>``, or ``--run-dir`` normalized (``a/../b`` is ``b``). An existing
    folder must be a run directory, so that a run never deletes stage folders in some other folder."""
    import os

    from alice_eval.trainer.runner import is_run_dir

    folder = Path(os.path.normpath(run_dir)) if run_dir else Path("runs") / name
    if folder.exists() and (not folder.is_dir() or (any(folder.iterdir()) and not is_run_dir(folder))):
        raise BadInput(f"--run-dir {folder}: exists and is not a run directory (no manifest.json); "
                       "give a new or empty folder")
    return folder


def _execute(recipe_path: str, overrides: tuple[str, ...], run_dir: str | None, methods: str | None,
             stop_after: str | None, results_dir: str = "results") -> Path:
    from alice_eval.trainer.config import RecipeError, load_recipe
    from alice_eval.trainer.pipeline import run_recipe, validate
    from alice_eval.trainer.runner import RunDirBusy, StopRun, run_lock

    # everything is checked before anything is written
    chosen = _methods(methods)
    try:
        recipe = load_recipe(recipe_path, list(overrides))
        validate(recipe, chosen, stop_after)
    except (RecipeError, ValueError, FileNotFoundError) as err:
        raise BadInput(str(err).splitlines()[0]) from None
    folder = _run_dir(run_dir, recipe.name)
    started = time.time()
    try:
        with run_lock(folder):
            click.echo(f"run {recipe.name!r} in {folder} (methods: {', '.join(chosen or recipe.methods)})")
            # stage times of the run kept in results/runs/<name>, if any, make the time estimate
            results = run_recipe(recipe, folder, chosen, stop_after,
                                 reference=Path(results_dir) / "runs" / folder.name / "manifest.json")
    except StopRun as stop:
        click.echo(f"stopped after {stop.args[0]} as asked; run the same command without --stop-after to go on")
        return folder
    except RunDirBusy as err:
        raise BadInput(str(err)) from None
    except (ValueError, FileNotFoundError, RuntimeError) as err:
        raise click.ClickException(str(err).splitlines()[0]) from None
    _print_summary(results)
    from alice_eval import compare

    for line in compare.gates([folder / "results"]):
        click.secho(line, fg="red", err=True)
    click.echo(f"done in {time.time() - started:.0f} s; results in {folder / 'results'}")
    return folder


def _print_summary(results: dict[str, dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    tasks = sorted({t for res in results.values() for t in res["results"]})
    table = Table(title="accuracy (acc, unparsed = wrong)")
    table.add_column("method")
    for t in tasks:
        table.add_column(t, justify="right")
    for method, res in results.items():
        cells = []
        for t in tasks:
            value = res["results"].get(t, {}).get("acc,none")
            cells.append("—" if value is None else f"{100 * value:.1f}")
        table.add_row(method, *cells)
    Console().print(table)


@click.command()
@click.argument("recipe", required=False)
@click.option("--methods", help="Comma-separated subset of the recipe's methods.")
@click.option("--seeds", metavar="S,S,...", help="Train each method once per seed (e.g. 0,1,2), in one run directory.")
@click.option("--stop-after", metavar="STAGE", help="Stop once a stage of this name (e.g. sample, sft) finishes.")
@click.option("--set", "overrides", multiple=True, metavar="FIELD=VALUE",
              help="Override a recipe field, e.g. --set sample.n=8 --set train.mode=lora.")
@click.option("--run-dir", type=click.Path(file_okay=False), help="Run directory (default: runs/<recipe name>).")
@click.option("--list", "list_recipes", is_flag=True, help="List the shipped recipes and exit.")
def run(recipe, methods, seeds, stop_after, overrides, run_dir, list_recipes):
    """Run RECIPE (a YAML file, or the name of a shipped recipe) end to end.

    Re-running the same command resumes: finished stages are reused, a killed stage continues at
    its first unfinished chunk or checkpoint, and a stage whose inputs or config changed is redone.
    """
    from alice_eval.trainer import recipes_dir

    if list_recipes or not recipe:
        for path in sorted(recipes_dir().glob("*.yaml")):
            click.echo(path.stem)
        if not list_recipes:
            raise click.UsageError("give a RECIPE (one of the names above, or a YAML file)")
        return
    if seeds is not None:
        overrides = (*overrides, f"seeds=[{seeds}]")
    _execute(recipe, overrides, run_dir, methods, stop_after)


@click.command()
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False))
def status(run_dir):
    """Show which stages of RUN_DIR are done, with their times and sizes, and its label quality and cost."""
    from alice_eval import compare

    folder = Path(run_dir)
    manifest = folder / "manifest.json"
    if not manifest.is_file():
        raise click.ClickException(f"{folder}: no manifest.json; is this a run directory?")
    info = _read_json(manifest)
    click.echo(f"recipe {info.get('recipe')}  started {info.get('started')}")
    for done in sorted(folder.glob("**/done.json")):
        stage = done.parent.relative_to(folder)
        d = _read_json(done)
        if "seconds" not in d:
            click.echo(f"  unreadable {stage} (its done.json will be redone by the next run)")
            continue
        size = f"  {d['inputs']} -> {d['outputs']} records" if "inputs" in d else ""
        click.echo(f"  done     {stage}  {d['seconds']:.1f} s{size}")
    for key in sorted(folder.glob("**/key")):
        if not (key.parent / "done.json").is_file():
            parts = len(list((key.parent / "parts").glob("*.jsonl")))
            click.echo(f"  partial  {key.parent.relative_to(folder)}  ({parts} chunks written)")
    click.echo(compare.run_report({folder.name: info}))


def _read_json(path: Path) -> dict:
    """A run file as a dict; a corrupt one is a one-line error naming it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise click.ClickException(f"{path}: not readable JSON ({str(err).splitlines()[0]}); "
                                   "delete it to have the next run redo that stage") from None
    if not isinstance(data, dict):
        raise click.ClickException(f"{path}: expected a JSON object")
    return data


@click.command()
@click.option("--full", is_flag=True, help="SmolLM2-135M -> Qwen2.5-Coder-1.5B, with cascade via the 0.5B (~1 h).")
@click.option("--set", "overrides", multiple=True, metavar="FIELD=VALUE", help="Override a recipe field.")
@click.option("--run-dir", type=click.Path(file_okay=False), help="Run directory (default: runs/<recipe name>).")
@click.option("--out", type=click.Path(file_okay=False), default="results", help="Where the leaderboard goes.")
def demo(full, overrides, run_dir, out):
    """Weak-to-strong on this machine: the shipped offline demo recipe, then the leaderboard.

    The default teaches Qwen2.5-Coder-0.5B with SmolLM2-135M (weak, strong, w2sg, alice) on the
    synthetic math, logic and knowledge tasks; it resumes like every run.
    """
    from alice_eval import compare, leaderboard

    folder = _execute(DEMO_RECIPES[full], overrides, run_dir, None, None, results_dir=out)
    keep = Path(out) / "runs" / folder.name          # what a leaderboard needs, without model weights
    keep.mkdir(parents=True, exist_ok=True)
    fresh = [folder / "manifest.json", *sorted((folder / "results").glob("*.json"))]
    for stale in set(p.name for p in keep.glob("*.json")) - {p.name for p in fresh}:
        (keep / stale).unlink()                      # an earlier layout's files would mix into the tables
    for path in fresh:
        shutil.copyfile(path, keep / path.name)
    rows = leaderboard.collect([keep])
    paths = leaderboard.write(rows, Path(out))
    click.echo(leaderboard.render_table(rows))
    comparisons = [c for c in compare.compare([keep]) if c.vs == "w2sg" or c.method == "w2sg"]
    runs = compare.manifests([keep])
    if comparisons:
        paths.update(compare.write(comparisons, Path(out), runs))
        click.echo("Paired verdicts (each method against w2sg, and w2sg against weak, on the same questions):")
        click.echo(compare.render(comparisons))
        click.echo("'not significant' = the 95% interval includes 0: this size cannot tell; the `study` "
                   "recipe is sized to decide.")
    click.echo(compare.run_report(runs))
    for line in compare.gates([keep]):
        click.secho(line, fg="red", err=True)
    click.echo("wrote " + ", ".join(str(p) for p in paths.values()))
