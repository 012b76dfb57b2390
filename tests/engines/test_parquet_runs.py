"""Big-run paths: every engine reads a share Parquet file and writes result, edges and vertices
as Parquet; outputs must equal the python engine's, including when the out-of-core engine
spills several object partitions and edge buckets."""
from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
import pytest

from bench.generate import generate
from coordgraph.engines import outofcore, run_engine
from tests.fixtures_coortweet import as_multiset, edges_by_pair

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::DeprecationWarning",
                                        "ignore:The copy keyword")

RESULT = ["object_id", "content_id", "content_id_y", "time_delta", "account_id", "account_id_y"]
EDGE_COLS = ["weight", "avg_time_delta", "n_content_id", "n_content_id_y", "edge_symmetry_score", "weight_threshold"]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """8k generated shares (hubs, bursts, 5 planted campaigns) and the python engine's run."""
    root = tmp_path_factory.mktemp("gen")
    path = generate(8_000, root, "dense", seed=11, cap=800)
    summary = run_engine("python", path, root / "python")
    return path, root / "python", summary


def read(out_dir, name):
    p = out_dir / f"{name}.parquet"
    return pq.read_table(p if p.exists() else out_dir / name).to_pandas()


def assert_same_outputs(out_dir, want_dir):
    got, want = read(out_dir, "result"), read(want_dir, "result")
    assert len(got) == len(want) > 1000
    assert as_multiset(got, RESULT) == as_multiset(want, RESULT)
    ge, we = edges_by_pair(read(out_dir, "edges")), edges_by_pair(read(want_dir, "edges"))
    assert list(ge.index) == list(we.index)
    pd.testing.assert_frame_equal(ge[EDGE_COLS], we[EDGE_COLS], check_dtype=False, rtol=1e-9)
    gv = read(out_dir, "vertices").sort_values("account_id").reset_index(drop=True)
    wv = read(want_dir, "vertices").sort_values("account_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(gv[["account_id", "degree", "strength"]], wv[["account_id", "degree", "strength"]],
                                  check_dtype=False)


@pytest.mark.parametrize("in_memory", [False, True])
def test_outofcore_with_spilled_partitions_and_buckets(generated, tmp_path, monkeypatch, in_memory, content_coding,
                                                       kernels):
    path, want_dir, want = generated
    summary = outofcore.detect_network_parquet(path, tmp_path / "ooc", n_partitions=4, bucket_pairs=5_000,
                                               chunk_pairs=3_000, max_stash_pairs=0, in_memory_buckets=in_memory)
    assert summary["partitions"] == 4 and summary["edge_buckets"] > 3 and summary["kernels"] == kernels
    assert summary["threshold"] == want["threshold"] and summary["edges"] == want["edges"]
    assert_same_outputs(tmp_path / "ooc", want_dir)


@pytest.fixture(params=["with_the_other_columns", "contents_of_window_shares", "all_contents_later"])
def content_coding(request, monkeypatch):
    """Every way of coding contents: with the other id columns (small inputs), or after
    partitioning (big inputs) either for the window shares' contents only or for all
    (chosen by the fraction of shares in a window pair)."""
    if request.param == "with_the_other_columns":
        monkeypatch.setattr(outofcore, "DENSE_WINDOW_FRACTION", -1.0)
    else:
        monkeypatch.setattr(outofcore, "PARALLEL_ENCODE_ROWS", 0)
        monkeypatch.setattr(outofcore, "DENSE_WINDOW_FRACTION",
                            1.0 if request.param == "contents_of_window_shares" else -1.0)
    return request.param


def test_outofcore_default_run(generated, tmp_path, content_coding, kernels):
    path, want_dir, want = generated
    edges_only = run_engine("outofcore", path, tmp_path / "edges-only", write_result=False)
    assert not (tmp_path / "edges-only" / "result.parquet").exists() and edges_only["edges"] == want["edges"]
    summary = run_engine("outofcore", path, tmp_path / "ooc")
    assert summary["result_rows"] == want["result_rows"] and summary["kernels"] == kernels
    assert [h["object_id"] for h in summary["trend_hubs"]] == [h["object_id"] for h in want["trend_hubs"]]
    assert_same_outputs(tmp_path / "ooc", want_dir)


@pytest.mark.spark
def test_spark_parquet_run(generated, tmp_path, spark_session):
    path, want_dir, want = generated
    summary = run_engine("spark", path, tmp_path / "spark")
    assert summary["engine"] == "spark" and summary["threshold"] == want["threshold"]
    assert_same_outputs(tmp_path / "spark", want_dir)


def test_bad_input_names_file_and_field(tmp_path):
    import pyarrow as pa

    bad = tmp_path / "bad.parquet"
    pq.write_table(pa.table({"object_id": ["o1", None], "account_id": ["a", "b"], "content_id": ["c1", "c2"],
                             "timestamp_share": [1, 2]}), bad)
    with pytest.raises(outofcore.EngineInputError, match=r"bad\.parquet: row 2, field 'object_id' is empty"):
        run_engine("outofcore", bad, tmp_path / "o")
    pq.write_table(pa.table({"object_id": ["o1"], "account_id": ["a"], "content_id": ["c1"],
                             "timestamp_share": ["x"]}), bad)
    # not integer seconds: the run layer parses the times (ISO 8601 ...) and names what fails
    with pytest.raises(ValueError, match=r"bad\.parquet.*timestamp_share.*row 1"):
        run_engine("outofcore", bad, tmp_path / "o")


@pytest.mark.parametrize("engine", ["python", "outofcore"])
@pytest.mark.parametrize("rows", ["apart", "none"])
def test_no_window_pair_gives_empty_outputs(tmp_path, engine, kernels, rows):
    """Shares of which no two are within the window, or no share at all: empty result and
    edges, not a crash (the out-of-core engine once failed coding an empty set of contents)."""
    import pyarrow as pa

    shares = tmp_path / "apart.parquet"
    table = pa.table({"object_id": ["o1", "o1", "o2"], "account_id": ["a", "b", "a"],
                      "content_id": ["c1", "c2", "c3"], "timestamp_share": [0, 100, 5]})
    pq.write_table(table if rows == "apart" else table.slice(0, 0), shares)
    summary = run_engine(engine, shares, tmp_path / engine, min_participation=1)
    assert summary["edges"] == 0 and summary["result_rows"] == 0
    assert len(read(tmp_path / engine, "result")) == 0
    assert len(read(tmp_path / engine, "edges")) == 0


@pytest.mark.parametrize("fallback", ["keys_too_wide", "contents_too_wide"])
def test_outofcore_argsort_fallbacks_give_the_same_outputs(generated, tmp_path, monkeypatch, fallback):
    """When (lo, hi, delta) or (edge, content) keys cannot be packed in 64 bits, the engine
    aggregates with argsort instead: same edges, single bucket and spilled buckets alike."""
    from coordgraph.engines import _packed

    path, want_dir, want = generated
    monkeypatch.setenv("COORDGRAPH_NATIVE", "0")  # the C kernels need packed keys; these are the numpy paths
    if fallback == "keys_too_wide":
        monkeypatch.setattr(_packed, "fits", lambda n_accounts, max_delta: False)
    else:
        monkeypatch.setattr(_packed, "aggregate_packed", lambda *args, **kwargs: None)
    for name, options in {"one": {}, "spilled": dict(bucket_pairs=5_000, in_memory_buckets=False)}.items():
        summary = outofcore.detect_network_parquet(path, tmp_path / name, **options)
        assert summary["threshold"] == want["threshold"] and summary["edges"] == want["edges"]
        assert_same_outputs(tmp_path / name, want_dir)


@pytest.mark.parametrize("in_memory", [False, True])
def test_outofcore_range_buckets_write_edges_in_account_order(generated, tmp_path, in_memory, kernels):
    """One partition and several buckets: the C kernels bucket pairs by ranges of account
    ranks (counted first), so edges.parquet comes out sorted by (account_id, account_id_y)
    across its part files; the numpy kernels hash pairs to buckets. Same edges either way."""
    path, want_dir, want = generated
    summary = outofcore.detect_network_parquet(path, tmp_path / "ooc", n_partitions=1, bucket_pairs=5_000,
                                               in_memory_buckets=in_memory)
    assert summary["edge_buckets"] > 3 and summary["kernels"] == kernels
    assert summary["threshold"] == want["threshold"] and summary["edges"] == want["edges"]
    assert_same_outputs(tmp_path / "ooc", want_dir)
    if kernels == "native":
        edges = read(tmp_path / "ooc", "edges")
        pairs = list(zip(edges["account_id"], edges["account_id_y"]))
        assert pairs == sorted(pairs)
