"""Whole-file JSON documents: one JSON value spread over the file (not JSON lines).

The shapes collectors save: academictwitteR ``data_*.json`` (an array of v2 tweets) and
``users_*.json`` (an includes object); API v1.1 REST responses as tweepy users write them
(an array of statuses from user_timeline, home_timeline, mentions or retweets, a search
response ``{"statuses": [...], "search_metadata": ...}``, one pretty-printed status); a v2
response page; an snscrape array. A UTF-8 byte-order mark is ignored. Each element of an
array is one record, named by its 0-based index in messages (``file: element 3: ...``).
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson

from coordgraph.loader import snscrape, twitter_v1, twitter_v2
from coordgraph.loader.errors import RecordError
from coordgraph.loader.records import REJECT
from coordgraph.loader.sources import BOM, read_all



def _kind(obj: object) -> str:
    """'v1', 'snscrape' or 'v2' for a parsed document (an array: its first object decides)."""
    first = obj
    if isinstance(obj, list):
        first = next((x for x in obj if isinstance(x, dict)), None)
    if twitter_v1.looks_like_v1(obj) or twitter_v1.looks_like_v1(first):
        return "v1"
    if snscrape.looks_like_snscrape(first):
        return "snscrape"
    return "v2"


def read_json_document(path: Path, known=()) -> Iterator[tuple]:
    """Items from a file holding one JSON document (see the module doc)."""
    name = str(path)
    try:
        raw = read_all(path)
    except RecordError as err:
        yield REJECT, err
        return
    if raw.startswith(BOM):
        raw = raw[len(BOM):]
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        yield REJECT, twitter_v2.json_error(exc, raw, name, 0)
        return
    kind = _kind(obj)
    if kind == "v1":
        line = 0 if isinstance(obj, list) or isinstance(obj.get("statuses") if isinstance(obj, dict) else None, list) else 1
        yield from twitter_v1.v1_items_from_object(obj, name, line, None, known)
        return
    if kind == "snscrape":
        items = obj if isinstance(obj, list) else [obj]
        for i, t in enumerate(items):
            for item in snscrape.items_from_tweet(t, name, 0 if isinstance(obj, list) else 1, None, known):
                if item[0] == REJECT:
                    item[1].element = i if isinstance(obj, list) else None
                yield item
        return
    yield from twitter_v2.read_v2_object(path, obj, known)
