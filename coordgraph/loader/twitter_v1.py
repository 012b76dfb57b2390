"""Reader for Twitter API v1.1 status objects, one per line (twarc1, tweepy dumps, streams).

Text is ``extended_tweet.full_text`` (streams), else ``full_text`` (extended mode), else
``text``; entities likewise come from ``extended_tweet`` when present. A retweet's object is
``retweeted_status.id_str``; a quote's ``quoted_status_id_str``. Stream control messages
(``delete``, ``limit``, ``scrub_geo``...) are not posts and are skipped.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson

from coordgraph.loader.errors import RecordError
from coordgraph.loader.records import (
    ACCOUNT,
    POST,
    REJECT,
    STRUCTURE_ERRORS,
    account_tuple,
    clean_list,
    clean_tags,
    count,
    expect_shape,
    opt_bool,
    opt_count,
    opt_id,
    opt_str,
    opt_time,
    req_id,
    post_time,
    structure_error,
)
from coordgraph.loader.sources import LineSource
from coordgraph.loader.twitter_v2 import json_error

PLATFORM = "twitter"
_CONTROL = ("delete", "limit", "scrub_geo", "status_withheld", "user_withheld", "disconnect", "warning")


def _source_label(source: object) -> str | None:
    """``<a href="...">Twitter Web App</a>`` -> ``Twitter Web App``."""
    text = opt_str(source)
    if text and text.startswith("<") and ">" in text:
        text = text.split(">", 1)[1].rsplit("<", 1)[0].strip() or None
    return text


def user_to_account(u: dict, field: str = "user") -> tuple:
    """An account tuple from a v1.1 user object."""
    if not isinstance(u, dict):
        raise RecordError("a user must be a JSON object", field)
    return account_tuple(
        req_id(u.get("id_str") or u.get("id"), f"{field}.id_str"),
        PLATFORM,
        handle=opt_str(u.get("screen_name")),
        name=opt_str(u.get("name")),
        followers=opt_count(u.get("followers_count"), f"{field}.followers_count"),
        following=opt_count(u.get("friends_count"), f"{field}.friends_count"),
        posts=opt_count(u.get("statuses_count"), f"{field}.statuses_count"),
        created_at=opt_time(u.get("created_at"), f"{field}.created_at"),
        verified=opt_bool(u.get("verified")),
    )


def status_to_post(t: dict) -> tuple:
    """Turn one v1.1 status into a post tuple (raises RecordError naming the field)."""
    post_id = req_id(t.get("id_str") or t.get("id"), "id_str")
    user = t.get("user")
    if not isinstance(user, dict):
        raise RecordError("missing required field", "user")
    account_id = req_id(user.get("id_str") or user.get("id"), "user.id_str")
    ts = post_time(t.get("created_at"), "created_at", PLATFORM)
    ext = t.get("extended_tweet") or {}

    text = ext.get("full_text") or t.get("full_text") or t.get("text")
    if text is not None and not isinstance(text, str):
        raise RecordError("text is not a string", "text")
    entities = ext.get("entities") or t.get("entities") or {}
    retweeted = t.get("retweeted_status")
    place = t.get("place")
    place = (opt_str(place.get("country_code")) or opt_str(place.get("full_name"))) if isinstance(place, dict) else None
    return (
        post_id,
        account_id,
        ts,
        text,
        opt_str(t.get("lang")),
        PLATFORM,
        count(t.get("retweet_count"), "retweet_count"),
        count(t.get("favorite_count"), "favorite_count"),
        count(t.get("quote_count"), "quote_count"),
        count(t.get("reply_count"), "reply_count"),
        opt_id(retweeted.get("id_str") or retweeted.get("id"), "retweeted_status.id_str")
        if isinstance(retweeted, dict) else None,
        opt_id(t.get("quoted_status_id_str") or t.get("quoted_status_id"), "quoted_status_id_str"),
        opt_id(t.get("in_reply_to_status_id_str") or t.get("in_reply_to_status_id"), "in_reply_to_status_id_str"),
        opt_id(t.get("in_reply_to_user_id_str") or t.get("in_reply_to_user_id"), "in_reply_to_user_id_str"),
        clean_tags([h.get("text") for h in entities.get("hashtags") or ()]),
        clean_list([u.get("expanded_url") or u.get("url") for u in entities.get("urls") or ()]),
        clean_tags([m.get("screen_name") for m in entities.get("user_mentions") or ()], "@"),
        [],
        place,
        _source_label(t.get("source")),
        [],
    )


def read_v1_lines(path: Path, source: LineSource, known=()) -> Iterator[tuple]:
    """Items from a JSON-lines file of v1.1 statuses (``known`` accounts not converted again)."""
    name = str(path)
    for number, line in source:
        if isinstance(line, RecordError):
            yield REJECT, line
            continue
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield REJECT, json_error(exc, line, name, number)
            continue
        yield from v1_items_from_object(obj, name, number, line, known)


def v1_items_from_object(obj: object, name: str, number: int, raw, known=()) -> Iterator[tuple]:
    """Items for one parsed v1.1 value: a status, a JSON array of statuses (user_timeline,
    home_timeline, mentions, retweets, lookup: how tweepy users save them) or a search
    response ``{"statuses": [...], "search_metadata": {...}}``. Array elements are named
    by their 0-based index."""
    if isinstance(obj, dict) and isinstance(obj.get("statuses"), list) and "user" not in obj:
        obj = obj["statuses"]
    if isinstance(obj, list):
        for i, status in enumerate(obj):
            if not isinstance(status, dict):
                yield REJECT, RecordError(f"expected a status object, found {type(status).__name__}",
                                          "-", number, name, raw, i)
                continue
            yield from status_items(status, name, number, None, known, i)
        return
    if not isinstance(obj, dict):
        yield REJECT, RecordError("expected a JSON object", "-", number, name, raw)
        return
    yield from status_items(obj, name, number, raw, known)


def shape_problem(t: dict) -> RecordError | None:
    """The first wrongly typed field of a v1.1 status, as a RecordError naming it (called only
    after a conversion failed)."""
    try:
        ext = t.get("extended_tweet")
        expect_shape(ext, dict, "extended_tweet")
        for where, ents in (("entities", t.get("entities")), ("extended_tweet.entities", (ext or {}).get("entities"))):
            expect_shape(ents, dict, where)
            for key in ("hashtags", "urls", "user_mentions"):
                expect_shape((ents or {}).get(key), list, f"{where}.{key}", dict)
        for key in ("retweeted_status", "quoted_status", "place"):
            expect_shape(t.get(key), dict, key)
    except RecordError as err:
        return err
    return None


def status_items(obj: dict, name: str, number: int, raw, known=(), element: int | None = None) -> Iterator[tuple]:
    """Post and account items (or one reject) for one parsed v1.1 status; stream control
    messages give nothing. ``element``: the status's index in a JSON array document."""
    if any(k in obj for k in _CONTROL) and "user" not in obj:
        return
    try:
        post = status_to_post(obj)
        users = [(obj["user"], "user")]
        for key in ("retweeted_status", "quoted_status"):
            ref = obj.get(key)
            if isinstance(ref, dict) and isinstance(ref.get("user"), dict):
                users.append((ref["user"], f"{key}.user"))
        accounts = [
            user_to_account(u, f) for u, f in users if opt_id(u.get("id_str") or u.get("id"), f"{f}.id_str") not in known
        ]
    except (RecordError, *STRUCTURE_ERRORS) as exc:
        err = exc if isinstance(exc, RecordError) else (shape_problem(obj) or structure_error(exc))
        err.file, err.line, err.record, err.element = name, number, raw, element
        yield REJECT, err
        return
    yield POST, post
    for acc in accounts:
        yield ACCOUNT, acc


def looks_like_v1(obj: object) -> bool:
    """True when a parsed record looks like a v1.1 status (or a stream control message), a
    search response or an array whose first element is a status."""
    if isinstance(obj, list):
        return bool(obj) and looks_like_v1(obj[0]) and "delete" not in obj[0]
    if not isinstance(obj, dict):
        return False
    if isinstance(obj.get("statuses"), list) and ("search_metadata" in obj or not obj["statuses"]
                                                  or looks_like_v1(obj["statuses"])):
        return True
    if "id_str" in obj and "user" in obj and "created_at" in obj:
        return True
    return "delete" in obj and len(obj) == 1
