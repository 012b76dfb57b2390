"""String order of R, for CooRTweet's edge orientation in ``compat`` mode.

CooRTweet orients every result row with ``pmin(account_id, account_id_y)`` /
``pmax(...)``, and R compares strings by the collation of the session, not by code point:

- ``icu`` (default): R built with ICU (CRAN's Linux, macOS and Windows builds;
  ``capabilities("ICU")``) in any non-C locale collates with ICU's collator for that locale.
  For ``en_US.UTF-8`` (and every locale without its own tailoring: de, fr, it, es, pt, nl, ...)
  that is the CLDR root collation: letters compared case-insensitively first (``a`` < ``B``
  < ``c``), accents next, lower case before upper case last (``a`` < ``A``); punctuation and
  digits before letters. We call the system's ICU library (libicu, through ctypes) with the
  ``en_US`` locale, so the order is ICU's own, not an approximation.
- ``c``: ``LC_COLLATE=C`` (or ``R_ICU_LOCALE`` unset in a C locale): byte order of the UTF-8
  text, which is code-point order (``B`` < ``a``).

Strings that the collator finds equal (canonically equivalent forms such as NFC/NFD ``é``,
or ones differing only by ignorable characters such as a soft hyphen) get the same rank,
as ``Scollate`` returns 0 for them; :func:`r_pmin_pmax` then reproduces what R's
``pmin``/``pmax`` do with such a pair (both return the first argument).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import glob
import re
from functools import lru_cache

import numpy as np
import pandas as pd

COLLATIONS = ("icu", "c")
#: The ICU locale R uses in an en_US.UTF-8 session (R: ``uloc_setDefault(getLocale())``).
ICU_LOCALE = "en_US"


class CollationError(ValueError):
    """The requested collation cannot be applied on this machine (no ICU library)."""


def check_collation(collation: str) -> str:
    """Return ``collation`` if it is one of :data:`COLLATIONS`, else raise ValueError."""
    if collation not in COLLATIONS:
        raise ValueError(f"collation must be one of {', '.join(COLLATIONS)}, got {collation!r}")
    return collation


def _icu_library_paths() -> list[str]:
    found = ctypes.util.find_library("icui18n")
    paths = [found] if found else []
    for pattern in ("/usr/lib/*/libicui18n.so.*", "/usr/lib/libicui18n.so.*", "/usr/local/lib/libicui18n.so.*",
                    "/usr/lib/libicucore.dylib"):
        paths += sorted(glob.glob(pattern), reverse=True)
    return paths


@lru_cache(maxsize=1)
def _icu():
    """(ucol_getSortKey, collator) from the system's libicu; ICU's C symbols carry the
    major version as a suffix (``ucol_open_72``) unless built without renaming."""
    errors = []
    for path in _icu_library_paths():
        try:
            lib = ctypes.CDLL(path)
        except OSError as exc:
            errors.append(f"{path}: {exc}")
            continue
        suffixes = [""] + [f"_{m}" for m in re.findall(r"\.so\.(\d+)", path)] + [f"_{v}" for v in range(90, 43, -1)]
        for suffix in suffixes:
            try:
                open_ = getattr(lib, "ucol_open" + suffix)
                sort_key = getattr(lib, "ucol_getSortKey" + suffix)
            except AttributeError:
                continue
            open_.restype = ctypes.c_void_p
            open_.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]
            sort_key.restype = ctypes.c_int32
            sort_key.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int32, ctypes.c_char_p, ctypes.c_int32]
            status = ctypes.c_int(0)
            collator = open_(ICU_LOCALE.encode(), ctypes.byref(status))
            if not collator or status.value > 0:
                errors.append(f"{path}: ucol_open failed with status {status.value}")
                break
            return sort_key, collator
    raise CollationError(
        "--collation icu needs the ICU library (Debian/Ubuntu: apt-get install libicu-dev); "
        "use --collation c for code-point order" + (f" ({'; '.join(errors)})" if errors else ""))


def icu_sort_keys(texts) -> list[bytes]:
    """ICU's sort key of each text (en_US, tertiary strength): byte strings compare as the
    collator compares the texts."""
    sort_key, collator = _icu()
    size = 256
    buf = ctypes.create_string_buffer(size)
    keys = []
    for text in texts:
        utf16 = str(text).encode("utf-16-le")
        n = len(utf16) // 2
        need = sort_key(collator, utf16, n, buf, size)
        if need > size:
            size = 2 * need
            buf = ctypes.create_string_buffer(size)
            need = sort_key(collator, utf16, n, buf, size)
        keys.append(buf.raw[: max(need - 1, 0)])  # without the terminating NUL
    return keys


def ranks(values, collation: str = "icu") -> np.ndarray:
    """Dense rank (int64) of each string of ``values`` in R's order under ``collation``;
    equal ranks for strings the collation finds equal."""
    check_collation(collation)
    values = np.asarray(values, dtype=object)
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    codes, uniques = pd.factorize(values, sort=False)
    if collation == "c":  # numpy compares str by code point = UTF-8 byte order
        _, dense = np.unique(np.asarray([str(u) for u in uniques], dtype=str), return_inverse=True)
        return dense.reshape(-1).astype(np.int64)[codes]
    keys = icu_sort_keys(uniques)
    order = sorted(range(len(keys)), key=keys.__getitem__)
    new_rank = [True] + [keys[order[i]] != keys[order[i - 1]] for i in range(1, len(order))]
    dense = np.empty(len(keys), dtype=np.int64)
    dense[np.asarray(order, dtype=np.int64)] = np.cumsum(new_rank) - 1
    return dense[codes]


def r_pmin_pmax(a, b, collation: str = "icu") -> tuple[np.ndarray, np.ndarray]:
    """R's ``pmin(a, b)`` and ``pmax(a, b)`` on two string columns under ``collation``
    (R keeps ``a`` unless ``b`` compares strictly lower / higher)."""
    a = np.asarray(a, dtype=object)
    b = np.asarray(b, dtype=object)
    r = ranks(np.concatenate([a, b]), collation)
    ra, rb = r[: len(a)], r[len(a):]
    return np.where(rb < ra, b, a), np.where(rb > ra, b, a)
