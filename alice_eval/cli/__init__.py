"""`alice-train`: one Click group; each subcommand lives in its own module beside this one."""

from __future__ import annotations

import click

from alice_eval import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"], "show_default": True})
@click.version_option(__version__, prog_name="alice-train")
def main() -> None:
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
