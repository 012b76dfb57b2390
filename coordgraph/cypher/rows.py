"""Row batches as Cypher parameter text, built column by column with Arrow.

Why: FalkorDB takes parameters as text in front of the query (``CYPHER rows=[...] MATCH
...``), and the ``falkordb`` client builds that text in Python one value at a time: for a
run's 650,000 COORDINATED edges with 16 properties that is most of the client's write time.
Here every column is formatted at once (Arrow casts and string kernels, in C) and each row is
a list, ``[v0,v1,...]``, read in the query as ``r[0]``, ``r[1]``, ... The text is the one the
client would write for the same values: strings in double quotes with ``\\`` and ``"``
escaped (falkordb.helpers.quote_string), integers as digits, floats always with a ``.`` or an
exponent (so ``3.0`` stays a float, as Python's ``str`` writes it), missing values and NaN as
``null``, booleans as ``true``/``false``.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def _arrow(values) -> pa.Array:
    """``values`` (an Arrow array, a pandas Series, a numpy array or a list) as an Arrow array;
    NaN in a float column becomes null."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not isinstance(values, pa.Array):
        if isinstance(values, pd.Series):
            values = pa.Array.from_pandas(values)
        else:
            values = pa.array(np.asarray(values) if not isinstance(values, list) else values)
    if pa.types.is_floating(values.type):
        values = pc.if_else(pc.is_nan(values), pa.scalar(None, values.type), values)
    if pa.types.is_dictionary(values.type):
        values = values.dictionary_decode()
    if pa.types.is_large_string(values.type):
        values = values.cast(pa.string())
    return values


def literal_column(values) -> pa.Array:
    """Each value of ``values`` as a Cypher literal (an Arrow string array without nulls)."""
    arr = _arrow(values)
    kind = arr.type
    if pa.types.is_null(kind):
        return pa.array(["null"] * len(arr), pa.string())
    if pa.types.is_string(kind):
        text = pc.replace_substring(arr, "\\", "\\\\")
        text = pc.replace_substring(text, '"', '\\"')
        text = pc.binary_join_element_wise('"', text, '"', "")
    elif pa.types.is_boolean(kind):
        text = pc.if_else(arr, "true", "false")
    elif pa.types.is_integer(kind):
        text = pc.cast(arr, pa.string())
    elif pa.types.is_floating(kind):
        arr = pc.cast(arr, pa.float64())
        if pc.any(pc.is_inf(arr)).as_py():
            raise ValueError("an infinite number cannot be stored as a property")
        text = pc.cast(arr, pa.string())
        plain = pc.invert(pc.match_substring_regex(text, r"[.eE]"))
        text = pc.if_else(plain, pc.binary_join_element_wise(text, ".0", ""), text)
    else:
        raise TypeError(f"cannot write values of type {kind} as Cypher literals")
    return pc.fill_null(text, "null")


def row_texts(columns: Sequence) -> pa.Array:
    """Each row of ``columns`` (equal lengths) as a Cypher list literal, ``[a0,b0]``."""
    if not columns:
        raise ValueError("no columns")
    cells = [literal_column(c) for c in columns]
    if any(len(c) != len(cells[0]) for c in cells):
        raise ValueError("columns differ in length")
    inner = pc.binary_join_element_wise(*cells, ",") if len(cells) > 1 else cells[0]
    return pc.binary_join_element_wise("[", inner, "]", "")


def list_literal(rows: pa.Array) -> str:
    """Row texts (from :func:`row_texts`, or a slice of them) as one Cypher list."""
    return "[" + ",".join(rows.to_pylist()) + "]"


def rows_literal(columns: Sequence) -> str:
    """The rows of ``columns`` as one Cypher list of lists, ``[[a0,b0],[a1,b1]]``."""
    return list_literal(row_texts(columns))


def row_lists(columns: Sequence) -> list[list]:
    """The same rows as Python lists (for drivers that take parameters as values: Neo4j)."""
    arrays = [_arrow(c).to_pylist() for c in columns]
    return [list(row) for row in zip(*arrays)]


def params_literal(params: Mapping[str, object]) -> str:
    """``name=value`` pairs for the ``CYPHER`` header of other (scalar or small) parameters,
    written by the falkordb client's own function."""
    from falkordb.helpers import stringify_param_value

    return " ".join(f"`{k}`={stringify_param_value(v)}" for k, v in params.items())
