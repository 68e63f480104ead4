"""Make the installed lm-eval find the ``alice_*`` tasks with no flag: ``alice-train tasks install``.

lm-eval 0.4.13 reads no task plugins; it indexes the YAML files under its own ``lm_eval/tasks/`` folder
(recursively, not following a linked folder). So ``install`` creates one real folder there,
``lm_eval/tasks/alice_w2s/``, holding a link to each file of this package's task folder (YAMLs and
``hooks.py``: lm-eval resolves ``!function`` and ``include`` beside the YAML it read), plus a marker
file. ``uninstall`` removes that folder, and only when the marker says this project made it. Links, not
copies, so an editable checkout's edits and an upgrade are seen at once; reinstalling the package to
another place needs ``install`` again (``status`` says so).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

FOLDER = "alice_w2s"
MARKER = "INSTALLED_BY_ALICE_W2S"


class TaskInstallError(RuntimeError):
    """The lm-eval task folder cannot be changed as asked (not ours, not writable)."""


def lm_eval_tasks_dir() -> Path:
    import lm_eval.tasks

    return Path(lm_eval.tasks.__file__).parent


def target() -> Path:
    """Where ``install`` puts the links: ``<site-packages>/lm_eval/tasks/alice_w2s``."""
    return lm_eval_tasks_dir() / FOLDER


def _sources() -> list[Path]:
    from alice_eval.evaluation import tasks_dir

    root = tasks_dir()
    return sorted(p for p in root.iterdir() if p.suffix in (".yaml", ".py") and p.name != "__init__.py")


def installed() -> bool:
    """Whether lm-eval's folder holds this package's tasks, every link pointing at a file of this install."""
    folder = target()
    if not (folder / MARKER).is_file():
        return False
    return all((folder / src.name).is_symlink() and (folder / src.name).resolve() == src.resolve()
               for src in _sources())


def install() -> list[str]:
    """Create (or refresh) the linked folder; returns the lines to show the user."""
    folder = target()
    if folder.exists() and not (folder / MARKER).is_file():
        raise TaskInstallError(f"{folder}: exists and was not made by alice-train; move it away, then rerun")
    staging = folder.with_name(f".{FOLDER}.tmp-{os.getpid()}")
    try:
        staging.mkdir(parents=True)
        for src in _sources():
            (staging / src.name).symlink_to(src.resolve())
        (staging / MARKER).write_text("Made by `alice-train tasks install`; removed by "
                                      "`alice-train tasks uninstall`.\n")
        if folder.exists():
            shutil.rmtree(folder)
        staging.rename(folder)          # readers see the old folder or the whole new one
    except OSError as err:
        shutil.rmtree(staging, ignore_errors=True)
        raise TaskInstallError(f"{folder}: cannot write ({err.strerror or err}); run with a Python "
                               "environment you own") from None
    return [f"linked {len(_sources())} files of {_sources()[0].parent} into {folder}",
            "lm_eval now finds the tasks with no flag: lm_eval --tasks 'alice_*' ...; "
            "undo with `alice-train tasks uninstall`"]


def uninstall() -> list[str]:
    folder = target()
    if not folder.exists():
        return [f"nothing to remove: {folder} does not exist"]
    if not (folder / MARKER).is_file():
        raise TaskInstallError(f"{folder}: was not made by alice-train (no {MARKER}); left as it is")
    shutil.rmtree(folder)
    return [f"removed {folder}"]
