"""The input format names ``coordgraph shares --format`` accepts, and their aliases.

Kept apart from :mod:`coordgraph.loader.read` (which imports pandas) so that the command line
can show them in its help without loading the readers.
"""
from __future__ import annotations

FORMATS = ("auto", "twitter-v2", "twitter-v1", "snscrape", "csv", "parquet", "jsonl", "v2-tables")
FORMAT_ALIASES = {"twarc2": "twitter-v2", "academictwitter": "twitter-v2", "v2": "twitter-v2",
                  "twarc1": "twitter-v1", "v1": "twitter-v1", "v1.1": "twitter-v1",
                  "tsv": "csv", "json": "jsonl"}  # fmt: skip
