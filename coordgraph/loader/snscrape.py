"""Reader for snscrape's Twitter JSON lines (``snscrape --jsonl twitter-search ...``).

One tweet object per line. Both snscrape generations are read: the text is ``rawContent``
(newer) or ``content`` (older); links are ``links[].url`` (newer) or ``outlinks`` (older).
Retweets and quotes carry the whole referenced tweet (``retweetedTweet``/``quotedTweet``);
only its id is kept, and its author is added to the accounts.
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


def user_to_account(u: dict, field: str = "user") -> tuple:
    """An account tuple from an snscrape User object."""
    if not isinstance(u, dict):
        raise RecordError("a user must be a JSON object", field)
    return account_tuple(
        req_id(u.get("id"), f"{field}.id"),
        PLATFORM,
        handle=opt_str(u.get("username")),
        name=opt_str(u.get("displayname")),
        followers=opt_count(u.get("followersCount"), f"{field}.followersCount"),
        following=opt_count(u.get("friendsCount"), f"{field}.friendsCount"),
        posts=opt_count(u.get("statusesCount"), f"{field}.statusesCount"),
        created_at=opt_time(u.get("created"), f"{field}.created"),
        verified=opt_bool(u.get("verified")),
    )


def _ref_id(ref: object, field: str) -> str | None:
    """The id of an embedded referenced tweet (object or bare id) at ``field``."""
    if isinstance(ref, dict):
        return opt_id(ref.get("id"), f"{field}.id")
    return opt_id(ref, field)


def tweet_to_post(t: dict) -> tuple:
    """Turn one snscrape tweet object into a post tuple (raises RecordError naming the field)."""
    if not isinstance(t, dict):
        raise RecordError("a tweet must be a JSON object", "-")
    post_id = req_id(t.get("id"), "id")
    user = t.get("user")
    if not isinstance(user, dict):
        raise RecordError("missing required field", "user")
    account_id = req_id(user.get("id"), "user.id")
    ts = post_time(t.get("date"), "date", PLATFORM)
    text = t.get("rawContent")
    if text is None:
        text = t.get("content")
    if text is None:
        text = t.get("renderedContent")
    if text is not None and not isinstance(text, str):
        raise RecordError("text is not a string", "rawContent")
    links = t.get("links")
    if links:
        urls = clean_list([(u.get("url") if isinstance(u, dict) else u) for u in links])
    else:
        urls = clean_list(t.get("outlinks"))
    mentioned = t.get("mentionedUsers") or ()
    mentions = clean_tags([m.get("username") for m in mentioned if isinstance(m, dict)], "@")
    reply_user = t.get("inReplyToUser")
    place = t.get("place")
    if isinstance(place, dict):
        place = opt_str(place.get("countryCode")) or opt_str(place.get("fullName"))
    else:
        place = None
    source = t.get("sourceLabel") or t.get("source")
    return (
        post_id,
        account_id,
        ts,
        text,
        opt_str(t.get("lang")),
        PLATFORM,
        count(t.get("retweetCount"), "retweetCount"),
        count(t.get("likeCount"), "likeCount"),
        count(t.get("quoteCount"), "quoteCount"),
        count(t.get("replyCount"), "replyCount"),
        _ref_id(t.get("retweetedTweet"), "retweetedTweet"),
        _ref_id(t.get("quotedTweet"), "quotedTweet"),
        opt_id(t.get("inReplyToTweetId"), "inReplyToTweetId"),
        opt_id(reply_user.get("id"), "inReplyToUser.id") if isinstance(reply_user, dict) else None,
        clean_tags(t.get("hashtags")),
        urls,
        mentions,
        [],
        place,
        opt_str(source),
        [],
    )


def shape_problem(t: object) -> RecordError | None:
    """The first wrongly typed field of an snscrape tweet (called only after a failure)."""
    if not isinstance(t, dict):
        return None
    try:
        for key, items in (("links", None), ("mentionedUsers", dict), ("hashtags", None), ("outlinks", None)):
            expect_shape(t.get(key), list, key, items)
        for key in ("user", "place", "inReplyToUser"):
            expect_shape(t.get(key), dict, key)
    except RecordError as err:
        return err
    return None


def items_from_tweet(t: object, path: str, line: int, raw: bytes, known=()) -> Iterator[tuple]:
    """Post and account items (or a reject) for one snscrape tweet (``known`` accounts skipped)."""
    try:
        post = tweet_to_post(t)  # type: ignore[arg-type]
        accounts = [user_to_account(t["user"])] if opt_id(t["user"].get("id"), "user.id") not in known else []  # type: ignore[index]
        for key in ("retweetedTweet", "quotedTweet"):
            ref = t.get(key)  # type: ignore[union-attr]
            if isinstance(ref, dict) and isinstance(ref.get("user"), dict) and opt_id(ref["user"].get("id"), f"{key}.user.id") not in known:
                accounts.append(user_to_account(ref["user"], f"{key}.user"))
    except (RecordError, *STRUCTURE_ERRORS) as exc:
        err = exc if isinstance(exc, RecordError) else (shape_problem(t) or structure_error(exc))
        err.file, err.line, err.record = path, line, raw
        yield REJECT, err
        return
    yield POST, post
    for acc in accounts:
        yield ACCOUNT, acc


def read_snscrape(path: Path, source: LineSource, known=()) -> Iterator[tuple]:
    """Items from an snscrape JSON-lines file."""
    name = str(path)
    loads = orjson.loads
    for number, line in source:
        if isinstance(line, RecordError):
            yield REJECT, line
            continue
        try:
            obj = loads(line)
        except orjson.JSONDecodeError as exc:
            yield REJECT, json_error(exc, line, name, number)
            continue
        yield from items_from_tweet(obj, name, number, line, known)


def looks_like_snscrape(obj: object) -> bool:
    """True when a parsed first record looks like an snscrape tweet."""
    if not isinstance(obj, dict):
        return False
    kind = obj.get("_type")
    if isinstance(kind, str) and kind.startswith("snscrape."):
        return True
    return "date" in obj and "user" in obj and ("rawContent" in obj or "content" in obj)
