"""The engine's pandas-free Arrow <-> numpy moves, and that an out-of-core run never imports
pandas (pyarrow's own to_numpy/pa.array would: ~0.2 s of a 1M-share run)."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from coordgraph.engines._arrow import empty_strings, from_numpy, to_numpy


@pytest.mark.parametrize("dtype", ["int8", "int32", "int64", "uint16", "uint64", "float32", "float64"])
def test_round_trip_keeps_values_and_type(dtype):
    values = (np.arange(-5, 20) % 7).astype(dtype)
    arr = from_numpy(values)
    assert arr.type == pa.from_numpy_dtype(np.dtype(dtype))
    assert arr.to_pylist() == values.tolist()
    back = to_numpy(arr)
    assert back.dtype == values.dtype and np.array_equal(back, values)


def test_slices_chunks_and_strided_input():
    values = np.arange(100, dtype=np.int64)
    sliced = from_numpy(values).slice(17, 30)
    assert np.array_equal(to_numpy(sliced), values[17:47])
    chunked = pa.chunked_array([from_numpy(values[:10]), from_numpy(values[10:])])
    assert np.array_equal(to_numpy(chunked), values)
    assert np.array_equal(to_numpy(from_numpy(values[::3])), values[::3])  # copied to contiguous
    assert to_numpy(pa.chunked_array([], pa.int32())).dtype == np.int32


def test_nulls_need_a_fill_value():
    found = pc.index_in(pa.array(["a", "x", "c", "y"]).slice(1), value_set=pa.array(["a", "c"]))
    with pytest.raises(ValueError, match="nulls"):
        to_numpy(found)
    assert to_numpy(found, null_value=-1).tolist() == [-1, 1, -1]


@pytest.mark.parametrize("type_", [pa.string(), pa.large_string()])
def test_empty_strings(type_):
    arr = empty_strings(3, type_)
    assert arr.type == type_ and arr.to_pylist() == ["", "", ""]
    arr.validate(full=True)


def test_refuses_what_it_cannot_view():
    with pytest.raises(TypeError):
        to_numpy(pa.array(["a"]))
    with pytest.raises(TypeError):
        from_numpy(np.zeros((2, 2)))


def test_outofcore_run_does_not_import_pandas(tmp_path):
    import pyarrow.parquet as pq

    shares = tmp_path / "shares.parquet"
    # o3's shares are far apart: no window pair, so contents are coded after partitioning
    pq.write_table(pa.table({"object_id": ["o1", "o1", "o2", "o2", "o1"] + ["o3"] * 6,
                             "account_id": ["a", "b", "a", "b", "c"] + ["a", "b", "c", "a", "b", "c"],
                             "content_id": [f"c{i}" for i in range(11)],
                             "timestamp_share": [0, 3, 10, 12, 4] + [100 * i for i in range(1, 7)]}), shares)
    lonely = tmp_path / "lonely.parquet"
    pq.write_table(pa.table({"object_id": ["o1", "o1"], "account_id": ["a", "b"], "content_id": ["c1", "c2"],
                             "timestamp_share": [0, 100]}), lonely)
    script = f"""
import sys
from coordgraph.engines.outofcore import detect_network_parquet
for write_result, parts in ((False, None), (True, 2)):
    s = detect_network_parquet({str(shares)!r}, {str(tmp_path / 'out')!r}, min_participation=1,
                               write_result=write_result, n_partitions=parts)
    assert s["edges"] == 3, s
s = detect_network_parquet({str(lonely)!r}, {str(tmp_path / 'none')!r}, min_participation=1)
assert s["edges"] == 0 and s["result_rows"] == 0, s
print("pandas" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
