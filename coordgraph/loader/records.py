"""Field helpers shared by the readers: ids, counts, lists, and the post/account tuples.

A reader turns each platform record into a *post tuple* (the columns of
``schema.POST_COLUMNS`` in order) and zero or more *account tuples*
(``schema.ACCOUNT_COLUMNS``). Problems raise :class:`~coordgraph.loader.errors.RecordError`
naming the field.
"""
from __future__ import annotations

from coordgraph.loader.errors import RecordError
from coordgraph.loader.timeparse import TimeParseError, parse_time

POST = 0
ACCOUNT = 1
REJECT = 2
#: a note for the load report: the item is ``(file, message)`` (a warning, not a reject)
NOTE = 3

#: what wrongly typed JSON raises inside a converter (a string where an object should be...)
STRUCTURE_ERRORS = (AttributeError, TypeError, KeyError, ValueError, IndexError)


def expect_shape(value: object, kind: type, field: str, items: type | None = None) -> None:
    """RecordError naming ``field`` unless ``value`` is None or a ``kind`` (whose elements,
    for a list, are all ``items``): a JSON value of the wrong type never becomes a field-less
    'unexpected structure' later."""
    if value is None:
        return
    if not isinstance(value, kind):
        raise RecordError(f"unexpected structure: expected {_TYPE_NAMES[kind]}, found {_json_type(value)}", field)
    if items is not None:
        for i, item in enumerate(value):
            if not isinstance(item, items):
                raise RecordError(f"unexpected structure: expected {_TYPE_NAMES[items]}, found {_json_type(item)}",
                                  f"{field}[{i}]")


_TYPE_NAMES = {dict: "an object", list: "a list", str: "a string"}


def _json_type(value: object) -> str:
    """The JSON name of a parsed value's type."""
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number",
            float: "a number"}.get(type(value), type(value).__name__)


def structure_error(exc: BaseException, field: str = "-") -> RecordError:
    """A RecordError for a record whose structure is not the documented one."""
    return RecordError(f"unexpected structure: {type(exc).__name__}: {exc}"[:300], field)


def float_id_error(value: object, field: str) -> RecordError:
    """The error for an id written as a float (a float64 holds 15-17 digits, a tweet id 19)."""
    return RecordError(
        f"id written as a float: {value!r} cannot be recovered exactly; "
        "write ids as strings or int64"[:300], field)


def req_id(value: object, field: str) -> str:
    """A required id as a non-blank string (ints are accepted: snscrape writes numbers;
    floats are refused: a float64 cannot hold a 19-digit id exactly; a NUL character is
    refused as the CSV reader refuses it: no store or share file can carry it)."""
    if type(value) is str and value and not value[0].isspace() and not value[-1].isspace() \
            and "\x00" not in value:
        return value
    if isinstance(value, str):
        if "\x00" in value:
            raise RecordError("NUL character in an id", field)
        value = value.strip()
        if value:
            return value
    elif isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    elif isinstance(value, float) and value == value:
        raise float_id_error(value, field)
    if value is None or value == "" or value != value:
        raise RecordError("missing required field", field)
    raise RecordError(f"not an id: {value!r}"[:200], field)


def opt_id(value: object, field: str = "-") -> str | None:
    """An optional id as a string, or None when absent, blank or NaN (pandas' missing value).

    A float that is a number is refused (RecordError naming ``field``): an integer id column
    with missing values is written as float64 by pandas and its ids are no longer exact.
    """
    if value is None:
        return None
    if type(value) is str and value and not value[0].isspace() and not value[-1].isspace() \
            and "\x00" not in value:
        return value
    if isinstance(value, str):
        if "\x00" in value:
            raise RecordError("NUL character in an id", field)
        value = value.strip()
        return value or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value == value:
        raise float_id_error(value, field)
    return None


def opt_str(value: object) -> str | None:
    """An optional string (trimmed); None when absent or blank."""
    if value is None:
        return None
    if not isinstance(value, str):
        value = str(value)
    value = value.strip()
    return value or None


_MIN_TS, _MAX_TS = -62_135_596_800, 253_402_300_799  # years 1 and 9999, UNIX seconds
_MAX_COUNT = 2**63 - 1
#: the earliest post time anywhere: the UNIX epoch (the store refuses negative times)
POST_EPOCH = 0
#: the earliest Twitter post time: 2006-03-21T00:00:00Z (the service's first post)
TWITTER_START = 1_142_899_200


def _iso(ts: int) -> str:
    """UNIX seconds as ``YYYY-MM-DDTHH:MM:SSZ`` (for messages)."""
    from datetime import datetime, timezone

    return datetime.fromtimestamp(ts, tz=timezone.utc).isoformat().replace("+00:00", "Z")


def post_time(value: object, field: str, platform: str | None = None) -> int:
    """A required post time as UNIX seconds UTC, refused before 1970 (every platform: the
    store refuses them too) and, with ``platform="twitter"`` (the platform's own JSON
    readers), before 2006-03-21 (a post cannot predate the service: a wrong unit or a default
    date such as 0001-01-01 would otherwise become real-looking evidence). Tables (CSV,
    Parquet, tidy v2) are held to 1970 only: their times may be synthetic (test fixtures)."""
    ts = req_time(value, field)
    if platform == "twitter" and ts < TWITTER_START:
        raise RecordError(f"time before Twitter's start (2006-03-21): {_iso(ts)} ({value!r})"[:200], field)
    if ts < POST_EPOCH:
        raise RecordError(f"time before 1970-01-01: {_iso(ts)} ({value!r})"[:200], field)
    return ts


def _in_range(ts: int, value: object, field: str) -> int:
    """``ts`` if it is a date between the years 1 and 9999, else a RecordError."""
    if _MIN_TS <= ts <= _MAX_TS:
        return ts
    raise RecordError(f"unparseable time: {value!r} is out of range"[:200], field)


def req_time(value: object, field: str) -> int:
    """A required creation time as UNIX seconds UTC."""
    if value is None or value == "":
        raise RecordError("missing required field", field)
    try:
        return _in_range(parse_time(value), value, field)
    except TimeParseError as exc:
        raise RecordError(str(exc)[:200], field) from None


def opt_time(value: object, field: str) -> int | None:
    """An optional time (account creation) as UNIX seconds UTC; unparseable is an error."""
    if value is None or value == "":
        return None
    try:
        return _in_range(parse_time(value), value, field)
    except TimeParseError as exc:
        raise RecordError(str(exc)[:200], field) from None


def count(value: object, field: str) -> int:
    """An engagement count: absent/blank is 0; numbers and '1,234' are read; else an error."""
    if type(value) is int and 0 <= value <= _MAX_COUNT:
        return value
    if value is None:
        return 0
    if isinstance(value, int) and not isinstance(value, bool):
        return _count_range(value, field)
    if isinstance(value, float) and value == value and abs(value) < 9.2e18:
        return _count_range(int(value), field)
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        if not text:
            return 0
        try:
            return _count_range(int(text), field)
        except ValueError:
            try:
                number = float(text)
                if number == number and abs(number) < 9.2e18:
                    return _count_range(int(number), field)
            except ValueError:
                pass
    raise RecordError(f"not a count: {value!r}"[:200], field)


def _count_range(value: int, field: str) -> int:
    """A count that fits int64 and is not negative, else a RecordError."""
    if 0 <= value <= _MAX_COUNT:
        return value
    raise RecordError(f"not a count: {value} is out of range"[:200], field)


def opt_count(value: object, field: str) -> int | None:
    """Like :func:`count` but absent stays None (account profile numbers)."""
    if value is None or value == "":
        return None
    return count(value, field)


def opt_bool(value: object) -> bool | None:
    """A boolean from JSON/CSV text (true/false/1/0/yes/no); None when absent."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value)
    text = str(value).strip().lower()
    if text in ("true", "t", "1", "yes", "y"):
        return True
    if text in ("false", "f", "0", "no", "n"):
        return False
    return None


def clean_tags(values: object, strip: str = "#") -> list[str]:
    """A list of entity strings: trimmed, leading ``strip`` chars removed, blanks dropped."""
    if not values:
        return []
    out = []
    for v in values:
        if v is None:
            continue
        s = str(v).strip().lstrip(strip).strip()
        if s:
            out.append(s)
    return out


def clean_list(values: object) -> list[str]:
    """A list of strings, trimmed, blanks and nulls dropped."""
    if not values:
        return []
    out = []
    for v in values:
        if v is None:
            continue
        s = str(v).strip()
        if s:
            out.append(s)
    return out


def account_tuple(
    account_id: str,
    platform: str,
    handle: str | None = None,
    name: str | None = None,
    followers: int | None = None,
    following: int | None = None,
    posts: int | None = None,
    created_at: int | None = None,
    verified: bool | None = None,
) -> tuple:
    """An account row in ``ACCOUNT_COLUMNS`` order."""
    return (account_id, handle, name, platform, followers, following, posts, created_at, verified)
