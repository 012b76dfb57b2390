"""Which posts belong to a trend: a hashtag, a keyword query, a predicate or a set of objects.

A *trend* is the set of posts the statistics of :mod:`coordgraph.analysis.trends` are
computed on. Every statistic of a trend uses only that trend's posts, so a post that carries
two trending hashtags counts in both trends, and an account's time gaps in one trend never
mix in its posts of another (a bug of the study this module reproduces).

Posts are the loader's posts table (docs/contracts.md): ``post_id, account_id, ts`` (UNIX
seconds, UTC), ``text``, engagement counts, referenced ids and list columns ``hashtags``,
``urls``, ``mentions``, ``image_hashes``.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: Columns a posts table must have for trend statistics (the rest are optional).
REQUIRED_POST_COLUMNS = ("post_id", "account_id", "ts")

# RE2 patterns (pyarrow): \s and \S are ASCII whitespace / non-whitespace.
_URL_PAT = r"(?i)https?://\S+"
_MENTION_PAT = r"@\S+"
_LEADING_RT_PAT = r"(?i)^\s*rt\s*:?\s+"


def normalise_hashtag(tag: str) -> str:
    """Return ``tag`` without leading ``#`` and lowercased: ``'#GoBackModi'`` -> ``'gobackmodi'``."""
    return str(tag).strip().lstrip("#").lower()


def normalise_texts(text: pd.Series) -> pd.Series:
    """Texts as compared for duplicate detection (vectorised with pyarrow's RE2).

    Remove URLs (each tweet gets its own t.co link, so a copied text with a link would
    otherwise never match) and ``@mentions``; trim; remove a leading ``RT`` / ``RT:``;
    collapse whitespace (ASCII) to one space; trim; lowercase. Missing text gives ``''``
    (never a duplicate). Index kept.
    """
    arr = pa.array(text.astype(object).where(text.notna(), ""), type=pa.string(), from_pandas=True)
    arr = pc.replace_substring_regex(arr, _URL_PAT, " ")
    arr = pc.replace_substring_regex(arr, _MENTION_PAT, " ")
    arr = pc.ascii_trim_whitespace(arr)
    arr = pc.replace_substring_regex(arr, _LEADING_RT_PAT, "")
    arr = pc.replace_substring_regex(arr, r"\s+", " ")
    arr = pc.utf8_lower(pc.ascii_trim_whitespace(arr))
    return pd.Series(arr.to_numpy(zero_copy_only=False), index=text.index, dtype=object)


def normalise_text(text: object) -> str:
    """One text normalised exactly as :func:`normalise_texts` does."""
    return str(normalise_texts(pd.Series([text], dtype=object)).iloc[0])


def check_posts(posts: pd.DataFrame, where: str = "posts") -> None:
    """Raise ``ValueError`` naming the missing columns when ``posts`` is not a posts table."""
    missing = [c for c in REQUIRED_POST_COLUMNS if c not in posts.columns]
    if missing:
        raise ValueError(f"{where}: missing column(s) {', '.join(missing)} "
                         f"(a posts table needs {', '.join(REQUIRED_POST_COLUMNS)})")


def explode_list_column(posts: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    """Flatten a list column: (row positions, values as str). Missing column or lists -> empty.

    Works for Python lists, numpy arrays and pyarrow-backed list columns alike.
    """
    if column not in posts.columns or len(posts) == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=object)
    col = posts[column]
    try:
        arr = pa.array(col, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        arr = pa.array([None if v is None or (isinstance(v, float) and np.isnan(v)) else list(v)
                        for v in col], type=pa.list_(pa.string()))
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not pa.types.is_list(arr.type) and not pa.types.is_large_list(arr.type):
        raise ValueError(f"posts: column {column!r} must hold lists of strings, got {arr.type}")
    values = pc.list_flatten(arr)
    parents = pc.list_parent_indices(arr)
    keep = pc.is_valid(values)
    values = pc.filter(values, keep).cast(pa.string())
    parents = pc.filter(parents, keep)
    return (np.asarray(parents.to_numpy(zero_copy_only=False), dtype=np.int64),
            np.asarray(values.to_numpy(zero_copy_only=False), dtype=object))


@dataclass(frozen=True)
class Trend:
    """What a trend is: one of ``hashtag``, ``query`` (keyword or predicate), ``object_ids``.

    ``name`` labels the trend in tables (defaults to ``#hashtag`` or the query text).
    """

    name: str
    hashtag: str | None = None
    query: str | Callable[[pd.DataFrame], Iterable[bool]] | None = None
    object_ids: frozenset[str] | None = field(default=None)

    @classmethod
    def parse(cls, spec: "str | Trend") -> "Trend":
        """``'#tag'`` -> a hashtag trend; ``'obj:ID,ID'`` -> objects; other text -> keyword query."""
        if isinstance(spec, Trend):
            return spec
        text = str(spec).strip()
        if not text:
            raise ValueError("trend: empty trend specification")
        if text.startswith("#"):
            tag = normalise_hashtag(text)
            if not tag:
                raise ValueError(f"trend: {spec!r} names no hashtag")
            return cls(name=text, hashtag=tag)
        if text.startswith("obj:"):
            ids = frozenset(s.strip() for s in text[4:].split(",") if s.strip())
            if not ids:
                raise ValueError(f"trend: {spec!r} names no object id")
            return cls(name=text, object_ids=ids)
        return cls(name=text, query=text)


class HashtagIndex:
    """Row positions of every (normalised) hashtag of a posts table, built once.

    Lets several hashtag trends be selected from one table without flattening the
    ``hashtags`` lists again for each.
    """

    def __init__(self, posts: pd.DataFrame):
        rows, vals = explode_list_column(posts, "hashtags")
        norm = pd.Series(vals, dtype=object).str.lstrip("#").str.lower()
        self._groups = pd.Series(rows).groupby(norm.to_numpy()).indices if len(vals) else {}
        self._rows = rows

    def rows(self, tag: str) -> np.ndarray:
        """Row positions of the posts carrying ``tag`` (case-insensitive, ``#`` optional)."""
        pos = self._groups.get(normalise_hashtag(tag))
        return np.empty(0, dtype=np.int64) if pos is None else self._rows[pos]


def trend_mask(posts: pd.DataFrame, trend: "Trend | str", tags: HashtagIndex | None = None) -> np.ndarray:
    """Boolean array: which rows of ``posts`` belong to ``trend``.

    - hashtag: the post's ``hashtags`` list holds it (case-insensitive, ``#`` optional);
    - query str: the post's text contains it (case-insensitive, literal, not a regex);
    - query callable: its result on ``posts`` (one bool per row);
    - object_ids: the post is, retweets, quotes or replies to one of them, or carries one as
      a URL, hashtag (as written), image hash or loader-mapped object (``objects``).

    ``tags``: a :class:`HashtagIndex` of ``posts`` to reuse across trends (optional).
    """
    check_posts(posts)
    t = Trend.parse(trend)
    n = len(posts)
    mask = np.zeros(n, dtype=bool)
    if t.hashtag is not None:
        index = tags if tags is not None else HashtagIndex(posts)
        mask[index.rows(t.hashtag)] = True
        return mask
    if callable(t.query):
        out = np.asarray(list(t.query(posts)), dtype=bool)
        if out.shape != (n,):
            raise ValueError(f"trend {t.name!r}: predicate returned {out.shape[0]} values for {n} posts")
        return out
    if t.query is not None:
        if "text" not in posts.columns:
            raise ValueError(f"trend {t.name!r}: a keyword query needs the posts column 'text'")
        return posts["text"].fillna("").astype(str).str.contains(
            str(t.query), case=False, regex=False).to_numpy(dtype=bool)
    if t.object_ids is not None:
        ids = t.object_ids
        for col in ("post_id", "retweeted_id", "quoted_id", "replied_to_id"):
            if col in posts.columns:
                mask |= posts[col].isin(ids).to_numpy(dtype=bool)
        for col in ("urls", "hashtags", "image_hashes", "objects"):
            rows, vals = explode_list_column(posts, col)
            if len(vals):
                mask[rows[pd.Series(vals).isin(ids).to_numpy()]] = True
        return mask
    raise ValueError(f"trend {t.name!r}: give a hashtag, a query or object ids")


def select_trend(posts: pd.DataFrame, hashtag: str | None = None,
                 query: "str | Callable | None" = None,
                 object_ids: Iterable[str] | None = None) -> pd.DataFrame:
    """The posts of one trend (a copy-free row subset of ``posts``, index kept).

    Give exactly one of ``hashtag``, ``query`` (a keyword, or a callable ``posts -> bools``)
    or ``object_ids``; see :func:`trend_mask` for what each matches.
    """
    given = [x is not None for x in (hashtag, query, object_ids)]
    if sum(given) != 1:
        raise ValueError("select_trend: give exactly one of hashtag, query, object_ids")
    if hashtag is not None:
        trend = Trend(name=f"#{normalise_hashtag(hashtag)}", hashtag=normalise_hashtag(hashtag))
    elif query is not None:
        trend = Trend(name=getattr(query, "__name__", str(query)), query=query)
    else:
        trend = Trend(name="objects", object_ids=frozenset(map(str, object_ids)))
    return posts[trend_mask(posts, trend)]
