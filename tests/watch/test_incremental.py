"""The incremental engine equals the batch engines on all data applied, whatever the batch
boundaries, late posts (within the bound), duplicates and loops."""
from __future__ import annotations

import numpy as np
import pytest

from coordgraph.analysis.incremental import LiveParams, LiveState
from coordgraph.analysis.pipeline import DetectionParams, run_detection
from tests.watch.helpers import edges_equal, effective_input, random_stream, rows_equal, split


def live_run(stream, params, n_batches, seed):
    state = LiveState(params)
    for part in split(stream, n_batches, seed):
        state.apply(part)
    return state


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("mp, fast", [(1, None), (2, 4), (3, 6)])
def test_equals_batch_run_on_random_streams(seed, mp, fast):
    stream = random_stream(seed)
    params = LiveParams(time_window=10, min_participation=mp, edge_weight=0.6, fast_window=fast, late_bound=10_000)
    want = run_detection(effective_input(stream, 10_000), DetectionParams(10, mp, True, 0.6, fast))
    extra = () if fast is None else (f"time_window_{fast}",)
    for n_batches in (1, 7, 40):
        state = live_run(stream, params, n_batches, seed)
        rows_equal(state.result_frame(), want.result, extra)
        edges_equal(state.edges_frame(), want.network.edges)
        assert state.thresholds() == (want.network.threshold, want.network.threshold_fast)
        assert state.vertices_frame()["account_id"].tolist() == want.network.vertices["account_id"].tolist()


@pytest.mark.parametrize("seed", range(4))
def test_posts_beyond_the_late_bound_are_left_out_and_counted(seed):
    stream = random_stream(seed, late_frac=0.3, late_max=200)
    params = LiveParams(time_window=10, min_participation=2, fast_window=3, late_bound=60)
    effective = effective_input(stream, 60)
    want = run_detection(effective, DetectionParams(10, 2, True, 0.5, 3))
    state = live_run(stream, params, 13, seed)
    rows_equal(state.result_frame(), want.result, ("time_window_3",))
    edges_equal(state.edges_frame(), want.network.edges)
    late = effective_input(stream, 10**9)  # duplicates only
    assert state.too_late > 0
    assert state.seq == len(effective)
    assert state.too_late + state.duplicates + state.seq == len(stream)
    assert state.seq + state.too_late >= len(effective) and len(late) >= len(effective)


def test_window_state_is_bounded_by_the_window():
    """After a long stream only the shares of the last late_bound + time_window seconds stay."""
    stream = random_stream(3, n_posts=2000, span=20_000, late_frac=0.0)
    state = live_run(stream, LiveParams(time_window=10, min_participation=2, late_bound=100), 50, 3)
    assert state.w_t.min() >= state.max_t - 110
    assert len(state.w_t) < 0.05 * len(stream)
    assert len(state.contents.index) <= len(state.w_t)


def test_keep_loops_and_ties():
    stream = random_stream(11, span=40)  # many equal times
    params = LiveParams(time_window=5, min_participation=2, remove_loops=False, late_bound=10_000)
    want = run_detection(effective_input(stream, 10_000), DetectionParams(5, 2, False, 0.5, None))
    state = live_run(stream, params, 9, 11)
    rows_equal(state.result_frame(), want.result)
    edges_equal(state.edges_frame(), want.network.edges)


def test_contents_are_renumbered_when_most_left_the_window():
    """Per-content arrays follow the window and the co-share rows, not the history."""
    stream = random_stream(5, n_posts=3000, n_objects=40, span=30_000, late_frac=0.05)
    params = LiveParams(time_window=10, min_participation=2, fast_window=4, late_bound=100)
    state = LiveState(params)
    state.compact_floor = 50
    for part in split(stream, 60, 5):
        state.apply(part)
    live = np.unique(np.concatenate((state.w_cont, state.p_l, state.p_r, state.k_l, state.k_r)))
    assert len(state.contents) <= 2 * len(live) + 1 and len(state.contents) < stream["content_id"].nunique() / 2
    want = run_detection(effective_input(stream, 100), DetectionParams(10, 2, True, 0.5, 4))
    rows_equal(state.result_frame(), want.result, ("time_window_4",))
    edges_equal(state.edges_frame(), want.network.edges)
