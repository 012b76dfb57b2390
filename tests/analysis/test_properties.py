"""Property tests: the fast window-pairing engine equals a literal all-pairs transcription
of the spec on random small inputs (ties, window edges, loops, shared content ids)."""
import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coordgraph.analysis import RESULT_COLUMNS, coordinated_network, detect_groups, flag_speed_share
from tests.analysis.naive import naive_detect_groups
from tests.fixtures_coortweet import as_multiset

share_rows = st.lists(
    st.tuples(
        st.sampled_from(["o1", "o2", "o3", "c1"]),        # objects; "c1" is also a content id
        st.sampled_from(["A", "B", "C", "D", "E"]),       # accounts
        st.sampled_from(["c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8"]),  # contents (reused)
        st.integers(min_value=0, max_value=40),           # times: many ties and window edges
    ),
    min_size=0, max_size=30,
)


def _frame(rows):
    frame = pd.DataFrame(rows, columns=["object_id", "account_id", "content_id", "timestamp_share"])
    return frame.astype({"timestamp_share": "int64"})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=share_rows, tw=st.integers(0, 12), mp=st.integers(0, 4), loops=st.booleans())
def test_fast_engine_equals_all_pairs(rows, tw, mp, loops):
    shares = _frame(rows)
    got = detect_groups(shares, time_window=tw, min_participation=mp, remove_loops=loops)
    assert as_multiset(got, RESULT_COLUMNS) == naive_detect_groups(shares, tw, mp, loops)


@settings(max_examples=150, deadline=None)
@given(rows=share_rows, tw=st.integers(0, 12), mp=st.integers(1, 3), chunk=st.integers(1, 5))
def test_chunking_does_not_change_the_result(rows, tw, mp, chunk):
    shares = _frame(rows)
    whole = detect_groups(shares, tw, mp)
    chunked = detect_groups(shares, tw, mp, chunk_pairs=chunk)
    assert whole.astype(str).values.tolist() == chunked.astype(str).values.tolist()


@settings(max_examples=150, deadline=None)
@given(rows=share_rows, tw=st.integers(1, 12), mp=st.integers(1, 3), narrow=st.integers(0, 12))
def test_flag_speed_share_flags_a_subset_within_the_narrow_window(rows, tw, mp, narrow):
    shares = _frame(rows)
    result = detect_groups(shares, tw, mp)
    flagged = flag_speed_share(shares, result, mp, narrow)
    column = f"time_window_{narrow}"
    assert len(flagged) == len(result)
    assert set(flagged[column]) <= {0, 1}
    # flags go by (content_id, content_id_y) pair: a flagged pair has a row inside the window
    inside = set(zip(*flagged.loc[flagged["time_delta"] <= narrow, ["content_id", "content_id_y"]].T.values))
    flagged_pairs = set(zip(*flagged.loc[flagged[column] == 1, ["content_id", "content_id_y"]].T.values))
    assert flagged_pairs <= inside
    if mp <= 1:  # no post-filter effect: every row inside the narrow window is flagged
        assert (flagged.loc[flagged["time_delta"] <= narrow, column] == 1).all()


@settings(max_examples=150, deadline=None)
@given(rows=share_rows, tw=st.integers(0, 12), ew=st.floats(0, 1))
def test_network_aggregates_rows_per_unordered_pair(rows, tw, ew):
    result = detect_groups(_frame(rows), tw, 1)
    network = coordinated_network(result, edge_weight=ew, objects=True)
    edges = network.edges
    assert edges["weight"].sum() == len(result)
    assert (edges["account_id"] < edges["account_id_y"]).all()
    for e in edges.itertuples():
        mask = ((result.account_id == e.account_id) & (result.account_id_y == e.account_id_y)) | \
               ((result.account_id == e.account_id_y) & (result.account_id_y == e.account_id))
        rows_e = result[mask]
        assert e.weight == len(rows_e)
        assert np.isclose(e.avg_time_delta, rows_e.time_delta.mean())
        own = set(rows_e.loc[rows_e.account_id == e.account_id, "content_id"]) | \
            set(rows_e.loc[rows_e.account_id_y == e.account_id, "content_id_y"])
        assert e.n_content_id == len(own)
        assert set(e.object_ids.split(",")) == set(rows_e.object_id)
    if len(edges):
        threshold = np.quantile(edges["weight"].to_numpy(float), ew)
        assert (edges["weight_threshold"] == (edges["weight"] > threshold)).all()
