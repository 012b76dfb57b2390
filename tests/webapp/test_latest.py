"""A session's superseded redraws are skipped (coordgraph/webapp/latest.py)."""
import threading
import time

import pytest

from coordgraph.webapp.latest import LatestOnly, Superseded


def _wait_until(predicate, what: str) -> None:
    for _ in range(20_000):  # a condition, not a time limit: 20,000 polls of 1 ms at least
        if predicate():
            return
        time.sleep(0.001)
    raise AssertionError(f"never happened: {what}")


def test_only_the_newest_waiting_request_of_a_session_is_computed():
    latest = LatestOnly()
    release = threading.Event()
    computed, outcome = [], {}

    def slow():
        computed.append("first")
        release.wait()
        return "first"

    def call(name, fn):
        try:
            outcome[name] = latest.run("session-a", fn)
        except Superseded:
            outcome[name] = "skipped"

    first = threading.Thread(target=call, args=("first", slow))
    first.start()
    _wait_until(lambda: computed == ["first"], "the first request computing")
    # two more requests of the same session arrive while the first one computes
    second = threading.Thread(target=call, args=("second", lambda: computed.append("second") or "second"))
    second.start()
    _wait_until(lambda: latest._newest["session-a"] == 2, "the second request registered")
    third = threading.Thread(target=call, args=("third", lambda: computed.append("third") or "third"))
    third.start()
    _wait_until(lambda: latest._newest["session-a"] == 3, "the third request registered")
    release.set()
    for t in (first, second, third):
        t.join()
    assert outcome == {"first": "first", "second": "skipped", "third": "third"}
    assert computed == ["first", "third"]


def test_sessions_do_not_wait_for_each_other():
    latest = LatestOnly()
    release = threading.Event()
    started = threading.Event()

    def slow():
        started.set()
        release.wait()
        return "a"

    a = threading.Thread(target=lambda: latest.run("session-a", slow))
    a.start()
    started.wait()
    # while session a computes, session b's request is computed at once and not skipped
    assert latest.run("session-b", lambda: "b") == "b"
    release.set()
    a.join()


def test_a_lone_request_is_computed_and_errors_pass_through():
    latest = LatestOnly()
    assert latest.run("s", lambda: 42) == 42
    with pytest.raises(ZeroDivisionError):
        latest.run("s", lambda: 1 / 0)
    assert latest.run("s", lambda: 43) == 43  # the lock was released after the error
