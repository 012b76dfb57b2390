"""Arrow <-> numpy moves that do not import pandas.

Why: pyarrow imports pandas (~0.2 s, a third of a 1M-share run) the first time an array goes
to numpy with ``to_numpy()``/``np.asarray`` or comes from numpy with ``pa.array``; the
out-of-core engine needs neither pandas nor a copy. These helpers work on the buffers
directly: a fixed-width array without nulls is a numpy view of its data buffer, and a
numpy array is wrapped as an Arrow array over the same memory.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa


def _numpy_dtype(type_: pa.DataType) -> np.dtype:
    """The numpy dtype of a fixed-width integer or floating Arrow type."""
    if pa.types.is_signed_integer(type_):
        return np.dtype(f"int{type_.bit_width}")
    if pa.types.is_unsigned_integer(type_):
        return np.dtype(f"uint{type_.bit_width}")
    if pa.types.is_floating(type_) and type_.bit_width in (32, 64):
        return np.dtype(f"float{type_.bit_width}")
    raise TypeError(f"no zero-copy numpy view of Arrow type {type_}")


def to_numpy(values: pa.Array | pa.ChunkedArray, null_value: int | float | None = None) -> np.ndarray:
    """An integer or floating Arrow array as numpy: a read-only view of its buffer (one
    chunk without nulls) or a new array. Nulls become ``null_value`` (an error when None)."""
    if isinstance(values, pa.ChunkedArray):
        if values.num_chunks == 1:
            return to_numpy(values.chunk(0), null_value)
        if values.num_chunks == 0:
            return np.zeros(0, dtype=_numpy_dtype(values.type))
        return np.concatenate([to_numpy(c, null_value) for c in values.chunks])
    dtype = _numpy_dtype(values.type)
    if len(values) == 0:
        return np.zeros(0, dtype=dtype)
    data = np.frombuffer(values.buffers()[1], dtype=dtype, count=len(values), offset=values.offset * dtype.itemsize)
    if not values.null_count:
        return data
    if null_value is None:
        raise ValueError("to_numpy: the array holds nulls and no null_value was given")
    bits = np.unpackbits(np.frombuffer(values.buffers()[0], dtype=np.uint8), bitorder="little")
    valid = bits[values.offset:values.offset + len(values)].view(bool)
    return np.where(valid, data, null_value).astype(dtype, copy=False)


def from_numpy(values: np.ndarray) -> pa.Array:
    """A 1-D integer or floating numpy array as an Arrow array over the same memory (the
    Arrow array keeps it alive)."""
    values = np.ascontiguousarray(values)
    if values.ndim != 1 or values.dtype.kind not in "iuf":
        raise TypeError(f"from_numpy: a 1-D integer or floating array is needed, got {values.dtype} {values.shape}")
    return pa.Array.from_buffers(pa.from_numpy_dtype(values.dtype), len(values), [None, pa.py_buffer(values)])


def empty_strings(n: int, type_: pa.DataType = pa.string()) -> pa.Array:
    """``n`` empty strings of a string or large_string type."""
    offsets = np.zeros(n + 1, dtype=np.int64 if pa.types.is_large_string(type_) else np.int32)
    return pa.Array.from_buffers(type_, n, [None, pa.py_buffer(offsets), pa.py_buffer(b"")])
