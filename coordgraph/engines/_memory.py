"""Allocator settings for runs that churn through large temporary arrays.

Why: the out-of-core engine allocates and frees arrays of tens to hundreds of MB many times
a second. Two Linux defaults then cost more than the arithmetic (measured on the 1M-share
dense bench, 2-core VM: network phase 2.5-4.1 s with the defaults, 1.6-1.8 s without):

- glibc serves every block over 32 MB with a fresh ``mmap`` and returns it with ``munmap``
  on free, so each temporary is page-faulted in (and zeroed by the kernel) again;
- numpy asks for transparent huge pages on large arrays (``madvise``), and with the common
  ``defrag=madvise`` setting the kernel may compact memory synchronously inside that page
  fault: stalls of a tenth of a second on an array of 56 MB were seen, and the whole 1M-share
  run spent 3.4-5.1 s in the kernel with the advice against 1.2 s without it.

:func:`large_array_allocation` keeps freed blocks in the heap for reuse, turns numpy's
huge-page advice off and lets Arrow allocate from the same heap (its default mimalloc pool
would keep its freed pages to itself, so numpy could not reuse them) for the duration of a
run, then gives the memory back (``malloc_trim``) and restores all three. The glibc
settings apply only where glibc is the C library.
"""
from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
from typing import Iterator

import numpy as np
import pyarrow as pa

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_GLIBC_DEFAULT = 128 * 1024  # bytes: glibc's initial trim and mmap thresholds


def _libc():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt  # noqa: B018 - glibc only
        libc.malloc_trim  # noqa: B018
        return libc
    except (OSError, AttributeError):
        return None


def _set_hugepage_advice(enabled: bool) -> bool | None:
    """numpy's huge-page advice on large arrays; returns the previous setting (None: unknown)."""
    for module in ("_core", "core"):
        setter = getattr(getattr(np, module, None), "multiarray", None)
        setter = getattr(setter, "_set_madvise_hugepage", None)
        if setter is not None:
            return bool(setter(enabled))
    return None


@contextlib.contextmanager
def large_array_allocation() -> Iterator[None]:
    """Within the block, reuse freed heap memory and skip huge-page advice (see module doc)."""
    libc = _libc()
    if libc is not None:
        libc.mallopt(_M_MMAP_THRESHOLD, ctypes.c_int(2**31 - 1))
        libc.mallopt(_M_TRIM_THRESHOLD, ctypes.c_int(2**31 - 1))
    previous = _set_hugepage_advice(False)
    pool = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        yield
    finally:
        pa.set_memory_pool(pool)
        if previous is not None:
            _set_hugepage_advice(previous)
        if libc is not None:
            libc.mallopt(_M_MMAP_THRESHOLD, ctypes.c_int(_GLIBC_DEFAULT))
            libc.mallopt(_M_TRIM_THRESHOLD, ctypes.c_int(_GLIBC_DEFAULT))
            libc.malloc_trim(0)
