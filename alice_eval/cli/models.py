"""`alice-train models`: list the offline model zoo and prepare its models."""

from __future__ import annotations

import json
import time

import click

from alice_eval import zoo


def _rows() -> list[dict]:
    rows = []
    for m in zoo.ZOO.values():
        rows.append({"name": m.name, "kind": "llm", "hf_id": m.hf_id, "installed": zoo.is_installed(m),
                     "ready": zoo.is_ready(m), "path": str(zoo.model_dir(m)),
                     "install": m.install_command})
    for e in zoo.EMBEDDERS.values():
        try:
            path, installed = zoo.embedder_path(e.name), True
        except zoo.MissingModelPackage:
            path, installed = "-", False
        rows.append({"name": e.name, "kind": "embedder", "hf_id": e.hf_id, "installed": installed,
                     "ready": installed, "path": path, "install": e.install_command})
    return rows


@click.group("models")
def models() -> None:
    """The offline model zoo: small real models that ship as pip packages.

    A zoo name works wherever a model is expected (recipes, --model); the first use prepares it once
    (assemble the packaged GGUF, check its sha256, save a bf16 Hugging Face folder in the cache:
    $ALICE_CACHE_DIR or ~/.cache/alice-w2s).
    """


@models.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the table as JSON.")
def list_models(as_json: bool) -> None:
    """Show zoo models: installed? prepared? where?"""
    rows = _rows()
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    yn = {True: "yes", False: "no"}
    table = [("NAME", "KIND", "HF ID", "INSTALLED", "READY", "PATH")]
    table += [(r["name"], r["kind"], r["hf_id"], yn[r["installed"]], yn[r["ready"]], r["path"])
              for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]) - 1)]
    for row in table:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths)) + "  " + row[-1])
    missing = [r for r in rows if not r["installed"]]
    for r in missing:
        click.echo(f"to install {r['name']}: {r['install']}", err=True)


@models.command("prepare")
@click.argument("names", nargs=-1, required=True, type=click.Choice(list(zoo.ZOO)))
@click.option("--force", is_flag=True, help="Rebuild even if the folder is ready.")
def prepare_models(names: tuple[str, ...], force: bool) -> None:
    """Prepare zoo models now (else it happens on first use) and print each folder."""
    for name in names:
        t0 = time.time()
        try:
            path = zoo.prepare(name, force=force)
        except (zoo.MissingModelPackage, zoo.ChecksumMismatch) as e:
            raise click.ClickException(str(e)) from e
        click.echo(f"{name}: ready in {time.time() - t0:.1f} s", err=True)
        click.echo(str(path))
