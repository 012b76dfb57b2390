"""Text, URL and time rules: CooRTweet's T6 exactly in compat mode, sound defaults otherwise."""
from __future__ import annotations

import csv

import pytest

from coordgraph.loader.text import clean_whitespace, normalize_text, remove_hashtags
from coordgraph.loader.timeparse import TimeParseError, parse_time
from coordgraph.loader.urls import clean_url, keep_url, url_domain, url_host

from .conftest import TOY


def t6_rows() -> list[dict]:
    with open(TOY / "T6_text.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("row", t6_rows(), ids=lambda r: r["text"])
def test_t6_normalize_text_compat_matches_coortweet(row):
    assert normalize_text(row["text"], compat=True) == row["normalize_text"]


@pytest.mark.parametrize("row", t6_rows(), ids=lambda r: r["text"])
def test_t6_remove_hashtags_matches_coortweet(row):
    assert remove_hashtags(row["text"]) == row["remove_hashtags"]


def test_default_normalize_keeps_words_that_contain_rt_and_emails():
    # CooRTweet removes every "RT" and every "@..." token: "ART" -> "A", emails lose their host
    assert normalize_text("ART of @a x") == "art of x"
    assert normalize_text("email me@x.org now") == "email me@x.org now"
    assert normalize_text("RT @user: Hello   WORLD #Tag") == "hello world #tag"
    assert normalize_text("  Mixed\tCase \n @end ") == "mixed case"
    assert normalize_text("Buy now https://t.co/AbC1 http://t.co/x9 https://example.com/T") == "buy now https://example.com/t"


def test_clean_whitespace():
    assert clean_whitespace("  a \t b\n") == "a b"
    assert clean_whitespace(" \n ") is None
    assert clean_whitespace(None) is None


def test_url_hosts_and_domains():
    assert url_host("https://User:pw@WWW.Example.COM:8080/a?b#c") == "www.example.com"
    assert url_host("example.org/path") == "example.org"
    assert url_host("   ") is None
    assert url_domain("https://www.example.com/a") == "example.com"
    assert url_domain("http://news.www.org/b") == "news.www.org"  # sound: only a leading www.
    assert url_domain("http://news.www.org/b", compat=True) == "news.org"  # CooRTweet
    assert url_domain("https://www.example.com/a", compat=True) == "example.com"


def test_platform_links_are_not_url_objects():
    assert not keep_url("https://twitter.com/x/status/1", compat=True)
    assert keep_url("http://twitter.com/x/status/1", compat=True)  # CooRTweet's prefix test only
    assert not keep_url("http://twitter.com/x/status/1")
    assert not keep_url("https://x.com/a/status/2")
    assert not keep_url("")
    assert keep_url("https://example.com")
    assert clean_url(" HTTPS://Example.COM/Path?Q=1 ") == "https://example.com/Path?Q=1"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2022-03-05T10:00:00.000Z", 1646474400),
        ("2022-03-05T11:00:00+01:00", 1646474400),
        ("2022-03-05 10:00:00", 1646474400),  # naive = UTC
        ("Sat Mar 05 10:00:00 +0000 2022", 1646474400),
        (1646474400, 1646474400),
        ("1646474400", 1646474400),
        (1646474400123, 1646474400),  # milliseconds
        (1646474400.9, 1646474400),
        ("1646474400.5", 1646474400),
    ],
)
def test_parse_time(value, expected):
    assert parse_time(value) == expected


@pytest.mark.parametrize("value", ["yesterday", "", "2022-13-01T00:00:00Z", None, float("nan"), True])
def test_parse_time_rejects(value):
    with pytest.raises(TimeParseError):
        parse_time(value)
