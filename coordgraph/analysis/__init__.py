"""The detection method and the statistics: pure data in, data out (no database, no web).

The public functions keep CooRTweet's names so that its users find their way:
:func:`prep_shares`, :func:`detect_groups`, :func:`flag_speed_share`,
:func:`coordinated_network`, :func:`account_stats`, :func:`object_stats`, :func:`simulate_data`.
"""
from coordgraph.analysis.detect import RESULT_COLUMNS, detect_groups, flag_speed_share
from coordgraph.analysis.network import CoordinatedNetwork, coordinated_network, quantile_threshold
from coordgraph.analysis.shares import SHARE_COLUMNS, ShareError, parse_timestamps, prep_shares, read_shares
from coordgraph.analysis.simulate import Simulation, simulate_data
from coordgraph.analysis.summaries import account_stats, object_stats

__all__ = [
    "RESULT_COLUMNS", "SHARE_COLUMNS", "CoordinatedNetwork", "ShareError", "Simulation",
    "account_stats", "coordinated_network", "detect_groups", "flag_speed_share", "object_stats",
    "parse_timestamps", "prep_shares", "quantile_threshold", "read_shares", "simulate_data",
]
