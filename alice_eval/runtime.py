"""Where and how things run, declared once: device, dtype, bf16, remote code, package versions, atomic
file writes.

The dtype policy: ``auto`` is bfloat16 on a GPU and on a CPU with native bf16 (AVX512-BF16 or AMX), and
float32 on other CPUs, where bf16 matmuls are emulated and several times slower.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

from alice_eval.faults import point

DTYPES = ("auto", "bfloat16", "float16", "float32")


# -- device and dtype ------------------------------------------------------------------------------

def on_gpu() -> bool:
    import torch

    return torch.cuda.is_available()


def device() -> str:
    """The default torch device: ``cuda`` when present, else ``cpu``."""
    return "cuda" if on_gpu() else "cpu"


@cache
def cpu_supports_bf16() -> bool:
    """bf16 matmuls are fast only where the CPU has native bf16 (AVX512-BF16 or AMX)."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def dtype_name(dtype: str = "auto", on: str | None = None) -> str:
    """``dtype`` with ``auto`` resolved for the device ``on`` (default: :func:`device`)."""
    if dtype not in DTYPES:
        raise ValueError(f"dtype: {dtype!r} is not one of {', '.join(DTYPES)}")
    if dtype != "auto":
        return dtype
    on = on or device()
    return "bfloat16" if not on.startswith("cpu") or cpu_supports_bf16() else "float32"


def torch_dtype(dtype: str = "auto", on: str | None = None):
    import torch

    return getattr(torch, dtype_name(dtype, on))


def train_in_bf16(requested: bool | None) -> bool:
    """Mixed-precision training: as the recipe says, else wherever bf16 is native."""
    return requested if requested is not None else (on_gpu() or cpu_supports_bf16())


# -- remote code ---------------------------------------------------------------------------------------
# A model repository may ship Python that transformers (and vLLM) run when it loads (``trust_remote_code``).
# It stays off unless the recipe's ``models.trust_remote_code`` (or ``alice-train eval
# --trust-remote-code``) says otherwise; every loader reads it here.

_remote_code = False


def allow_remote_code(allowed: bool) -> None:
    global _remote_code
    _remote_code = bool(allowed)


def remote_code() -> bool:
    """Whether loaders pass ``trust_remote_code=True``."""
    return _remote_code


# -- provenance ------------------------------------------------------------------------------------

CORE_PACKAGES = ("alice-w2s", "torch", "transformers", "trl", "peft", "lm-eval", "datasets", "accelerate")


def package_versions(*names: str) -> dict[str, str | None]:
    """Installed versions of ``names`` (default: the core packages); None where not installed."""
    from importlib.metadata import PackageNotFoundError, version

    out: dict[str, str | None] = {}
    for name in names or CORE_PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


# -- atomic writes: a reader sees the old file or the new one, never half of one ---------------------

TMP_GLOB = ".*.tmp"                        # what a write killed before its rename leaves behind


def atomic_write(path: Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then move it onto ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)                 # mkstemp makes 0600; results are meant to be shared
        point("file.tmp", path.name)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: Path, text: str) -> Path:
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_json(path: Path, obj, **dumps) -> Path:
    return atomic_write_text(path, json.dumps(obj, indent=2, ensure_ascii=False, **{"default": str, **dumps}) + "\n")


def write_jsonl(path: Path, records: list[dict]) -> Path:
    return atomic_write_text(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]
