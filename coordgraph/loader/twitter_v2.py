"""Reader for Twitter/X API v2 data, in the shapes collection tools write.

* twarc2 JSON lines: each line one API response page ``{"data": [...], "includes": {...}}``;
* one tweet per line (twarc2 ``flatten`` output, with ``author`` embedded, or plain v2
  tweet objects);
* academictwitteR files: ``data_<id>.json`` (a JSON array of tweets) and
  ``users_<id>.json`` (the page's ``includes``: users, tweets, places).

Users found anywhere (``includes.users``, embedded ``author``) become account rows with
their profile (followers, created_at, verified). ``geo.place_id`` is resolved through
``includes.places`` to the country code (else the place's full name, else the id).
"""
from __future__ import annotations

import re
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
from coordgraph.loader.sources import LineSource, read_all

PLATFORM = "twitter"
_ACADEMIC_DATA = re.compile(r"^data_(.+)\.json(\.gz)?$")


def tweet_to_post(t: dict, places: dict | None = None) -> tuple:
    """Turn one v2 tweet object into a post tuple (raises RecordError naming the field)."""
    if not isinstance(t, dict):
        raise RecordError("a tweet must be a JSON object", "-")
    post_id = req_id(t.get("id"), "id")
    account_id = req_id(t.get("author_id"), "author_id")
    ts = post_time(t.get("created_at"), "created_at", PLATFORM)
    text = t.get("text")
    entities = t.get("entities")
    note = t.get("note_tweet")

    if note:  # long posts: the full text and its entities live in note_tweet
        text = note.get("text") or text
        entities = note.get("entities") or entities
    if text is not None and not isinstance(text, str):
        raise RecordError("text is not a string", "text")
    pm = t.get("public_metrics")
    if pm:
        rt = count(pm.get("retweet_count"), "public_metrics.retweet_count")
        lk = count(pm.get("like_count"), "public_metrics.like_count")
        qt = count(pm.get("quote_count"), "public_metrics.quote_count")
        rp = count(pm.get("reply_count"), "public_metrics.reply_count")
    else:
        rt = lk = qt = rp = 0
    retweeted = quoted = replied = None
    refs = t.get("referenced_tweets")
    if refs:
        for ref in refs:
            kind = ref.get("type")
            rid = opt_id(ref.get("id"), "referenced_tweets.id")
            if kind == "retweeted":
                retweeted = rid
            elif kind == "quoted":
                quoted = rid
            elif kind == "replied_to":
                replied = rid
    if entities:
        hashtags = clean_tags([h.get("tag") for h in entities.get("hashtags") or ()])
        urls = clean_list(
            [u.get("expanded_url") or u.get("url") for u in entities.get("urls") or ()]
        )
        mentions = clean_tags([m.get("username") for m in entities.get("mentions") or ()], "@")
    else:
        hashtags, urls, mentions = [], [], []
    place = None
    geo = t.get("geo")
    if geo:
        pid = opt_id(geo.get("place_id"), "geo.place_id")
        info = (places or {}).get(pid) if pid else None
        if info is None and isinstance(geo.get("country_code"), str):
            info = geo  # twarc2 flatten embeds the place in geo
        if info:
            place = opt_str(info.get("country_code")) or opt_str(info.get("full_name"))
        place = place or opt_id(pid)
    return (
        post_id,
        account_id,
        ts,
        text,
        opt_str(t.get("lang")),
        PLATFORM,
        rt,
        lk,
        qt,
        rp,
        retweeted,
        quoted,
        replied,
        opt_id(t.get("in_reply_to_user_id"), "in_reply_to_user_id"),
        hashtags,
        urls,
        mentions,
        [],
        place,
        opt_str(t.get("source")),
        [],
    )


def shape_problem(t: object) -> RecordError | None:
    """The first wrongly typed field of a v2 tweet, as a RecordError naming it (called only
    after a conversion failed, so the happy path pays nothing for it)."""
    try:
        if not isinstance(t, dict):
            return None
        entities, note = t.get("entities"), t.get("note_tweet")
        expect_shape(entities, dict, "entities")
        expect_shape(note, dict, "note_tweet")
        if note:
            expect_shape(note.get("entities"), dict, "note_tweet.entities")
        for ents, where in ((entities, "entities"), ((note or {}).get("entities"), "note_tweet.entities")):
            for key in ("hashtags", "urls", "mentions"):
                expect_shape((ents or {}).get(key), list, f"{where}.{key}", dict)
        expect_shape(t.get("public_metrics"), dict, "public_metrics")
        expect_shape(t.get("referenced_tweets"), list, "referenced_tweets", dict)
        expect_shape(t.get("geo"), dict, "geo")
        expect_shape(t.get("author"), dict, "author")
    except RecordError as err:
        return err
    return None


def user_to_account(u: dict) -> tuple:
    """Turn one v2 user object into an account tuple."""
    if not isinstance(u, dict):
        raise RecordError("a user must be a JSON object", "users")
    pm = u.get("public_metrics") or {}
    return account_tuple(
        req_id(u.get("id"), "users.id"),
        PLATFORM,
        handle=opt_str(u.get("username")),
        name=opt_str(u.get("name")),
        followers=opt_count(pm.get("followers_count"), "public_metrics.followers_count"),
        following=opt_count(pm.get("following_count"), "public_metrics.following_count"),
        posts=opt_count(pm.get("tweet_count"), "public_metrics.tweet_count"),
        created_at=opt_time(u.get("created_at"), "users.created_at"),
        verified=opt_bool(u.get("verified")),
    )


def _places(includes: dict | None) -> dict:
    """place_id -> place object, from a response's includes."""
    if not includes or not isinstance(includes, dict) or not isinstance(includes.get("places") or [], list):
        return {}
    return {p["id"]: p for p in includes.get("places") or () if isinstance(p, dict) and isinstance(p.get("id"), str)}


def _users(includes: dict | None, path: str, line: int, raw: bytes | None, known=()) -> Iterator[tuple]:
    """Account items (or rejects) for the users in ``includes`` not already ``known``."""
    if not includes:
        return
    users = includes.get("users") or ()
    if not isinstance(users, list):
        yield REJECT, RecordError("unexpected structure: 'users' is not a list", "includes.users", line, path, raw)
        return
    for i, u in enumerate(users):
        try:
            if isinstance(u, dict) and opt_id(u.get("id"), "id") in known:
                continue
            account = user_to_account(u)
        except (RecordError, *STRUCTURE_ERRORS) as exc:
            err = exc if isinstance(exc, RecordError) else structure_error(exc)
            err.file, err.line, err.field, err.record = path, line, f"includes.users[{i}].{err.field}", raw
            yield REJECT, err
            continue
        yield ACCOUNT, account


def _tweets(
    tweets: list, places: dict, path: str, line: int, raw: bytes | None, prefix: str, known=()
) -> Iterator[tuple]:
    """Post items (and embedded authors not already ``known``) for a list of v2 tweets."""
    for i, t in enumerate(tweets):
        try:
            if not isinstance(t, dict):
                raise RecordError(f"expected a tweet object, found {type(t).__name__}", "-")
            post = tweet_to_post(t, places)
            author = t.get("author")
            account = user_to_account(author) if author and opt_id(author.get("id"), "author.id") not in known else None
        except (RecordError, *STRUCTURE_ERRORS) as exc:
            err = exc if isinstance(exc, RecordError) else (shape_problem(t) or structure_error(exc))
            err.file, err.line, err.record = path, line, raw
            if prefix is None:  # the elements of a top-level JSON array
                err.element = i
            else:
                err.field = f"{prefix}[{i}].{err.field}" if prefix else err.field
            yield REJECT, err
            continue
        yield POST, post
        if account is not None:
            yield ACCOUNT, account


def items_from_object(obj: object, path: str, line: int, raw: bytes | None, places=None, known=()):
    """Items for one parsed JSON value: a response page, a tweet, an includes or a list.

    ``known`` holds account ids already emitted with a profile: they are not converted again.
    """
    if isinstance(obj, list):
        if raw is None:  # a JSON array document: each element is one record
            yield from _tweets(obj, places or {}, path, line, raw, None, known)
            return
        if obj and not all(isinstance(t, dict) for t in obj):
            yield REJECT, RecordError("expected tweet objects, found a list of other values", "-", line, path, raw)
            return
        yield from _tweets(obj, places or {}, path, line, raw, "", known)
        return
    if not isinstance(obj, dict):
        yield REJECT, RecordError("expected a JSON object", "-", line, path, raw)
        return
    if "data" in obj or "includes" in obj or "meta" in obj:
        includes = obj.get("includes")
        data = obj.get("data")
        if isinstance(data, dict):
            data = [data]
        if not isinstance(includes, (dict, type(None))) or not isinstance(data, (list, type(None))):
            bad = "includes" if not isinstance(includes, (dict, type(None))) else "data"
            yield REJECT, RecordError(f"unexpected structure: '{bad}' is a {type(obj[bad]).__name__}", bad, line, path, raw)
            return
        page_places = _places(includes)
        if places:
            page_places = {**places, **page_places}
        yield from _tweets(data or [], page_places, path, line, raw, "data", known)
        yield from _users(includes, path, line, raw, known)
        return
    if "users" in obj and "id" not in obj:  # academictwitteR users_*.json (an includes)
        yield from _users(obj, path, line, raw, known)
        return
    yield from _tweets([obj], places or {}, path, line, raw, "", known)


def read_v2_lines(path: Path, source: LineSource, known=()) -> Iterator[tuple]:
    """Items from a JSON-lines file of v2 pages or tweets (twarc2, flattened or not)."""
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
        yield from items_from_object(obj, name, number, line, None, known)


def read_v2_document(path: Path, known=()) -> Iterator[tuple]:
    """Items from a whole-file JSON document (academictwitteR ``data_*.json``/``users_*.json``).

    For ``data_<id>.json`` the sibling ``users_<id>.json`` (if present) supplies the places.
    """
    name = str(path)
    try:
        raw = read_all(path)
    except RecordError as err:
        yield REJECT, err
        return
    try:
        obj = orjson.loads(raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw)
    except orjson.JSONDecodeError as exc:
        yield REJECT, json_error(exc, raw, name, 0)
        return
    yield from read_v2_object(path, obj, known)


def read_v2_object(path: Path, obj: object, known=()) -> Iterator[tuple]:
    """Items from a parsed v2 document (its array elements named by index)."""
    name = str(path)
    places = {}
    m = _ACADEMIC_DATA.match(path.name)
    if m:
        sibling = path.with_name(f"users_{m.group(1)}.json")
        if not sibling.exists():
            sibling = path.with_name(f"users_{m.group(1)}.json.gz")
        if sibling.exists():
            try:
                places = _places(orjson.loads(read_all(sibling)))
            except (RecordError, orjson.JSONDecodeError, AttributeError):
                places = {}  # the sibling's own problems are reported when it is read
    # an array's records are named by element index; a single object is the record at line 1
    yield from items_from_object(obj, name, 0 if isinstance(obj, list) else 1, None, places, known)


def json_error(exc: orjson.JSONDecodeError, raw: bytes, path: str, line: int) -> RecordError:
    """A RecordError for a line that is not JSON, telling invalid UTF-8 from bad syntax."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as uexc:
        reason = f"invalid UTF-8: byte 0x{raw[uexc.start]:02x} at offset {uexc.start}"
        return RecordError(reason, "-", line, path, raw)
    if line == 0:
        # whole-file document: name the line of the error
        line = raw.count(b"\n", 0, max(exc.pos, 0)) + 1
    return RecordError(f"malformed JSON: {exc.msg} at column {exc.colno}", "-", line, path, raw)


def looks_like_v2(obj: object) -> bool:
    """True when a parsed first record looks like v2 data (page, tweet, or includes)."""
    if isinstance(obj, list):
        return not obj or (isinstance(obj[0], dict) and "author_id" in obj[0])
    if not isinstance(obj, dict):
        return False
    if "data" in obj or "includes" in obj:
        return True
    if "users" in obj and "id" not in obj:
        return True
    return "author_id" in obj and "id" in obj


def is_document_name(path: Path) -> bool:
    """academictwitteR naming: data_<id>.json / users_<id>.json."""
    name = path.name
    return (name.startswith("data_") or name.startswith("users_")) and (
        name.endswith(".json") or name.endswith(".json.gz")
    )

