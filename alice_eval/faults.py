"""Kill points: named places where a run can be SIGKILLed on purpose, to prove that a killed run loses
no finished work (``tests/test_kill_points.py``).

``ALICE_KILL_AT=<point>@<where>#<k>`` kills this process, with no cleanup, the k-th time (default: the
first) the code passes ``point(<point>, <where>)``; ``@<where>`` may be left out to match any place.
Unset, :func:`point` is one dictionary lookup. The points, in the order a stage passes them:

=====================  ===================================================================
``chunk.computed``     a chunk of records generated, not yet written (mid-chunk)
``chunk.written``      a chunk file written, the next not started (between chunks)
``stage.output``       a stage's output written, its ``done.json`` not yet
``stage.done``         ``done.json`` written, the manifest not yet updated
``artifact.output``    a model or evaluation complete in its scratch folder, not yet moved in
``reuse.copied``       another seed's finished stage linked into a scratch folder, not yet moved in
``file.tmp``           a file's new contents written beside it, not yet renamed over it
``train.step``         an optimizer step finished (``<where>#k``: the k-th step of that stage)
``train.checkpoint``   a checkpoint's weights written, its optimizer and trainer state not yet
``train.saved``        the trained model written, its ``alice_model.json`` not yet
``eval.answered``      a batch of evaluation answers generated, not yet scored
``merge.saved``        merged weights written, the tokenizer and ``alice_model.json`` not yet
``results.copy``       a method's evaluation done, ``results/<method>.json`` not yet written
=====================  ===================================================================

``<where>`` is the stage name (``teacher/sample``), or the file name for ``file.tmp``.
"""

from __future__ import annotations

import os
import signal

_passes: dict[tuple[str, str], int] = {}


def armed() -> bool:
    """Whether a kill point is asked for (code that must wrap a library to place a point checks it)."""
    return bool(os.environ.get("ALICE_KILL_AT"))


def point(name: str, where: str = "") -> None:
    """SIGKILL this process here if ``ALICE_KILL_AT`` names this point (see the module doc)."""
    wanted = os.environ.get("ALICE_KILL_AT")
    if not wanted:
        return
    spec, _, nth = wanted.partition("#")
    want_name, _, want_where = spec.partition("@")
    if want_name != name or (want_where and want_where != where):
        return
    _passes[(name, where)] = seen = _passes.get((name, where), 0) + 1
    if seen == int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)
