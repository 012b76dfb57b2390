"""The typed tables every reader produces: posts, accounts and shares.

``POSTS_SCHEMA`` and ``ACCOUNTS_SCHEMA`` (pyarrow) are the truth for the column names and
types (see docs/contracts.md). In memory the loader hands out pandas DataFrames with the same
columns: strings as ``str`` (missing = null), counts as int64, list columns as Python lists.
All times are UNIX epoch seconds, UTC.
"""
from __future__ import annotations

import pandas as pd
import pyarrow as pa

_LIST_STR = pa.list_(pa.string())

POSTS_SCHEMA = pa.schema(
    [
        pa.field("post_id", pa.string(), nullable=False),
        pa.field("account_id", pa.string(), nullable=False),
        pa.field("ts", pa.int64(), nullable=False),  # creation time, UNIX seconds UTC
        pa.field("text", pa.string()),
        pa.field("lang", pa.string()),
        pa.field("platform", pa.string(), nullable=False),
        pa.field("retweet_count", pa.int64(), nullable=False),
        pa.field("like_count", pa.int64(), nullable=False),
        pa.field("quote_count", pa.int64(), nullable=False),
        pa.field("reply_count", pa.int64(), nullable=False),
        pa.field("retweeted_id", pa.string()),
        pa.field("quoted_id", pa.string()),
        pa.field("replied_to_id", pa.string()),
        pa.field("replied_to_account_id", pa.string()),
        pa.field("hashtags", _LIST_STR),
        pa.field("urls", _LIST_STR),
        pa.field("mentions", _LIST_STR),
        pa.field("image_hashes", _LIST_STR),
        pa.field("place", pa.string()),
        pa.field("source", pa.string()),
        # Added by the loader (not in the first contract): objects given directly by a
        # column mapping (``--map object_id=url``); the ``objects`` intent shares them.
        pa.field("objects", _LIST_STR),
    ]
)

ACCOUNTS_SCHEMA = pa.schema(
    [
        pa.field("account_id", pa.string(), nullable=False),
        pa.field("handle", pa.string()),
        pa.field("name", pa.string()),
        pa.field("platform", pa.string(), nullable=False),
        pa.field("followers_count", pa.int64()),
        pa.field("following_count", pa.int64()),
        pa.field("posts_count", pa.int64()),
        pa.field("created_at", pa.int64()),  # UNIX seconds UTC
        pa.field("verified", pa.bool_()),
    ]
)

from coordgraph.contracts import SHARES_COLUMNS  # noqa: E402

POST_COLUMNS = tuple(POSTS_SCHEMA.names)
ACCOUNT_COLUMNS = tuple(ACCOUNTS_SCHEMA.names)
POST_LIST_COLUMNS = tuple(f.name for f in POSTS_SCHEMA if pa.types.is_list(f.type))
POST_COUNT_COLUMNS = ("retweet_count", "like_count", "quote_count", "reply_count")
ACCOUNT_INT_COLUMNS = ("followers_count", "following_count", "posts_count", "created_at")


def posts_frame(columns: dict[str, list]) -> pd.DataFrame:
    """Build a posts DataFrame from column lists (missing columns are filled with nulls).

    Scalar columns go through pyarrow (fast conversion of Python strings into pandas'
    ``str`` dtype); list columns stay Python lists (object dtype).
    """
    n = len(columns["post_id"]) if "post_id" in columns else 0
    scalars = {}
    for f in POSTS_SCHEMA:
        if f.name in POST_LIST_COLUMNS:
            continue
        values = columns.get(f.name)
        scalars[f.name] = pa.array(values if values is not None else [None] * n, f.type)
    frame = pa.table(scalars).to_pandas()
    for name in POST_LIST_COLUMNS:
        values = columns.get(name)
        if values is None:
            values = [[] for _ in range(n)]
        elif not isinstance(values, list):
            values = list(values)
        frame[name] = pd.Series(values, dtype=object, index=frame.index)
    return frame[list(POST_COLUMNS)]


def accounts_frame(columns: dict[str, list]) -> pd.DataFrame:
    """Build an accounts DataFrame (nullable Int64 counts/times, nullable boolean verified)."""
    n = len(columns["account_id"]) if "account_id" in columns else 0
    data = {name: columns.get(name, [None] * n) for name in ACCOUNT_COLUMNS}
    frame = pd.DataFrame(data)
    for name in ACCOUNT_INT_COLUMNS:
        frame[name] = frame[name].astype("Int64")
    frame["verified"] = frame["verified"].astype("boolean")
    return frame


def empty_posts() -> pd.DataFrame:
    """A posts DataFrame with no rows and the right columns."""
    return posts_frame({})


def empty_accounts() -> pd.DataFrame:
    """An accounts DataFrame with no rows and the right columns."""
    return accounts_frame({})


def empty_shares(with_kind: bool = True) -> pd.DataFrame:
    """A shares DataFrame with no rows: object_id, account_id, content_id, timestamp_share[, kind]."""
    cols = SHARES_COLUMNS if with_kind else SHARES_COLUMNS[:4]
    frame = pd.DataFrame({c: pd.Series([], dtype="str") for c in cols})
    frame["timestamp_share"] = frame["timestamp_share"].astype("int64")
    return frame


def posts_to_arrow(posts: pd.DataFrame) -> pa.Table:
    """Convert a posts DataFrame to a pyarrow Table with exactly ``POSTS_SCHEMA``."""
    frame = posts.copy()
    for name in POST_COLUMNS:
        if name not in frame.columns:
            frame[name] = [[] for _ in range(len(frame))] if name in POST_LIST_COLUMNS else None
    frame = frame[list(POST_COLUMNS)]
    return pa.Table.from_pandas(frame, schema=POSTS_SCHEMA, preserve_index=False)


def accounts_to_arrow(accounts: pd.DataFrame) -> pa.Table:
    """Convert an accounts DataFrame to a pyarrow Table with exactly ``ACCOUNTS_SCHEMA``."""
    frame = accounts[list(ACCOUNT_COLUMNS)]
    return pa.Table.from_pandas(frame, schema=ACCOUNTS_SCHEMA, preserve_index=False)
