"""The runner owns a run directory: caching, resume, atomic writes, timings, the manifest.

Stages never touch files. Three kinds:

- :meth:`Runner.records` maps input records to output records in chunks; each finished chunk is written
  atomically, so a killed run resumes at the first missing chunk;
- :meth:`Runner.table` computes a list of records in one call (the split, the labels);
- :meth:`Runner.artifact` (training, evaluation) writes into a scratch folder that the runner renames
  into place when it succeeds.

Each is done when ``done.json`` holds the fingerprint of its inputs and config; a different
fingerprint means the inputs or config changed, and the stage is recomputed from scratch.
:meth:`Runner.note` keeps a fact in the manifest (label counts, wall time).
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

from tqdm.auto import tqdm

from alice_eval.faults import point
from alice_eval.runtime import TMP_GLOB, atomic_write_text, read_jsonl, write_json, write_jsonl


def fingerprint(*parts) -> str:
    blob = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


NOTES = ("stages", "label_counts", "label_quality", "generated", "trained", "mechanism")   # kept across runs of a dir


class Runner:
    """``plan``: the stage names this run will pass through (for the remaining-time estimate), under
    each of ``parts`` (default: ``prefix`` alone); ``finished``: the stages done so far by this run's
    other parts (a set the parts share); ``reference``: stage seconds of an earlier run of the recipe,
    if any; ``prefix``: put before every stage name (``seed-1/``, ``synth_math/``: one part's stages in a
    shared run directory).

    A stage whose fingerprint matches a stage finished elsewhere in the run directory (another seed's,
    when the seed does not reach it) is not recomputed: its files are linked in."""

    def __init__(self, run_dir: Path, manifest: dict | None = None, stop_after: str | None = None,
                 plan: list[str] = (), reference: dict[str, float] | None = None, prefix: str = "",
                 parts: list[str] | None = None, finished: set[str] | None = None):
        self.run_dir = Path(run_dir)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        for tmp in self.run_dir.glob(f"**/{TMP_GLOB}"):     # left by a run killed mid-write (we hold the lock)
            tmp.unlink()
        for scratch in self.run_dir.glob("**/.*.reuse"):      # ... or mid-link (see _reuse)
            shutil.rmtree(scratch)
        self.prefix = prefix
        self.manifest = {**(manifest or {}), **{k: {} for k in NOTES}}
        old = self.run_dir / "manifest.json"
        if old.is_file():                          # keep timings and notes of stages finished earlier
            before = json.loads(old.read_text())
            self.manifest.update({k: before[k] for k in NOTES if isinstance(before.get(k), dict)})
        self.stop_after = stop_after
        self.stopping: str | None = None           # the stop_after stage, once done: the next stage stops the run
        self.plan = [part + p for part in (parts or [prefix]) for p in plan]
        self.reference = dict(reference or {})
        self.finished: set[str] = set() if finished is None else finished
        self.save_manifest()

    # -- bookkeeping ---------------------------------------------------------------------------------

    def _begin(self, name: str, key: str) -> tuple[Path, bool]:
        """The stage folder, and whether it is already done with this key. A ``stop_after`` stage that
        finished (or was found done) stops the run here, as the next stage begins: what the pipeline
        notes after a stage (label counts, the mechanism) is in the manifest by then."""
        if self.stopping:
            raise StopRun(self.stopping)
        folder = self.run_dir / name
        if _done_key(folder) == key:
            if name not in self.manifest["stages"]:     # killed between its done.json and the manifest
                self.manifest["stages"][name] = json.loads((folder / "done.json").read_text())
                self.save_manifest()
            self.finished.add(name)
            self._stop_here(name)
            return folder, True
        keyfile = folder / "key"
        if folder.exists() and (not keyfile.is_file() or keyfile.read_text() != key):
            shutil.rmtree(folder)                  # stale: inputs or config changed
        if self._reuse(name, key, folder):
            self._stop_here(name)
            return folder, True
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write_text(keyfile, key)
        return folder, False

    def _reuse(self, name: str, key: str, folder: Path) -> bool:
        """Link in a finished stage with the same fingerprint under another name, if there is one."""
        for other, info in self.manifest["stages"].items():
            source = self.run_dir / other
            if other == name or info.get("key") != key or _done_key(source) != key:
                continue
            scratch = folder.with_name(f".{folder.name}.reuse")
            shutil.rmtree(scratch, ignore_errors=True)
            shutil.copytree(source, scratch, copy_function=os.link, ignore=shutil.ignore_patterns("work", "parts"))
            point("reuse.copied", name)
            shutil.rmtree(folder, ignore_errors=True)
            os.replace(scratch, folder)
            self.manifest["stages"][name] = {**info, "reused_from": other}
            self.save_manifest()
            self.finished.add(name)
            tqdm.write(f"[{name}] the same as {other}: reused")
            return True
        return False

    def _finish(self, name: str, folder: Path, key: str, started: float, **info) -> None:
        seconds = round(time.time() - started, 2)
        # the process's peak memory so far: the stage where it jumps is the one that set the peak
        info["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        write_json(folder / "done.json", {"key": key, "seconds": seconds, **info})
        point("stage.done", name)
        self.manifest["stages"][name] = {"key": key, "seconds": seconds, **info}
        self.save_manifest()
        self.finished.add(name)
        tqdm.write(f"[{name}] done in {seconds:.0f} s{self.eta()}")
        self._stop_here(name)

    def _stop_here(self, name: str) -> None:
        if self.stop_after and name.rsplit("/", 1)[-1] == self.stop_after:
            self.stopping = name

    def save_manifest(self) -> None:
        write_json(self.run_dir / "manifest.json", self.manifest)

    def note(self, key: str, value, under: str | None = None) -> None:
        """Keep ``value`` in the manifest as ``key`` (or as ``manifest[under][<prefix>key]``), written at once."""
        if under:
            self.manifest.setdefault(under, {})[self.prefix + key] = value
        else:
            self.manifest[key] = value
        self.save_manifest()

    def eta(self) -> str:
        """Remaining time: a reference run's stage times scaled by this run's pace so far, or else the
        mean time of stages of the same kind (sample, sft, eval...) done so far."""
        todo = [n for n in self.plan if n not in self.finished]
        if not todo:
            return ""
        seconds = {n: self.manifest["stages"][n]["seconds"] for n in self.finished if n in self.manifest["stages"]}
        timed = [n for n in seconds if self.reference.get(n, 0) >= 5]       # short stages say little of pace
        pace = sum(seconds[n] for n in timed) / sum(self.reference[n] for n in timed) if timed else 1.0
        took: dict[str, list[float]] = {}
        for name, s in seconds.items():
            took.setdefault(name.rsplit("/", 1)[-1], []).append(s)
        mean_all = sum(seconds.values()) / max(1, len(seconds))
        remaining = sum(self.reference[n] * pace if n in self.reference
                        else _mean(took.get(n.rsplit("/", 1)[-1])) or mean_all for n in todo)
        return f"; about {remaining / 60:.0f} min left ({len(todo)} stages)"

    # -- the two kinds of stage ------------------------------------------------------------------------

    def records(self, name: str, fn: Callable[[list[dict], int], list[dict]], inputs: list[dict],
                config: dict, chunk_size: int = 64) -> tuple[list[dict], str]:
        """Run ``fn(chunk, chunk_index)`` over ``inputs`` in chunks; returns (outputs, fingerprint)."""
        name = self.prefix + name
        key = fingerprint(_kind(name), inputs, config, chunk_size)
        folder, done = self._begin(name, key)
        if done:
            outputs = _readable_jsonl(folder / "output.jsonl")
            if outputs is not None:
                return outputs, key
            (folder / "done.json").unlink()          # damaged output: the stage is redone
        started = time.time()
        parts = folder / "parts"
        chunks = [inputs[i:i + chunk_size] for i in range(0, len(inputs), chunk_size)]
        for part in parts.glob("*.jsonl") if parts.is_dir() else []:
            if _readable_jsonl(part) is None:         # a damaged chunk is computed again
                part.unlink()
        todo = [i for i in range(len(chunks)) if not (parts / f"{i:05d}.jsonl").is_file()]
        for i in tqdm(todo, desc=name, unit="chunk", initial=len(chunks) - len(todo), total=len(chunks)):
            out = fn(chunks[i], i)
            point("chunk.computed", name)
            write_jsonl(parts / f"{i:05d}.jsonl", out)
            point("chunk.written", name)
        outputs = [r for i in range(len(chunks)) for r in read_jsonl(parts / f"{i:05d}.jsonl")]
        write_jsonl(folder / "output.jsonl", outputs)
        point("stage.output", name)
        shutil.rmtree(parts, ignore_errors=True)
        self._finish(name, folder, key, started, inputs=len(inputs), outputs=len(outputs),
                     resumed_chunks=len(chunks) - len(todo))
        return outputs, key

    def table(self, name: str, make: Callable[[], list[dict]], config: dict) -> list[dict]:
        """Records computed in one call of ``make()`` from what ``config`` names (its inputs included)."""
        name = self.prefix + name
        key = fingerprint(_kind(name), config)
        folder, done = self._begin(name, key)
        if done and (outputs := _readable_jsonl(folder / "output.jsonl")) is not None:
            return outputs
        started = time.time()
        outputs = make()
        write_jsonl(folder / "output.jsonl", outputs)
        point("stage.output", name)
        self._finish(name, folder, key, started, outputs=len(outputs))
        return outputs

    def artifact(self, name: str, fn: Callable[[Path, Path], None], config: dict) -> tuple[Path, str]:
        """Run ``fn(out_dir, work_dir)``; ``out_dir`` appears only when ``fn`` returns.

        ``work_dir`` survives a kill (for checkpoints to resume from); ``out_dir`` is written to a
        scratch name first and renamed when complete. Returns (output folder, fingerprint).
        """
        name = self.prefix + name
        key = fingerprint(_kind(name), config)
        folder, done = self._begin(name, key)
        out = folder / "output"
        if done:
            return out, key
        started = time.time()
        scratch = folder / "output.partial"
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
        work = folder / "work"
        work.mkdir(exist_ok=True)
        fn(scratch, work)
        point("artifact.output", name)
        os.replace(scratch, out)
        shutil.rmtree(work, ignore_errors=True)
        self._finish(name, folder, key, started)
        return out, key


def _done_key(folder: Path) -> str | None:
    """The fingerprint a stage folder's ``done.json`` records; None when absent or unreadable."""
    try:
        return json.loads((folder / "done.json").read_text()).get("key")
    except (OSError, ValueError, AttributeError):
        return None


def _readable_jsonl(path: Path) -> list[dict] | None:
    """The records of a JSONL file, or None when it is missing or damaged (a truncated last line)."""
    try:
        return read_jsonl(path)
    except (OSError, ValueError):
        return None


class RunDirBusy(RuntimeError):
    """Another alice-train run holds the run directory."""


def is_run_dir(folder: Path) -> bool:
    """Whether ``folder`` is an alice-train run directory: it has a manifest, or a run took its lock
    there (a run killed before its first manifest write)."""
    return (folder / "manifest.json").is_file() or (folder / ".lock").is_file()


@contextmanager
def run_lock(run_dir: Path):
    """One run at a time per run directory. The lock is the OS's (``flock``): a killed run's lock is
    gone with its process, so it can never be left stuck."""
    from filelock import FileLock, Timeout

    run_dir.mkdir(parents=True, exist_ok=True)
    owner = run_dir / ".lock.pid"
    lock = FileLock(run_dir / ".lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        pid = owner.read_text().strip() if owner.is_file() else "?"
        raise RunDirBusy(f"{run_dir}: another alice-train run (pid {pid}) is using this run directory; "
                         "wait for it to finish or stop it") from None
    try:
        owner.write_text(f"{os.getpid()}\n")
        yield
    finally:
        owner.unlink(missing_ok=True)
        lock.release()


def _kind(name: str) -> str:
    """What a stage does (its last name part: sample, sft, eval...): part of its fingerprint, so that
    two stages share a fingerprint only when they do the same thing to the same inputs."""
    return name.rsplit("/", 1)[-1]


def _mean(values: list[float] | None) -> float | None:
    return sum(values) / len(values) if values else None


class StopRun(Exception):
    """Raised after the stage named by ``--stop-after`` finishes."""
