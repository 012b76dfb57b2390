"""Parsing creation times into UNIX epoch seconds (int, UTC).

Accepted: ISO 8601 (``2021-03-04T12:00:01.000Z``, offsets, a space instead of ``T``; a time
without an offset is taken as UTC), Twitter v1 style (``Wed Oct 10 20:19:24 +0000 2018``),
numbers (epoch seconds; values above 10^11 are taken as milliseconds), and ``datetime`` /
``date`` objects (what a Parquet timestamp or date column gives; naive = UTC). Fractions of a
second are dropped (floor).
"""
from __future__ import annotations

import math
from datetime import date, datetime, timezone

_MS_THRESHOLD = 100_000_000_000  # 1e11 s is year 5138: larger values are milliseconds
_V1_FORMAT = "%a %b %d %H:%M:%S %z %Y"


class TimeParseError(ValueError):
    """A time value that is none of the accepted forms."""


_MINUTES: dict[str, int] = {}  # "YYYY-MM-DDTHH:MM" -> epoch seconds of that minute (UTC)


def _fast_iso(text: str) -> int | None:
    """Epoch seconds for the common ``YYYY-MM-DDTHH:MM:SS[.fff]Z`` / ``+00:00`` forms, else None.

    The minute is parsed once and cached (a collection spans few distinct minutes per
    batch), so most calls cost a dict look-up and one small int().
    """
    n = len(text)
    if n < 20 or text[10] != "T" or text[16] != ":":
        return None
    tail = text[19:]
    if tail not in ("Z", ".000Z", "+00:00", ".000+00:00") and not (
        tail[:1] == "." and tail[-1:] == "Z" and tail[1:-1].isdigit()
    ):
        return None
    minute = text[:16]
    base = _MINUTES.get(minute)
    if base is None:
        try:
            base = int(datetime.fromisoformat(minute + ":00+00:00").timestamp())
        except ValueError:
            return None
        if len(_MINUTES) > 200_000:
            _MINUTES.clear()
        _MINUTES[minute] = base
    sec = text[17:19]
    if not sec.isdigit() or sec > "59":
        return None
    return base + int(sec)


def parse_time(value: object) -> int:
    """Return ``value`` as UNIX seconds UTC, or raise :class:`TimeParseError`."""
    if type(value) is str:
        fast = _fast_iso(value)
        if fast is not None:
            return fast
    if isinstance(value, bool) or value is None:
        raise TimeParseError(f"unparseable time: {value!r}")
    if isinstance(value, datetime):  # Parquet/Arrow timestamp columns (pandas Timestamp too)
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return math.floor(value.timestamp())
    if isinstance(value, date):  # a date32 column: midnight UTC
        return int(datetime(value.year, value.month, value.day, tzinfo=timezone.utc).timestamp())
    if isinstance(value, int):
        return value // 1000 if abs(value) >= _MS_THRESHOLD else value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TimeParseError(f"unparseable time: {value!r}")
        return int(math.floor(value / 1000 if abs(value) >= _MS_THRESHOLD else value))
    if not isinstance(value, str):
        raise TimeParseError(f"unparseable time: {value!r}")
    text = value.strip()
    if not text:
        raise TimeParseError("empty time")
    if text.isdigit():
        number = int(text)
        return number // 1000 if number >= _MS_THRESHOLD else number
    first = text[0]
    if first.isdigit() or first == "-":
        if len(text) > 4 and text[4] == "-":
            return _parse_iso(text, value)
        try:
            return parse_time(int(text))
        except ValueError:
            try:
                return parse_time(float(text))
            except ValueError:
                raise TimeParseError(f"unparseable time: {value!r}") from None
    try:
        return int(datetime.strptime(text, _V1_FORMAT).timestamp())
    except ValueError:
        raise TimeParseError(f"unparseable time: {value!r}") from None


def _parse_iso(text: str, original: object) -> int:
    """Parse an ISO 8601 date-time (naive = UTC) to UNIX seconds."""
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        raise TimeParseError(f"unparseable time: {original!r}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return math.floor(dt.timestamp())
