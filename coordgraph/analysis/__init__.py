"""The detection method and the statistics: pure data in, data out (no database, no web).

The public functions keep CooRTweet's names so that its users find their way:
:func:`prep_shares`, :func:`detect_groups`, :func:`flag_speed_share`,
:func:`coordinated_network`, :func:`account_stats`, :func:`object_stats`, :func:`simulate_data`.
"""
from __future__ import annotations

import importlib

#: Public name -> the module that defines it. Loaded on first use (PEP 562), so that the
#: numpy-only parts (e.g. :mod:`coordgraph.analysis.pairs` for the out-of-core engine) can be
#: imported without pandas, which alone takes ~0.3 s to import.
_EXPORTS = {
    "RESULT_COLUMNS": "detect", "detect_groups": "detect", "flag_speed_share": "detect",
    "CoordinatedNetwork": "network", "coordinated_network": "network", "quantile_threshold": "network",
    "SHARE_COLUMNS": "shares", "ShareError": "shares", "parse_timestamps": "shares", "prep_shares": "shares",
    "read_shares": "shares", "Simulation": "simulate", "simulate_data": "simulate",
    "account_stats": "summaries", "object_stats": "summaries",
}


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'coordgraph.analysis' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"coordgraph.analysis.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "RESULT_COLUMNS", "SHARE_COLUMNS", "CoordinatedNetwork", "ShareError", "Simulation",
    "account_stats", "coordinated_network", "detect_groups", "flag_speed_share", "object_stats",
    "parse_timestamps", "prep_shares", "quantile_threshold", "read_shares", "simulate_data",
]
