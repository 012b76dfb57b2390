"""Posts -> shares, one intent at a time (CooRTweet's reshape_tweets, and more intents).

A share is one row ``object_id, account_id, content_id, timestamp_share, kind``: the
account shared the object in the post ``content_id`` at ``timestamp_share`` (UNIX seconds
UTC). Rules per intent (``compat=True`` reproduces CooRTweet 2.1.3, fixtures T9):

============  ==========================================================================
retweets      object = retweeted post id; each retweeted original in the data is also a
              share of itself (object = its own id; the loop rule removes it later).
quotes        object = quoted post id.
replies       object = the post replied to.
mentions      object = mentioned handle, lowercased, without ``@``.
hashtags      object = hashtag, case as in the data (``lowercase_hashtags`` to fold).
urls          object = expanded URL. Compat: drop URLs starting ``https://twitter.com``.
              Default: drop links to the platform itself (twitter.com, x.com, t.co),
              scheme and host lowercased.
urls_domains  object = the URL's host. Compat: every ``www.`` removed. Default: parsed
              host, lowercased, one leading ``www.`` removed.
cotweet       object = normalised text (:func:`~coordgraph.loader.text.normalize_text`).
images        object = perceptual hash from the ``image_hashes`` column.
objects       object = what a column mapping gave as ``object_id`` (``objects`` column).
similar_text, similar_images: computed by their own modules (lazily imported).
============  ==========================================================================

``drop_retweets`` / ``drop_replies`` apply to the intents about what the account wrote
itself (cotweet, mentions; similar_text/similar_images get ``include_retweets = not
drop_retweets``); as in CooRTweet, hashtags, urls and domains keep retweets and replies.
Blank objects are never shares.
"""
from __future__ import annotations

import inspect
import unicodedata
from collections.abc import Iterable

import pandas as pd

from coordgraph.loader.errors import LoaderError
from coordgraph.loader.schema import empty_shares
from coordgraph.loader.text import clean_whitespace, normalize_text, remove_hashtags
from coordgraph.loader.urls import NOTICE_REASON, clean_url, is_notice_url, keep_url, url_domain

from coordgraph.contracts import INTENTS  # noqa: E402
_WROTE_ITSELF = ("cotweet", "mentions")


def _frame(objects, accounts, contents, times, kind: str) -> pd.DataFrame:
    """A shares DataFrame from aligned sequences, blank/null objects removed."""
    frame = pd.DataFrame(
        {
            "object_id": pd.Series(_values(objects), dtype="str"),
            "account_id": pd.Series(_values(accounts), dtype="str"),
            "content_id": pd.Series(_values(contents), dtype="str"),
            "timestamp_share": pd.Series(_values(times), dtype="int64"),
        }
    )
    obj = frame["object_id"]
    keep = obj.notna() & (obj.str.strip().str.len() > 0)
    frame = frame[keep].reset_index(drop=True)
    frame["kind"] = pd.Series([kind] * len(frame), dtype="str")
    return frame


def _values(seq) -> list:
    """A plain list (drops a Series' index so columns align by position)."""
    return seq.tolist() if hasattr(seq, "tolist") else list(seq)


def _explode(posts: pd.DataFrame, column: str) -> pd.DataFrame:
    """One row per (post, item of the list column ``column``), items renamed ``item``."""
    _check(posts, [column])
    sub = posts[["post_id", "account_id", "ts", column]].explode(column)
    sub = sub[sub[column].notna()]
    return sub.rename(columns={column: "item"})


def _check(posts: pd.DataFrame, columns: Iterable[str]) -> None:
    """Raise LoaderError when posts lack a column an intent needs."""
    missing = [c for c in columns if c not in posts.columns]
    if missing:
        raise LoaderError(f"posts table has no column {', '.join(missing)}")


def _filter_own(posts: pd.DataFrame, drop_retweets: bool, drop_replies: bool) -> pd.DataFrame:
    """Posts without retweets and/or replies."""
    mask = pd.Series(True, index=posts.index)
    if drop_retweets and "retweeted_id" in posts:
        mask &= posts["retweeted_id"].isna()
    if drop_replies and "replied_to_id" in posts:
        mask &= posts["replied_to_id"].isna()
    return posts[mask]


def _reference(posts: pd.DataFrame, column: str, kind: str) -> pd.DataFrame:
    """Shares whose object is the id in ``column`` (quotes, replies)."""
    _check(posts, [column])
    sub = posts[posts[column].notna()]
    return _frame(sub[column], sub["account_id"], sub["post_id"], sub["ts"], kind)


def retweets(posts: pd.DataFrame, originals: bool = True) -> pd.DataFrame:
    """Retweet shares, plus each retweeted original in the data as a share of itself."""
    _check(posts, ["retweeted_id"])
    rts = posts[posts["retweeted_id"].notna()]
    parts = [_frame(rts["retweeted_id"], rts["account_id"], rts["post_id"], rts["ts"], "retweets")]
    if originals:
        orig = posts[posts["post_id"].isin(set(rts["retweeted_id"]))]
        parts.append(_frame(orig["post_id"], orig["account_id"], orig["post_id"], orig["ts"], "retweets"))
    return pd.concat(parts, ignore_index=True)


def fold_hashtag(tag: str) -> str:
    """A hashtag folded the way users expect ``--lowercase-hashtags`` to: NFKC (full-width
    and compatibility forms to their plain letters, NFC/NFD to one form), then Unicode case
    folding (``ß`` -> ``ss``, ``İ`` -> ``i̇``, Greek final sigma), then NFKC again."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", tag).casefold())


def hashtags(posts: pd.DataFrame, lowercase: bool = False, compat: bool = False) -> pd.DataFrame:
    """One share per (post, hashtag)."""
    sub = _explode(posts, "hashtags")
    items = [str(x) if compat else clean_whitespace(str(x)) for x in sub["item"]]
    if lowercase:
        fold = str.lower if compat else fold_hashtag  # compat: R's tolower, as CooRTweet
        items = [fold(x) if x is not None else None for x in items]
    return _frame(items, sub["account_id"], sub["post_id"], sub["ts"], "hashtags")


def mentions(posts: pd.DataFrame) -> pd.DataFrame:
    """One share per (post, mentioned handle); handles lowercased without ``@``."""
    sub = _explode(posts, "mentions")
    items = [str(x).strip().lstrip("@").lower() for x in sub["item"]]
    return _frame(items, sub["account_id"], sub["post_id"], sub["ts"], "mentions")


def urls(posts: pd.DataFrame, compat: bool = False, domains: bool = False, skipped=None) -> pd.DataFrame:
    """One share per (post, URL) or (post, domain); see the module doc for the rules.

    ``skipped`` (a Counter) counts the Twitter notice links left out, by reason.
    """
    sub = _explode(posts, "urls")
    raw = [str(x) for x in sub["item"]]
    keep = [keep_url(u, compat) for u in raw]
    if skipped is not None:
        notices = sum(1 for u in raw if is_notice_url(u))
        if notices:
            skipped[f"{'urls_domains' if domains else 'urls'}: {NOTICE_REASON}"] += notices
    sub = sub[pd.Series(keep, index=sub.index, dtype=bool)]  # (a bare empty list would select columns)
    raw = [u for u, k in zip(raw, keep) if k]
    if domains:
        items = [url_domain(u, compat) for u in raw]
        kind = "urls_domains"
    else:
        items = raw if compat else [clean_url(u) for u in raw]
        kind = "urls"
    return _frame(items, sub["account_id"], sub["post_id"], sub["ts"], kind)


def cotweet(
    posts: pd.DataFrame, compat: bool = False, drop_hashtags: bool = False
) -> pd.DataFrame:
    """One share per post whose normalised text is not blank (object = that text).

    With ``drop_hashtags`` the hashtags are removed first; in compat mode CooRTweet then
    uses the raw text without normalising it (its quirk, fixture T9 keepall_drophashtags).
    """
    _check(posts, ["text"])
    texts = posts["text"]
    objects = []
    for text in texts:
        if not isinstance(text, str):
            objects.append(None)
        elif drop_hashtags and compat:
            objects.append(remove_hashtags(text))
        elif drop_hashtags:
            objects.append(normalize_text(remove_hashtags(text)))
        else:
            objects.append(normalize_text(text, compat=compat))
    return _frame(objects, posts["account_id"], posts["post_id"], posts["ts"], "cotweet")


def list_column(posts: pd.DataFrame, column: str, kind: str) -> pd.DataFrame:
    """One share per (post, item) of a list column, items trimmed (images, objects)."""
    if column not in posts.columns:
        return empty_shares()
    sub = _explode(posts, column)
    items = [clean_whitespace(str(x)) for x in sub["item"]]
    return _frame(items, sub["account_id"], sub["post_id"], sub["ts"], kind)


def _similar(posts: pd.DataFrame, intent: str, drop_retweets: bool, **kwargs) -> pd.DataFrame:
    """Shares from the similar_text / similar_images modules (written separately).

    Only the keyword arguments the function accepts are passed (so one option set can be
    given to :func:`stack_intents` for several intents); ``drop_retweets`` becomes its
    ``include_retweets``.
    """
    try:
        if intent == "similar_text":
            from coordgraph.loader.similar_text import similar_text_shares as fn
        else:
            from coordgraph.loader.similar_images import similar_image_shares as fn
    except ImportError as exc:
        raise LoaderError(f"intent '{intent}' is not available in this installation ({exc})") from None
    accepted = inspect.signature(fn).parameters
    kwargs = {k: v for k, v in kwargs.items() if k in accepted}
    if "include_retweets" in accepted:
        kwargs["include_retweets"] = not drop_retweets
    shares = fn(posts, **kwargs)
    shares = shares.copy()
    shares["kind"] = intent
    return shares


def reshape(
    posts: pd.DataFrame,
    intent: str,
    *,
    compat: bool = False,
    lowercase_hashtags: bool = False,
    drop_retweets: bool = True,
    drop_replies: bool = True,
    drop_hashtags: bool = False,
    originals: bool = True,
    skipped=None,
    **similar_kwargs,
) -> pd.DataFrame:
    """Shares of one ``intent`` from a posts table (columns object_id, account_id,
    content_id, timestamp_share[int64, UNIX seconds UTC], kind). See the module doc.

    ``skipped`` (a Counter, optional) counts objects left out on purpose, by reason (the
    Twitter notice links of the urls intents). ``similar_kwargs`` (e.g. ``similarity=0.8`` or ``max_distance=4``) go to the
    similar_text / similar_images functions.
    """
    if intent not in INTENTS:
        raise LoaderError(f"unknown intent '{intent}' (known: {', '.join(INTENTS)})")
    _check(posts, ["post_id", "account_id", "ts"])
    if intent in _WROTE_ITSELF:
        posts = _filter_own(posts, drop_retweets, drop_replies)
    if intent == "retweets":
        return retweets(posts, originals=originals)
    if intent == "quotes":
        return _reference(posts, "quoted_id", "quotes")
    if intent == "replies":
        return _reference(posts, "replied_to_id", "replies")
    if intent == "mentions":
        return mentions(posts)
    if intent == "hashtags":
        return hashtags(posts, lowercase=lowercase_hashtags, compat=compat)
    if intent in ("urls", "urls_domains"):
        return urls(posts, compat=compat, domains=intent == "urls_domains", skipped=skipped)
    if intent == "cotweet":
        return cotweet(posts, compat=compat, drop_hashtags=drop_hashtags)
    if intent == "images":
        return list_column(posts, "image_hashes", "images")
    if intent == "objects":
        return list_column(posts, "objects", "objects")
    return _similar(posts, intent, drop_retweets, **similar_kwargs)


def stack_intents(posts: pd.DataFrame, intents: Iterable[str], **kwargs) -> pd.DataFrame:
    """One multi-modal shares table: each intent's shares with ``kind:``-prefixed object ids.

    The prefix keeps a hashtag and a URL that happen to be the same string apart, so
    detection pairs only shares of the same kind of object. Options go to :func:`reshape`.
    """
    intents = list(dict.fromkeys(intents))
    if not intents:
        raise LoaderError("no intent given")
    parts = []
    for intent in intents:
        shares = reshape(posts, intent, **kwargs)
        shares = shares.assign(object_id=intent + ":" + shares["object_id"])
        parts.append(shares)
    out = pd.concat(parts, ignore_index=True)
    out["timestamp_share"] = out["timestamp_share"].astype("int64")
    return out
