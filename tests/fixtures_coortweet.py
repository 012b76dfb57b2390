"""Helpers to read the CooRTweet 2.1.3 reference outputs and compare with ours.

Comparison rules from the fixtures' README: detect_groups rows as multisets, edges as
unordered account pairs, object id lists as sets, floats to about 1e-9; `NA` means missing.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).parent / "fixtures" / "coortweet"
TOY = ROOT / "toy"
SIM = ROOT / "simulate_seed123"


def read_expected(path: Path) -> pd.DataFrame:
    """A fixture CSV with ids as strings and numbers as numbers."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=["NA"])
    for column in frame.columns:
        if column in ("object_id", "content_id", "content_id_y", "account_id", "account_id_y",
                      "from", "to", "name", "object_ids"):
            continue
        converted = pd.to_numeric(frame[column], errors="coerce")
        if converted.notna().sum() == frame[column].notna().sum():
            frame[column] = converted
    return frame


def as_multiset(frame: pd.DataFrame, columns) -> list[tuple]:
    """Rows of ``columns`` as a sorted list of tuples of strings (numbers normalised)."""
    def norm(value):
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, (int, np.integer)):
            return str(int(value))
        return str(value)
    return sorted(tuple(norm(v) for v in row) for row in frame[list(columns)].itertuples(index=False))


def edges_by_pair(edges: pd.DataFrame, a: str = "account_id", b: str = "account_id_y") -> pd.DataFrame:
    """Index edges by their unordered account pair, as the string 'lo|hi'."""
    key = ["|".join(sorted(p)) for p in zip(edges[a], edges[b])]
    return edges.assign(pair=key).set_index("pair").sort_index()
