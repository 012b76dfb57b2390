"""Text rules for the cotweet intent and for cleaning fields.

Two flavours of :func:`normalize_text`:

* ``compat=True`` is CooRTweet 2.1.3's rule, reproduced exactly (fixture T6): remove each
  ``@`` and what follows up to the next whitespace (and that whitespace), remove every
  literal ``RT`` even inside words, lowercase, trim.
* the default is the sound version: remove ``@mentions`` only at a word start, remove a
  leading retweet marker ``RT @user:``, remove t.co short links (Twitter gives every post
  its own, so identical texts with a link would never match), lowercase, collapse
  whitespace, trim.
"""
from __future__ import annotations

import re

_WS = re.compile(r"\s+")
_COMPAT_MENTION = re.compile(r"@\S+\s*")
_COMPAT_RT = "RT"
_MENTION = re.compile(r"(?<![\w@])@\w+")
_RT_WORD = re.compile(r"^\s*RT\b\s*(?:@\w+)?\s*:?", re.IGNORECASE)
_HASHTAG = re.compile(r"#\S+\s*")
_TCO = re.compile(r"https?://t\.co/\w+", re.IGNORECASE)


def clean_whitespace(text: str | None) -> str | None:
    """Trim and collapse runs of whitespace to one space; None and blank give None."""
    if text is None:
        return None
    out = _WS.sub(" ", text).strip()
    return out or None


def normalize_text(text: str, compat: bool = False) -> str:
    """Normalise a post's text for the cotweet intent (identical texts share one object).

    ``compat=True`` reproduces CooRTweet 2.1.3 exactly (see module doc); the default also
    collapses whitespace, drops t.co links, and removes mentions and the ``RT`` marker only
    as whole words.
    """
    if compat:
        text = _COMPAT_MENTION.sub("", text)
        text = text.replace(_COMPAT_RT, "")
        return text.lower().strip()
    text = _RT_WORD.sub("", text)
    text = _TCO.sub("", text)
    text = _MENTION.sub("", text)
    return _WS.sub(" ", text).lower().strip()


def remove_hashtags(text: str) -> str:
    """Remove each ``#`` and what follows up to the next whitespace, and that whitespace.

    This is CooRTweet 2.1.3's rule (fixture T6); the text is otherwise left as it is.
    """
    return _HASHTAG.sub("", text)
