"""Giving a finished stage's memory back to the operating system.

A run loads and frees one model after another in one process. Python frees the tensors, but glibc's
malloc keeps the freed pages for reuse, fragmented across arenas: in the demo the process grew past
24 GB and was OOM-killed on a 24 GB machine although no model outlived its stage. ``malloc_trim``
hands the free pages back.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from functools import lru_cache


@lru_cache(maxsize=1)
def _libc():
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None   # glibc only


def release_memory() -> None:
    """Collect reference cycles (the harness's and the trainer's models sit in some), then trim."""
    gc.collect()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
