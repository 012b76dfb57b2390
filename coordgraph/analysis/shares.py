"""Share tables: the input of the detection method, checked and typed.

A *share* is one row ``(object_id, account_id, content_id, timestamp_share)``: an account
posted ``content_id`` carrying ``object_id`` at ``timestamp_share`` (UNIX seconds, UTC).
:func:`prep_shares` turns any table into that shape (CooRTweet: ``prep_data``) and refuses
bad data with a message that names the column and the first bad rows.
"""
from __future__ import annotations

import re
import warnings
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from coordgraph.contracts import SHARE_COLUMNS  # noqa: E402
ID_COLUMNS = ("object_id", "account_id", "content_id")


class ShareError(ValueError):
    """Input that cannot be turned into shares; the message names the column and rows."""


def _first_bad(frame: pd.DataFrame, mask: np.ndarray, column: str, limit: int = 3) -> str:
    """Describe the first ``limit`` rows where ``mask`` is true: 'row 3 ('abc'), row 7 (...)'.

    Rows are numbered as data rows from 1 (a CSV's line number is this plus one for the header).
    """
    positions = np.flatnonzero(mask)[:limit]
    values = frame[column].iloc[positions].tolist()
    return ", ".join(f"row {p + 1} ({v!r})" for p, v in zip(positions, values))


def _epoch_seconds(stamps: pd.Series) -> np.ndarray:
    """UTC datetimes -> int64 UNIX seconds (floor), whatever the datetime unit."""
    delta = stamps - pd.Timestamp(0, tz="UTC")
    return (delta // pd.Timedelta(seconds=1)).to_numpy(dtype=np.int64)


def parse_timestamps(values: pd.Series, column: str = "timestamp_share") -> np.ndarray:
    """Parse times to int64 UNIX seconds (UTC).

    Accepts integers or floats (UNIX seconds; fractions are truncated toward zero, as
    ``as.numeric`` then integer arithmetic would), digit strings, ISO 8601 strings (with or
    without offset; naive ones are taken as UTC), and ``"%Y-%m-%d %H:%M:%S"``.
    Raises :class:`ShareError` naming the first rows that cannot be parsed.
    """
    frame = values.to_frame(column)
    if pd.api.types.is_bool_dtype(values):
        raise ShareError(f"column {column!r}: booleans are not times")
    if pd.api.types.is_datetime64_any_dtype(values):
        stamps = pd.to_datetime(values, utc=True)
        bad = stamps.isna().to_numpy()
        if bad.any():
            raise ShareError(f"column {column!r}: missing times at {_first_bad(frame, bad, column)}")
        return _epoch_seconds(stamps)
    if pd.api.types.is_numeric_dtype(values):
        numbers = pd.to_numeric(values)
        bad = numbers.isna().to_numpy() | ~np.isfinite(numbers.to_numpy(dtype=float, na_value=np.nan))
        if bad.any():
            raise ShareError(f"column {column!r}: missing or non-finite times at {_first_bad(frame, bad, column)}")
        return np.trunc(numbers.to_numpy(dtype=float)).astype(np.int64) if pd.api.types.is_float_dtype(values) \
            else numbers.to_numpy(dtype=np.int64)
    text = values.astype("string").str.strip()
    out = np.zeros(len(text), dtype=np.int64)
    digits = text.str.fullmatch(r"-?\d+(\.\d+)?").fillna(False).to_numpy(dtype=bool)
    if digits.any():
        out[digits] = np.trunc(text[digits].astype(float).to_numpy()).astype(np.int64)
    rest = ~digits
    if rest.any():
        parsed = pd.to_datetime(text[rest], utc=True, errors="coerce", format="ISO8601")
        bad = parsed.isna().to_numpy()
        if bad.any():
            full_bad = np.zeros(len(text), dtype=bool)
            full_bad[np.flatnonzero(rest)[bad]] = True
            raise ShareError(
                f"column {column!r}: cannot parse time (expected UNIX seconds, ISO 8601 or "
                f"'%Y-%m-%d %H:%M:%S', UTC) at {_first_bad(frame, full_bad, column)}"
            )
        out[rest] = _epoch_seconds(parsed)
    return out


def prep_shares(
    frame: pd.DataFrame,
    object_id: str = "object_id",
    account_id: str = "account_id",
    content_id: str = "content_id",
    timestamp_share: str = "timestamp_share",
    *,
    keep_columns: bool = False,
) -> pd.DataFrame:
    """Return ``frame`` as a share table with the four standard columns (CooRTweet: prep_data).

    Renames the given columns, converts ids to strings (trimmed), parses times to int64 UNIX
    seconds UTC (see :func:`parse_timestamps`) and drops rows whose object is blank, counting
    them in ``result.attrs["dropped_blank_objects"]`` and warning when any were dropped (a blank
    object would link every post that has none). Missing account or content ids are errors.
    ``keep_columns`` keeps extra columns (e.g. ``kind``) after the four standard ones.
    """
    names = {"object_id": object_id, "account_id": account_id,
             "content_id": content_id, "timestamp_share": timestamp_share}
    missing = [source for source in names.values() if source not in frame.columns]
    if missing:
        raise ShareError(f"missing column(s) {', '.join(map(repr, missing))}; "
                         f"the table has {_column_list(frame.columns)}")
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    for target in ID_COLUMNS:
        source = names[target]
        col = frame[source].reset_index(drop=True)
        na = col.isna().to_numpy()
        col = col.astype("string").str.strip()
        if target != "object_id" and (na | (col == "").fillna(True).to_numpy(dtype=bool)).any():
            bad = na | (col == "").fillna(True).to_numpy(dtype=bool)
            raise ShareError(f"column {source!r}: missing or blank ids at "
                             f"{_first_bad(frame.reset_index(drop=True), bad, source)}")
        out[target] = col.astype(object).where(~na, None) if target == "object_id" else col.astype(object)
    out["timestamp_share"] = parse_timestamps(frame[timestamp_share].reset_index(drop=True), timestamp_share)
    if keep_columns:
        for extra in frame.columns:
            if extra not in names.values() and extra not in out.columns:
                out[extra] = frame[extra].to_numpy()
    blank = out["object_id"].isna() | (out["object_id"].astype("string").fillna("") == "")
    dropped = int(blank.sum())
    if dropped:
        warnings.warn(f"dropped {dropped} share(s) with a blank object_id (column {object_id!r})",
                      stacklevel=2)
        out = out.loc[~blank.to_numpy()].reset_index(drop=True)
    out.attrs["dropped_blank_objects"] = dropped
    return out


_FLOAT_TEXT = re.compile(r"[+-]?\d+(?:\.\d*)?[eE][+-]?\d+|[+-]?\d+\.\d*")
_FLOAT_ADVICE = "ids must be written as strings or int64 (a float64 cannot hold a 19-digit id exactly)"


def _column_list(columns, shown: int = 12, width: int = 40) -> str:
    """The table's column names for an error message: at most ``shown`` names of at most
    ``width`` characters each (a posts file read as CSV has one "column" per comma)."""
    names = [repr(c) if len(str(c)) <= width else repr(str(c)[:width]) + "..." for c in list(columns)[:shown]]
    more = len(columns) - shown
    return ", ".join(names) + (f" and {more} more ({len(columns)} columns)" if more > 0 else "")


def _looks_like_json(path: Path) -> bool:
    """True when the file (gzip or not) starts with a JSON array or object, after a UTF-8 BOM
    and blanks: posts (tweets, a JSON array, JSONL), which a share table never is."""
    from coordgraph.loader.sources import content_start

    return content_start(path, 4096)[:1] in (b"[", b"{")


def _is_parquet(path: Path) -> bool:
    """True for a Parquet file (by name or magic bytes; a .pq or extension-less one too)."""
    if path.name.endswith(".parquet"):
        return True
    with open(path, "rb") as fh:
        return fh.read(4) == b"PAR1"


def _refuse_float_ids(frame: pd.DataFrame, id_cols: list[str], path: Path) -> None:
    """ShareError when a Parquet id column is floating point (pandas writes an integer
    column with missing values as float64: ``1.3729603989379236e+18`` is no longer the id)."""
    for col in id_cols:
        if col in frame.columns and pd.api.types.is_float_dtype(frame[col]):
            sample = frame[col].dropna().head(1).tolist()
            example = f" (e.g. {sample[0]!r})" if sample else ""
            raise ShareError(f"{path}: column {col!r} is {frame[col].dtype}{example}: {_FLOAT_ADVICE}")


def _refuse_float_text_ids(frame: pd.DataFrame, id_cols: list[str], path: Path) -> None:
    """ShareError naming the first CSV line whose account or content id is written as a
    float (object ids may be any text, e.g. a post's words, so they are not checked)."""
    for col in id_cols[1:]:
        if col not in frame.columns:
            continue
        text = frame[col].astype("string")
        bad = text.str.fullmatch(_FLOAT_TEXT.pattern).fillna(False).to_numpy(dtype=bool)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ShareError(f"{path}: line {row + 2}: column {col!r}: id written as a float "
                             f"({text.iloc[row]!r}): {_FLOAT_ADVICE}")


def _read_csv_arrow(path: Path, id_cols: list[str]) -> pd.DataFrame | None:
    """A share CSV (or CSV.gz) read by pyarrow's parser, with pandas' reading rules: ids as
    strings, only empty fields missing ("NA" is an id like any other), times left as written
    (integers, or text for parse_timestamps), quoted newlines allowed. None when pyarrow
    cannot read the file, so that the caller's pandas reader reports the problem.

    Why: on CooRTweet's 35,125 retweets, pandas' C parser plus its conversion to Arrow-backed
    strings took 0.25 s, pyarrow's parser 0.02 s; same table (checked by tests/analysis)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    convert = pacsv.ConvertOptions(column_types={c: pa.string() for c in id_cols}, strings_can_be_null=True,
                                   null_values=[""], timestamp_parsers=[])
    try:
        table = pacsv.read_csv(path, parse_options=pacsv.ParseOptions(newlines_in_values=True),
                               convert_options=convert)
    except (pa.ArrowException, OSError, ValueError):
        return None
    return table.to_pandas()


def read_shares(path: str | Path, **columns: str) -> pd.DataFrame:
    """Read a share table from CSV, CSV.gz or Parquet and :func:`prep_shares` it.

    Ids are read as strings (never as numbers: a tweet id does not fit a float).
    Keyword arguments map the standard column names to the file's, as in :func:`prep_shares`.
    """
    path = Path(path)
    if not path.exists():
        raise ShareError(f"{path}: no such file")
    if path.is_dir():
        raise ShareError(f"{path}: is a directory, not a share table (CSV, CSV.gz or Parquet)")
    id_cols = [columns.get(c, c) for c in ID_COLUMNS]
    try:
        if _is_parquet(path):
            frame = pd.read_parquet(path)
            _refuse_float_ids(frame, id_cols, path)
        elif _looks_like_json(path):
            raise ShareError(f"{path}: is JSON (posts?), not a share table (CSV, CSV.gz or Parquet with "
                             f"{', '.join(SHARE_COLUMNS)}): make one with `coordgraph shares {path.name} "
                             f"-o shares.csv`, or load posts with `coordgraph ingest`")
        else:
            frame = _read_csv_arrow(path, id_cols)
            if frame is None:  # pandas' parser: the same table, or its established error messages
                frame = pd.read_csv(path, dtype={c: str for c in id_cols}, keep_default_na=False,
                                    na_values=[""], compression="infer")
            _refuse_float_text_ids(frame, id_cols, path)
    except pd.errors.EmptyDataError:
        raise ShareError(f"{path}: empty file: a share table needs a header line with "
                         f"{', '.join(SHARE_COLUMNS)}") from None
    except (EOFError, zlib.error) as exc:  # a truncated or corrupt .csv.gz
        raise ShareError(f"{path}: truncated or corrupt gzip: {exc}") from None
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        if isinstance(exc, ShareError):
            raise
        raise ShareError(f"{path}: cannot read shares: {exc}") from exc
    try:
        return prep_shares(frame, keep_columns=True, **columns)
    except ShareError as exc:
        message = str(exc)
        if not path.name.endswith(".parquet"):  # name CSV lines: data row N is line N + 1
            message = re.sub(r"\brow (\d+)\b", lambda m: f"line {int(m.group(1)) + 1}", message)
        raise ShareError(f"{path}: {message}") from exc
