"""Wrongly typed JSON anywhere in a record is a reject, never a traceback (property test)."""
from __future__ import annotations

import tempfile
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coordgraph.loader import read_posts

from .conftest import DATA

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)

SAMPLES = {
    "twitter-v2": orjson.loads((DATA / "twarc2" / "search_pages.jsonl").read_bytes().splitlines()[0]),
    "snscrape": orjson.loads((DATA / "snscrape" / "search.jsonl").read_bytes().splitlines()[1]),
    "twitter-v1": orjson.loads((DATA / "twitter_v1" / "stream.jsonl").read_bytes().splitlines()[2]),
}


def paths_of(obj, prefix=()):
    """Every key path inside a JSON value."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield (*prefix, k)
            yield from paths_of(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield (*prefix, i)
            yield from paths_of(v, (*prefix, i))


def replaced(obj, path, value):
    """A copy of ``obj`` with the value at ``path`` replaced."""
    obj = orjson.loads(orjson.dumps(obj))
    cur = obj
    for key in path[:-1]:
        cur = cur[key]
    cur[path[-1]] = value
    return obj


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fmt=st.sampled_from(sorted(SAMPLES)), data=st.data())
def test_any_wrong_type_is_rejected_or_read(fmt, data):
    sample = SAMPLES[fmt]
    paths = list(paths_of(sample))
    lines = []
    for _ in range(3):
        path = data.draw(st.sampled_from(paths))
        lines.append(orjson.dumps(replaced(sample, path, data.draw(json_values))))
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "f.jsonl"
        file.write_bytes(b"\n".join(lines) + b"\n")
        res = read_posts(file, format=fmt, rejects_path=Path(tmp) / "r.jsonl", dedupe=False)
        summary = res.summary()
        assert summary["lines_read"] == summary["kept"] + summary["rejected"]
        assert (res.posts["post_id"].str.len() > 0).all()
        assert res.posts["ts"].dtype == "int64"


@settings(max_examples=100, deadline=None)
@given(fmt=st.sampled_from(["auto", "twitter-v2", "snscrape", "twitter-v1", "jsonl", "csv"]),
       lines=st.lists(st.binary(max_size=60) | json_values.map(orjson.dumps), min_size=1, max_size=5))
def test_arbitrary_bytes_never_raise(fmt, lines):
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "f.jsonl"
        file.write_bytes(b"\n".join(line.replace(b"\n", b" ") for line in lines) + b"\n")
        res = read_posts(file, format=fmt, column_map={"account_id": "a", "ts": "t"} if fmt == "jsonl" else None)
        assert res.posts["ts"].dtype == "int64"


def test_a_float_user_id_in_includes_is_a_reject_naming_its_field(tmp_path):
    """Found by the property test above in CI: the check of an included user against the
    authors already read ran outside the per-record guard, so a float id raised out of the
    reader instead of rejecting the line."""
    sample = SAMPLES["twitter-v2"]
    assert len(sample["includes"]["users"]) > 2
    file = tmp_path / "f.jsonl"
    file.write_bytes(orjson.dumps(sample) + b"\n" + orjson.dumps(replaced(sample, ("includes", "users", 2, "id"), 0.0))
                     + b"\n")
    res = read_posts(file, format="twitter-v2", rejects_path=tmp_path / "r.jsonl", dedupe=False)
    assert res.summary()["rejected"] == 1
    reject = orjson.loads((tmp_path / "r.jsonl").read_bytes().splitlines()[0])
    assert "includes.users[2].id" in orjson.dumps(reject).decode()
    assert "id written as a float" in orjson.dumps(reject).decode()


@pytest.mark.parametrize("fmt, path, field", [
    ("snscrape", ("retweetedTweet", "id"), "retweetedTweet.id"),
    ("snscrape", ("inReplyToTweetId",), "inReplyToTweetId"),
    ("snscrape", ("user", "id"), "user.id"),
    ("twitter-v2", ("data", 0, "geo", "place_id"), "data[0].geo.place_id"),
])
def test_a_float_id_is_a_reject_naming_its_field(tmp_path, fmt, path, field):
    """Every optional id the readers take names its field when it is refused (a float id:
    pandas wrote an integer column with gaps, the id is no longer exact)."""
    sample = SAMPLES[fmt]
    file = tmp_path / "f.jsonl"
    file.write_bytes(orjson.dumps(replaced(sample, path, 1.5e18)) + b"\n")
    res = read_posts(file, format=fmt, rejects_path=tmp_path / "r.jsonl", dedupe=False)
    assert res.summary()["rejected"] == 1
    reject = orjson.loads((tmp_path / "r.jsonl").read_bytes().splitlines()[0])
    assert reject.get("field") == field, reject
