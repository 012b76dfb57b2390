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
    """Creates a new FalkorDB graph with ``GRAPH.BULK`` calls; numbers the nodes.

    ``add_nodes`` / ``add_edges`` take already-encoded entity bytes (see :func:`encode_value`)
    and return the new node ids; a call is sent when MAX_CALL_BYTES are pending and at
    :meth:`flush`. Nodes of a call are created before its edges, so an edge may point to a
    node added in the same call or any earlier one.
    """

    def __init__(self, connection, graph: str, max_call_bytes: int = MAX_CALL_BYTES):
        self.connection = connection
        self.graph = graph
        self.max_call_bytes = max_call_bytes
        self.next_id = 0
        self.begun = False
        self.nodes_created = 0
        self.edges_created = 0
        self._labels: dict[tuple, _Blob] = {}
        self._types: dict[tuple, _Blob] = {}
        self._pending = 0

    def add_nodes(self, label: str, props: Sequence[str], encoded: Iterable[bytes]) -> range:
        """Queue nodes (each the concatenated values of ``props``); returns their ids."""
        start = self.next_id
        blob = self._labels.setdefault((label, tuple(props)), _Blob(label, tuple(props)))
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
        blob = self._types.setdefault((rel_type, tuple(props)), _Blob(rel_type, tuple(props)))
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
                blob = self._types.setdefault((rel_type, tuple(props)), _Blob(rel_type, tuple(props)))
        blob.count += n
        return len(sources)

    def flush(self) -> None:
        """Send the pending nodes and edges as one GRAPH.BULK call (BEGIN on the first)."""
        labels = [b for b in self._labels.values() if b.count]
        types = [b for b in self._types.values() if b.count]
        self._labels, self._types, self._pending = {}, {}, 0
        n_nodes = sum(b.count for b in labels)
        n_edges = sum(b.count for b in types)
        if not n_nodes and not n_edges:
            return
        args: list = ["BEGIN"] if not self.begun else []
        args += [n_nodes, n_edges, len(labels), len(types)]
        args += [_header(b.name, b.props) + b"".join(b.parts) for b in labels]
        args += [_header(b.name, b.props) + b"".join(b.parts) for b in types]
        self.connection.execute_command("GRAPH.BULK", self.graph, *args)
        self.begun = True
        self.nodes_created += n_nodes
        self.edges_created += n_edges
