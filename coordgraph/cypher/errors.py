"""Errors of the graph store, each meant to be shown to the user as one clear line."""
from __future__ import annotations


class StoreError(Exception):
    """A problem with the graph store that the user can fix (configuration, input, state)."""


class StoreUnavailable(StoreError):
    """The store cannot be reached (server down, wrong URI, bad credentials)."""


class ReadOnlyViolation(StoreError):
    """A query sent through the read-only path tried to write."""


class QueryError(StoreError):
    """The database rejected a query (syntax or runtime error); the message names the query."""
