"""A persisted live state reloads to the same state, and a commit interrupted at any step
(an exception between the write steps, as kill -9 would leave it) re-runs to the same end."""
from __future__ import annotations

import pytest

from coordgraph.analysis.incremental import LiveParams
from coordgraph.analysis.live_store import LiveStore
from coordgraph.analysis.pipeline import DetectionParams, run_detection
from tests.watch.helpers import edges_equal, effective_input, random_stream, rows_equal, split

PARAMS = LiveParams(time_window=10, min_participation=2, edge_weight=0.5, fast_window=4, late_bound=80)


class Crash(Exception):
    pass


def test_reload_after_every_batch_equals_batch_run(tmp_path):
    stream = random_stream(5, late_frac=0.2, late_max=150)
    for part in split(stream, 15, 5):
        state, extra = LiveStore(tmp_path).load(PARAMS)  # a fresh process each batch
        state.apply(part)
        LiveStore(tmp_path).commit(state, {"n": extra.get("n", 0) + 1})
    state, extra = LiveStore(tmp_path).load(PARAMS)
    assert extra == {"n": 15}
    want = run_detection(effective_input(stream, 80), DetectionParams(10, 2, True, 0.5, 4))
    rows_equal(state.result_frame(), want.result, ("time_window_4",))
    edges_equal(state.edges_frame(), want.network.edges)
    assert state.thresholds() == (want.network.threshold, want.network.threshold_fast)


@pytest.mark.parametrize("step", ["kept-part", "names-part", "generation", "renamed", "committed"])
def test_interrupted_commit_reruns_to_the_same_end(tmp_path, step):
    stream = random_stream(8, late_frac=0.2, late_max=150)
    batches = split(stream, 12, 8)
    crash_at = 6

    def fault(name):
        if name == step:
            raise Crash(name)

    for k, part in enumerate(batches):
        state, _ = LiveStore(tmp_path).load(PARAMS)
        applied = state.batch
        if applied > k:  # the crashed batch got committed after all: skip it
            continue
        state.apply(part)
        if k == crash_at:
            with pytest.raises(Crash):
                LiveStore(tmp_path).commit(state, fault=fault)
            state, _ = LiveStore(tmp_path).load(PARAMS)  # restart
            if state.batch == k + 1:
                continue
            assert state.batch == k  # not applied at all
            state.apply(part)
        LiveStore(tmp_path).commit(state)
    state, _ = LiveStore(tmp_path).load(PARAMS)
    want = run_detection(effective_input(stream, 80), DetectionParams(10, 2, True, 0.5, 4))
    rows_equal(state.result_frame(), want.result, ("time_window_4",))
    edges_equal(state.edges_frame(), want.network.edges)


def test_other_parameters_are_refused(tmp_path):
    state, _ = LiveStore(tmp_path).load(PARAMS)
    state.apply(random_stream(1).iloc[:50])
    LiveStore(tmp_path).commit(state)
    with pytest.raises(ValueError, match="time_window: 10 there, 20 asked"):
        LiveStore(tmp_path).load(LiveParams(time_window=20, fast_window=4, late_bound=80))


@pytest.mark.parametrize("crash", [None, "kept-part", "renamed", "committed"])
def test_renumbered_contents_persist_as_a_new_base(tmp_path, crash):
    stream = random_stream(9, n_posts=2000, n_objects=40, span=20_000, late_frac=0.05)
    batches = split(stream, 30, 9)
    rebased = 0
    for k, part in enumerate(batches):
        state, _ = LiveStore(tmp_path).load(PARAMS)
        if state.batch > k:
            continue
        state.compact_floor = 40
        state.apply(part)
        rebased += state.rebase
        if crash and state.rebase and rebased == 2:
            with pytest.raises(Crash):
                LiveStore(tmp_path).commit(state, fault=lambda name: (_ for _ in ()).throw(Crash()) if name == crash
                                           else None)
            state, _ = LiveStore(tmp_path).load(PARAMS)
            if state.batch > k:
                continue
            state.compact_floor = 40
            state.apply(part)
        LiveStore(tmp_path).commit(state)
    assert rebased >= 2
    state, _ = LiveStore(tmp_path).load(PARAMS)
    want = run_detection(effective_input(stream, 80), DetectionParams(10, 2, True, 0.5, 4))
    rows_equal(state.result_frame(), want.result, ("time_window_4",))
    edges_equal(state.edges_frame(), want.network.edges)
