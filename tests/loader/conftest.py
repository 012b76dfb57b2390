"""Paths shared by the loader tests."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "loader"
TOY = ROOT / "tests" / "fixtures" / "coortweet" / "toy"


@pytest.fixture
def data_dir() -> Path:
    """tests/data/loader: hand-written samples per reader and the broken corpus."""
    return DATA
