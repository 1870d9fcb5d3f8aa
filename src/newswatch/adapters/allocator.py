"""glibc's allocator set for a run's shape: many threads, pages of a few hundred KB.

A run holds pages in flight on a dozen threads. With glibc's defaults each thread that
allocates gets its own arena (up to 8 per core), and the mmap threshold rises after the
first large buffer is freed, so later page buffers land inside those arenas and their
freed space stays in the process. Two settings keep a run smaller (measured with
bench/bench_pipeline.py, peak RSS of the process tree of `newswatch run` over 543
pages: 1001 -> 934 MB, with no change in rate):

- MALLOC_ARENA_MAX=2: threads share two arenas (CPython holds the GIL while it
  allocates, so more arenas buy little);
- MALLOC_MMAP_THRESHOLD_=131072: buffers of 128 KB and more are always mmapped, and
  given back to the system when freed (the threshold no longer moves).

`tune_allocator` sets both as environment defaults, so that the processes a run starts
(the extraction pool, Prefect's temporary server) start with them, and applies them to
this process through `mallopt`. A value already in the environment wins. On a C library
that is not glibc (musl, macOS) nothing is done.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

ARENA_MAX = 2
MMAP_THRESHOLD = 128 * 1024
# mallopt parameters, from glibc's malloc.h
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8

DEFAULTS = {"MALLOC_ARENA_MAX": ARENA_MAX, "MALLOC_MMAP_THRESHOLD_": MMAP_THRESHOLD}
_PARAMETERS = {"MALLOC_ARENA_MAX": _M_ARENA_MAX, "MALLOC_MMAP_THRESHOLD_": _M_MMAP_THRESHOLD}


def _glibc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.gnu_get_libc_version  # noqa: B018 - only glibc has it
        libc.mallopt  # noqa: B018
    except (OSError, AttributeError):
        return None
    return libc


def tune_allocator() -> dict[str, int]:
    """Apply `DEFAULTS` to this process and its children-to-be, where the environment
    does not set them; return what was applied here (empty off glibc)."""
    libc = _glibc()
    if libc is None:
        return {}
    applied = {}
    for name, value in DEFAULTS.items():
        if name in os.environ:
            continue  # glibc read it when this process started; the children will too
        os.environ[name] = str(value)
        if libc.mallopt(_PARAMETERS[name], value) == 1:
            applied[name] = value
    return applied
