"""FalkorDB's bulk path for first loads: ``GRAPH.BULK`` binary batches into a new graph.

Why: MERGE batches (``UNWIND ... MERGE``) look every node up in an index and run the query
engine per row, about 2,500-20,000 SHARED/s on a loaded 2-core machine; ``GRAPH.BULK``
takes nodes and relationships already laid out in the store's binary form and creates them
without query processing. It only *creates* a graph (the key must not exist), so coordgraph
uses it for the first load into an empty graph and keeps MERGE for every later load.

The format is the one of the ``falkordb-bulk-loader`` package (docs.falkordb.com,
design/bulk-spec; package falkordb_bulk_loader/entity_file.py, label.py, relation_type.py)::

    GRAPH.BULK <graph> [BEGIN] <node count> <edge count> <label blobs> <type blobs> <blob>...
    blob     = name \\0, uint32 property count, property names \\0 each, then the entities
    node     = one value per property
    edge     = uint64 source node id, uint64 target node id, one value per property
    value    = uint8 type (0 null, 1 bool, 2 double, 3 string \\0-terminated, 4 int64, 5 array
               of int64 length + values), then the value (native byte order, no padding)

Node ids are the order of creation over the whole sequence of calls (0, 1, ...), so this
module numbers nodes itself. The package itself is not used: it reads CSV files only and
packs every field in Python per row with a CSV parse and a count pass first (written CSV +
parse: several times slower than encoding our tables directly); its connection,
``FalkorDB.from_url``, would accept a password in the URL (``redis://:PASSWORD@host:port``),
but here the calls go through the store's own authenticated connection.

A null value (type 0) leaves the property unset, as a MERGE path without it does.
"""
from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_Q = struct.Struct("=q")
_D = struct.Struct("=d")
_QQ = struct.Struct("=QQ")
_I = struct.Struct("=I")
NULL, BOOL, DOUBLE, STRING, LONG, ARRAY = 0, 1, 2, 3, 4, 5

#: Bytes of binary data per GRAPH.BULK call (the server accepts up to 512 MB per blob and
#: 1 GB per call; smaller calls keep the client's and the server's buffers small).
MAX_CALL_BYTES = 32 * 1024 * 1024


def encode_string(text: str) -> bytes:
    """A string value. A NUL character cannot be stored (strings end at NUL in the store,
    on the MERGE path too): it is replaced by U+FFFD."""
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    return b"\x03" + text.encode("utf-8", "surrogatepass") + b"\x00"


def encode_value(value) -> bytes:
    """One property value: None/NaN -> null, bool, int, float, str, list (of those)."""
    if value is None:
        return b"\x00"
    if isinstance(value, str):
        return encode_string(value)
    if isinstance(value, bool):
        return b"\x01" + (b"\x01" if value else b"\x00")
    if isinstance(value, int):
        return b"\x04" + _Q.pack(value)
    if isinstance(value, float):
        if math.isnan(value):
            return b"\x00"
        return b"\x02" + _D.pack(value)
    if isinstance(value, (list, tuple)):
        return b"\x05" + _Q.pack(len(value)) + b"".join(encode_value(v) for v in value)
    if hasattr(value, "item"):  # numpy scalar
        return encode_value(value.item())
    return encode_string(str(value))


# ------------------------------------------------------------------------------ columns
# Vectorised encoding (numpy/pyarrow): a table's entities are built column by column, each
# column as "segments" (the encoded value of each row, back to back), then the segments are
# interleaved row by row into one buffer. Per-row Python packing ran at ~90,000 SHARED/s of
# CPU alone on this machine; this is several times faster.

def _scatter(out: np.ndarray, dest: np.ndarray, data: np.ndarray, offsets: np.ndarray) -> None:
    """Copy row i's bytes ``data[offsets[i]:offsets[i+1]]`` to ``out[dest[i]:...]``."""
    lens = np.diff(offsets)
    total = int(offsets[-1] - offsets[0])
    if total == 0:
        return
    shift = np.repeat(dest - offsets[:-1], lens)
    src_idx = np.arange(offsets[0], offsets[-1], dtype=np.int64)
    out[src_idx + shift] = data[offsets[0]:offsets[-1]]


def _string_segments(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(segment lengths, segment bytes) of a string column: 0x03 text 0x00, null -> 0x00
    (joined by Arrow in C; a NUL inside a text becomes U+FFFD as in the MERGE path)."""
    arr = arr.cast(pa.large_string()) if not pa.types.is_large_string(arr.type) else arr
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    text = pc.replace_substring(arr, "\x00", "\ufffd").cast(pa.large_binary())
    joined = pc.binary_join_element_wise(pa.scalar(bytes([STRING]), pa.large_binary()), text,
                                         pa.scalar(b"\x00", pa.large_binary()), pa.scalar(b"", pa.large_binary()))
    if joined.null_count:
        joined = joined.fill_null(pa.scalar(bytes([NULL]), pa.large_binary()))
    bufs = joined.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int64)[joined.offset:joined.offset + len(joined) + 1]
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
    return np.diff(offsets), data[offsets[0]:offsets[-1]]


def _fixed_segments(values: np.ndarray, valid: np.ndarray, type_code: int) -> tuple[np.ndarray, np.ndarray]:
    """(lengths, bytes) of a fixed-width column (int64, float64, bool): type byte + value."""
    width = values.dtype.itemsize
    lens = np.where(valid, 1 + width, 1).astype(np.int64)
    seg_off = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum(lens, out=seg_off[1:])
    out = np.zeros(int(seg_off[-1]), dtype=np.uint8)
    out[seg_off[:-1]] = np.where(valid, type_code, NULL)
    starts = seg_off[:-1][valid] + 1
    if len(starts):
        idx = starts[:, None] + np.arange(width)
        out[idx] = np.ascontiguousarray(values[valid]).view(np.uint8).reshape(-1, width)
    return lens, out


def _python_segments(values) -> tuple[np.ndarray, np.ndarray]:
    """Any column, one value at a time (the MERGE path's conversion, then encode_value)."""
    parts = [encode_value(_plain(v)) for v in values]
    lens = np.fromiter((len(p) for p in parts), dtype=np.int64, count=len(parts))
    return lens, np.frombuffer(b"".join(parts), dtype=np.uint8)


def _plain(value):
    """What the MERGE path stores for a pandas value (coordgraph.cypher.ingest._clean)."""
    from coordgraph.cypher.ingest import _clean

    return _clean(value)


def _list_segments(arr: pa.Array) -> tuple[np.ndarray, np.ndarray] | None:
    """(lengths, bytes) of a list<string> column: 0x05, int64 count, the strings; a null
    list -> 0x00. None when an element is null (the MERGE path drops those: slow path)."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    flat = arr.flatten()
    if pa.types.is_null(flat.type) and len(flat) == 0:  # only empty (or null) lists
        flat = pa.array([], pa.large_string())
    if flat.null_count or not (pa.types.is_string(flat.type) or pa.types.is_large_string(flat.type)):
        return None
    valid = np.asarray(arr.is_valid()) if arr.null_count else np.ones(len(arr), dtype=bool)
    arr = arr.cast(pa.large_list(flat.type)) if not pa.types.is_large_list(arr.type) else arr
    list_off = np.asarray(arr.offsets, dtype=np.int64)
    list_off = list_off - list_off[0]
    elem_lens, elem_buf = _string_segments(flat)
    elem_cum = np.zeros(len(elem_lens) + 1, dtype=np.int64)
    np.cumsum(elem_lens, out=elem_cum[1:])
    content_off = elem_cum[list_off]            # row i's elements: content_off[i]:content_off[i+1]
    counts = np.diff(list_off)
    lens = np.where(valid, 9 + np.diff(content_off), 1).astype(np.int64)
    seg_off = np.zeros(len(arr) + 1, dtype=np.int64)
    np.cumsum(lens, out=seg_off[1:])
    out = np.zeros(int(seg_off[-1]), dtype=np.uint8)
    out[seg_off[:-1]] = np.where(valid, ARRAY, NULL)
    starts = seg_off[:-1][valid] + 1
    if len(starts):
        out[starts[:, None] + np.arange(8)] = counts[valid].astype("<i8").view(np.uint8).reshape(-1, 8)
    dest = seg_off[:-1] + 9
    _scatter(out, dest, elem_buf, content_off)
    return lens, out


def column_segments(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Encoded values of one column, as (per-row lengths, bytes), with the MERGE path's types:
    strings, int64, float64 (NaN = unset), bool, lists of strings; anything else per value."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        arr = pa.Array.from_pandas(series)
        valid = np.asarray(arr.is_valid()) if arr.null_count else np.ones(len(arr), dtype=bool)
        return _fixed_segments(np.asarray(arr.fill_null(False)).astype(np.uint8), valid, BOOL)
    if pd.api.types.is_integer_dtype(dtype):
        arr = pa.Array.from_pandas(series)
        valid = np.asarray(arr.is_valid()) if arr.null_count else np.ones(len(arr), dtype=bool)
        return _fixed_segments(np.asarray(arr.fill_null(0), dtype="<i8"), valid, LONG)
    if pd.api.types.is_float_dtype(dtype):
        values = series.to_numpy(dtype="<f8", na_value=np.nan)
        return _fixed_segments(values, ~np.isnan(values), DOUBLE)
    if pd.api.types.is_string_dtype(dtype) or dtype == object:
        try:
            arr = pa.Array.from_pandas(series)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return _python_segments(series.tolist())
        if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
            return _string_segments(arr)
        if pa.types.is_null(arr.type):
            return np.ones(len(arr), dtype=np.int64), np.zeros(len(arr), dtype=np.uint8)
        if pa.types.is_list(arr.type) or pa.types.is_large_list(arr.type):
            got = _list_segments(arr)
            if got is not None:
                return got
    return _python_segments(series.tolist())


def _binary(lens: np.ndarray, buf: np.ndarray) -> pa.Array:
    """Segments (per-row lengths, bytes back to back) as an Arrow large_binary array, no copy."""
    offsets = np.zeros(len(lens) + 1, dtype=np.int64)
    np.cumsum(lens, out=offsets[1:])
    return pa.Array.from_buffers(pa.large_binary(), len(lens),
                                 [None, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(buf))])


def encode_entities(columns: list[pd.Series], sources=None, targets=None) -> tuple[np.ndarray, np.ndarray]:
    """Entities of one label/type as one byte buffer and their start offsets (length n+1).

    ``columns``: one Series per property, in header order; ``sources``/``targets``: node ids
    of edges (None for nodes). The rows' segments are joined by Arrow's
    binary_join_element_wise (in C, row by row) rather than by a numpy index per byte, which
    cost 2 int64 indices per byte of post text (issue 14: 1M posts in < 90 s)."""
    n = len(columns[0]) if columns else len(sources)
    arrays = []
    if sources is not None:
        pair = np.empty((n, 2), dtype="<u8")
        pair[:, 0] = np.asarray(sources, dtype=np.int64)
        pair[:, 1] = np.asarray(targets, dtype=np.int64)
        arrays.append(_binary(np.full(n, 16, dtype=np.int64), pair.view(np.uint8).reshape(-1)))
    arrays += [_binary(*column_segments(c.reset_index(drop=True))) for c in columns]
    if not arrays or n == 0:
        return np.zeros(0, dtype=np.uint8), np.zeros(n + 1, dtype=np.int64)
    if len(arrays) == 1:
        joined = arrays[0]
    else:
        joined = pc.binary_join_element_wise(*arrays, pa.scalar(b"", pa.large_binary()))
    bufs = joined.buffers()
    starts = np.frombuffer(bufs[1], dtype=np.int64)[joined.offset:joined.offset + n + 1]
    out = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
    return out[starts[0]:starts[-1]], starts - starts[0]


def _header(name: str, props: Sequence[str]) -> bytes:
    return (name.encode() + b"\x00" + _I.pack(len(props))
            + b"".join(p.encode() + b"\x00" for p in props))


@dataclass
class _Blob:
    """Entities of one label or relationship type for the next call."""

    name: str
    props: tuple[str, ...]
    parts: list[bytes] = field(default_factory=list)
    count: int = 0
    size: int = 0


class BulkWriter:
    """Creates a new FalkorDB graph with ``GRAPH.BULK`` calls; numbers the nodes. With
    ``append`` it adds relationships (``add_edge_table`` with existing node ids) to a graph
    that exists: calls without ``BEGIN``.

    ``add_nodes`` / ``add_edges`` take already-encoded entity bytes (see :func:`encode_value`)
    and return the new node ids; a call is sent when MAX_CALL_BYTES are pending and at
    :meth:`flush`. Nodes of a call are created before its edges, so an edge may point to a
    node added in the same call or any earlier one.
    """

    def __init__(self, connection, graph: str, max_call_bytes: int | None = None, *, append: bool = False):
        self.connection = connection
        self.graph = graph
        self.max_call_bytes = max_call_bytes or MAX_CALL_BYTES
        self.next_id = 0
        self.begun = append  # append: the graph exists; only relationships between its nodes are added
        self.nodes_created = 0
        self.edges_created = 0
        # pending blobs in the order the entities were added: the server numbers the nodes
        # of a call blob by blob, so a label met again after another one starts a new blob
        self._labels: list[_Blob] = []
        self._types: list[_Blob] = []
        self._pending = 0
        self._pool = None
        self._inflight = None

    def add_nodes(self, label: str, props: Sequence[str], encoded: Iterable[bytes]) -> range:
        """Queue nodes (each the concatenated values of ``props``); returns their ids."""
        start = self.next_id
        blob = self._blob(self._labels, (label, tuple(props)))
        for entity in encoded:
            blob.parts.append(entity)
            blob.count += 1
            blob.size += len(entity)
            self.next_id += 1
            self._pending += len(entity)
        ids = range(start, self.next_id)
        if self._pending >= self.max_call_bytes:
            self.flush()
        return ids

    def add_edges(self, rel_type: str, props: Sequence[str], sources: Sequence[int],
                  targets: Sequence[int], encoded: Iterable[bytes] | None = None) -> int:
        """Queue edges ``sources[i] -> targets[i]`` with their encoded property values."""
        blob = self._blob(self._types, (rel_type, tuple(props)))
        pack = _QQ.pack
        values = encoded if encoded is not None else (b"" for _ in sources)
        n = 0
        for s, t, v in zip(sources, targets, values):
            entity = pack(s, t) + v
            blob.parts.append(entity)
            blob.size += len(entity)
            self._pending += len(entity)
            n += 1
            if self._pending >= self.max_call_bytes:
                blob.count += n
                n = 0
                self.flush()
                blob = self._blob(self._types, (rel_type, tuple(props)))
        blob.count += n
        return len(sources)

    @staticmethod
    def _blob(pending: list, key: tuple) -> _Blob:
        """The last pending blob when it has ``key``, else a new one appended."""
        if not pending or (pending[-1].name, pending[-1].props) != key:
            pending.append(_Blob(*key))
        return pending[-1]

    def _add_encoded(self, which: str, key: tuple, buf: np.ndarray, starts: np.ndarray) -> None:
        """Queue encoded entities, cut at entity boundaries into calls of MAX_CALL_BYTES."""
        n = len(starts) - 1
        i = 0
        while i < n:
            blob = self._blob(getattr(self, which), key)  # flush() replaces the pending lists
            room = max(self.max_call_bytes - self._pending, 1)
            j = int(np.searchsorted(starts, starts[i] + room, side="right")) - 1
            j = min(max(j, i + 1), n)
            part = buf[starts[i]:starts[j]].tobytes()
            blob.parts.append(part)
            blob.count += j - i
            blob.size += len(part)
            self._pending += len(part)
            i = j
            if self._pending >= self.max_call_bytes:
                self.flush()

    def add_node_table(self, label: str, columns: dict[str, pd.Series]) -> range:
        """Queue one node per row of ``columns`` (property name -> Series, all the same
        length; nulls leave the property unset); returns their node ids."""
        props = tuple(columns)
        n = len(next(iter(columns.values())))
        start = self.next_id
        self.next_id += n
        if n:
            buf, starts = encode_entities(list(columns.values()))
            self._add_encoded("_labels", (label, props), buf, starts)
        return range(start, self.next_id)

    def add_edge_table(self, rel_type: str, sources, targets, columns: dict[str, pd.Series] | None = None) -> int:
        """Queue edges ``sources[i] -> targets[i]`` (node ids) with property columns."""
        columns = columns or {}
        props = tuple(columns)
        if len(sources):
            buf, starts = encode_entities(list(columns.values()), sources, targets)
            self._add_encoded("_types", (rel_type, props), buf, starts)
        return len(sources)

    def flush(self) -> None:
        """Send the pending nodes and edges as one GRAPH.BULK call (BEGIN on the first)."""
        labels = [b for b in self._labels if b.count]
        types = [b for b in self._types if b.count]
        self._labels, self._types, self._pending = [], [], 0
        n_nodes = sum(b.count for b in labels)
        n_edges = sum(b.count for b in types)
        if not n_nodes and not n_edges:
            return
        args: list = ["BEGIN"] if not self.begun else []
        args += [n_nodes, n_edges, len(labels), len(types)]
        args += [_header(b.name, b.props) + b"".join(b.parts) for b in labels]
        args += [_header(b.name, b.props) + b"".join(b.parts) for b in types]
        self.wait()  # one call in flight: the server builds it while the next one is encoded
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(1, thread_name_prefix="graph-bulk")
        self._inflight = self._pool.submit(self.connection.execute_command, "GRAPH.BULK", self.graph, *args)
        self.begun = True
        self.nodes_created += n_nodes
        self.edges_created += n_edges

    def wait(self) -> None:
        """Wait for the call in flight (its error, if any, is raised here)."""
        if self._inflight is not None:
            inflight, self._inflight = self._inflight, None
            inflight.result()

    def close(self) -> None:
        """Send what is pending, wait for it and stop the sending thread."""
        try:
            self.flush()
            self.wait()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None
