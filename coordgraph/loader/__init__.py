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

import importlib
import sys
import types

#: Public name -> the module that defines it, loaded on first use (PEP 562): the readers
#: import pandas (~0.4 s), which commands such as ``coordgraph --help`` never need.
_EXPORTS = {
    "LoaderError": "errors", "RecordError": "errors",
    "FORMATS": "read", "LoadResult": "read", "LoadStats": "read", "detect_format": "read",
    "iter_post_batches": "read", "read_posts": "read",
    "FileReport": "report", "LoadReport": "report",
    "INTENTS": "reshape", "reshape": "reshape", "stack_intents": "reshape",
    "ACCOUNTS_SCHEMA": "schema", "POSTS_SCHEMA": "schema",
    "shares_from_batches": "stream", "parse_map": "tabular",
}


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'coordgraph.loader' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"coordgraph.loader.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """This package, with one rule: when a submodule that shares its name with the function it
    defines (``reshape``) is imported, the import system sets the *module* as the package's
    attribute; the public *function* is kept instead (as the eager imports used to do)."""

    def __setattr__(self, name: str, value) -> None:
        if name in _EXPORTS and isinstance(value, types.ModuleType) and hasattr(value, name):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


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
