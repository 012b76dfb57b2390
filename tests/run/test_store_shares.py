"""The stored shares as a run reads them (``coordgraph.run.shares.store_share_frame``): the
rows, their types and their processing order (time, then post id, then object id; spec step 5),
with object ids kind-prefixed when several kinds are read; an empty store gives an empty table
with the columns. Expected tables are written out by hand."""
from __future__ import annotations

import pandas as pd
import pytest

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::DeprecationWarning")


def test_store_share_frame_rows_types_and_order(store):
    from coordgraph.cypher.ingest import ingest
    from coordgraph.run.shares import store_share_frame

    assert list(store_share_frame(store, None).columns) == ["object_id", "account_id", "content_id",
                                                            "timestamp_share", "kind", "row"]
    retweets = pd.DataFrame([("o1", "A", "p3", 100), ("o1", "B", "p2", 100), ("o2", "C", "p1", 50)],
                            columns=["object_id", "account_id", "content_id", "timestamp_share"])
    hashtags = pd.DataFrame([("o1", "A", "p9", 100)], columns=retweets.columns)
    ingest(store, shares=retweets, kind="retweets")
    ingest(store, shares=hashtags, kind="hashtags")

    one = store_share_frame(store, ["retweets"])
    # t=50 first; the two shares at t=100 by post id: p2 before p3
    assert one[["object_id", "account_id", "content_id", "timestamp_share"]].values.tolist() == [
        ["o2", "C", "p1", 50], ["o1", "B", "p2", 100], ["o1", "A", "p3", 100]]
    assert one["timestamp_share"].dtype == "int64"
    assert all(isinstance(v, str) for v in one["content_id"])

    both = store_share_frame(store, None)
    assert both[["object_id", "content_id"]].values.tolist() == [
        ["retweets:o2", "p1"], ["retweets:o1", "p2"], ["retweets:o1", "p3"], ["hashtags:o1", "p9"]]
