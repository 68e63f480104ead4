"""`alice-train`: one Click group; each subcommand lives in its own module beside this one."""

from __future__ import annotations

import click

from alice_eval import __version__


class BadInput(click.ClickException):
    """A usage error: one line naming the option, field or file, exit code 2, nothing on disk changed."""

    exit_code = 2


class _Group(click.Group):
    """Every error is one line (exit 2: bad input; 1: failed work); a traceback only with ``--debug``."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.UsageError as err:            # click would print the usage lines around it
            raise BadInput(err.format_message()) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt, SystemExit):
            raise
        except Exception as err:  # noqa: BLE001 -- anything unexpected becomes one line
            if ctx.params.get("debug"):
                raise
            first = (str(err).splitlines() or [""])[0]
            raise click.ClickException(f"{type(err).__name__}: {first} (rerun with --debug for the traceback)") from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "show_default": True})
@click.version_option(__version__, prog_name="alice-train")
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
def main(debug: bool) -> None:
    """Alice and cascade Alice for weak-to-strong generalization.

    \b
    Typical use:
      alice-train demo                          # the whole idea, offline, on a CPU
      alice-train run RECIPE.yaml               # a recipe end to end
      alice-train eval --model PATH --tasks 'alice_synth_*'
      alice-train leaderboard runs/             # PGR table, CSV and plot in results/
      alice-train bench                         # CPU speed-ups against their baselines
    """


def _register() -> None:
    from alice_eval.cli import eval as eval_cmd
    from alice_eval.cli import bench, check, leaderboard, models, run

    for command in (eval_cmd.eval_command, eval_cmd.tasks_path, eval_cmd.tasks, models.models, leaderboard.leaderboard,
                    run.run, run.status, run.demo, bench.bench, check.check_gsm8k):
        main.add_command(command)


_register()
