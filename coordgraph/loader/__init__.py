"""Platform files -> typed posts/accounts tables -> shares per intent.

Public API (see docs/loader.md):

* :func:`read_posts` / :func:`iter_post_batches`: read Twitter v2 (twarc2, academictwitteR),
  snscrape, CSV/Parquet/JSON lines through a column mapping, and tidy v2 tables;
* :func:`reshape` / :func:`stack_intents`: posts -> shares for one or several intents;
  :func:`shares_from_batches` does the same batch by batch (posts never all in memory);
* :mod:`coordgraph.loader.text`: ``normalize_text``, ``remove_hashtags``;
* :class:`LoadReport` (``LoadStats.report``): per file, records read, kept, duplicates,
  rejected by reason, lost to truncation, notes and warnings (``shares``, ``ingest`` and the
  web app show the same report).
"""
from __future__ import annotations

from coordgraph.loader.errors import LoaderError, RecordError
from coordgraph.loader.read import (
    FORMATS,
    LoadResult,
    LoadStats,
    detect_format,
    iter_post_batches,
    read_posts,
)
from coordgraph.loader.report import FileReport, LoadReport
from coordgraph.loader.reshape import INTENTS, reshape, stack_intents
from coordgraph.loader.schema import ACCOUNTS_SCHEMA, POSTS_SCHEMA
from coordgraph.loader.stream import shares_from_batches
from coordgraph.loader.tabular import parse_map

__all__ = [
    "ACCOUNTS_SCHEMA",
    "FORMATS",
    "FileReport",
    "INTENTS",
    "LoadReport",
    "LoadResult",
    "LoadStats",
    "LoaderError",
    "POSTS_SCHEMA",
    "RecordError",
    "detect_format",
    "iter_post_batches",
    "parse_map",
    "read_posts",
    "reshape",
    "shares_from_batches",
    "stack_intents",
]
