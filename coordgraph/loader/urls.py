"""URL rules for the urls and urls_domains intents.

Sound defaults: hosts come from real URL parsing (lowercased, port and credentials removed,
one leading ``www.`` removed); links to the platform itself (twitter.com, x.com) are
dropped because they are quotes or media, which other intents cover. In both modes,
Twitter's withheld / media-policy notice links (:func:`is_notice_url`) are dropped and
counted: Twitter inserts them, the account never shared them.
Compat mode reproduces CooRTweet 2.1.3: drop URLs that start with ``https://twitter.com``;
the domain is the host with every ``www.`` removed (``news.www.org`` becomes ``news.org``).
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

#: Twitter's notice pages that it puts in place of withheld or removed media
#: ("This Tweet is withheld in ...", "This media has been disabled in response to a report
#: by the copyright owner"): /articles/20169222 (country withheld content) and /20169199
#: (media policy), on support.twitter.com and help.twitter.com (and their x.com mirrors).
#: They are Twitter's boilerplate, not what the account shared: never a URL share.
NOTICE_REASON = "Twitter withheld/media-policy notice link"
_NOTICE = re.compile(
    r"^(?:https?://)?(?:www\.)?(?:support|help)\.(?:twitter|x)\.com/(?:[a-z]{2}(?:-[a-z]{2})?/)?"
    r"(?:articles/)?(?:20169222|20169199)(?:[/?#-]|$)",
    re.IGNORECASE,
)


def is_notice_url(url: str) -> bool:
    """True for Twitter's withheld / media-policy notice links (see ``NOTICE_REASON``)."""
    return "20169" in url and _NOTICE.match(url.strip()) is not None

PLATFORM_HOSTS = frozenset(
    {"twitter.com", "mobile.twitter.com", "x.com", "mobile.x.com", "t.co", "pic.twitter.com"}
)


def url_host(url: str) -> str | None:
    """The host of ``url``, lowercased, without port or credentials; None if there is none.

    A URL without a scheme (``example.com/a``) is read as ``http://example.com/a``.
    """
    url = url.strip()
    if not url:
        return None
    if "://" not in url[:12]:
        url = "http://" + url
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host.rstrip(".")


def url_domain(url: str, compat: bool = False) -> str | None:
    """The domain an URL belongs to for urls_domains (see module doc for the two rules)."""
    host = url_host(url)
    if host is None:
        return None
    if compat:
        return host.replace("www.", "") or None
    if host.startswith("www."):
        host = host[4:]
    return host or None


def keep_url(url: str, compat: bool = False) -> bool:
    """Whether ``url`` is an object for the urls intents (not blank, not a platform link)."""
    if not url or url.isspace() or is_notice_url(url):
        return False
    if compat:
        return not url.startswith("https://twitter.com")
    host = url_host(url)
    if host is None:
        return False
    if host.startswith("www."):
        host = host[4:]
    return host not in PLATFORM_HOSTS


def clean_url(url: str) -> str:
    """Trim an URL and lowercase its scheme and host (the path keeps its case)."""
    url = url.strip()
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    host, slash, path = rest.partition("/")
    return f"{scheme.lower()}://{host.lower()}{slash}{path}"
