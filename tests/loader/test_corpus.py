"""The bad-input corpus (tests/loader/corpus/cases.py) through every entry point that reads
files, in normal and strict mode: ``shares``, ``detect``, ``ingest`` (embedded FalkorDB) and
``ingest --shares-table``, all through the CLI.

For every run: no traceback, exit 0 or 2 with one line naming the file; for ``shares``:
records read = kept + duplicates + rejected (per file and in total), the expected counts,
the first problem located by line or element and field, and every id in the output
present byte for byte in the input.
"""
from __future__ import annotations

import re
import traceback
from pathlib import Path

import orjson
import pandas as pd
import pytest
from typer.testing import CliRunner

from coordgraph.cli import app

from .corpus.cases import CASES

RUNNER = CliRunner()
BY_ID = {c["id"]: c for c in CASES}
POSTS = [c["id"] for c in CASES if c["kind"] == "posts"]
TABLES = [c["id"] for c in CASES if c["kind"] == "table"]
ALL = [c["id"] for c in CASES]
UNIFY = "ingest reader unification (issue 14 item 2)"


def test_corpus_has_at_least_80_cases():
    assert len(CASES) >= 80 and len(set(ALL)) == len(ALL)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Path]:
    """Every case built once: id -> input path."""
    root = tmp_path_factory.mktemp("corpus")
    out = {}
    for c in CASES:
        d = root / c["id"]
        d.mkdir()
        out[c["id"]] = c["build"](d)
    return out


def invoke(args: list[str]):
    """Run the CLI; fail the test with the traceback if one escaped."""
    result = RUNNER.invoke(app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        tb = "".join(traceback.format_exception(result.exception))
        pytest.fail(f"traceback from coordgraph {' '.join(map(str, args))}:\n{tb}")
    return result


def error_line(result) -> str:
    """The one-line error a failed run printed."""
    lines = [ln for ln in result.output.splitlines() if ln.startswith("error:")]
    assert lines, f"exit {result.exit_code} without an 'error:' line:\n{result.output}"
    return " ".join(result.output[result.output.index("error:"):].split())  # soft-wrapped: one line


def check_location(message: str, exp: dict) -> None:
    """The message names the file and locates the problem (line or element) and field."""
    where, field = exp.get("where"), exp.get("field")
    if where and where.startswith("line "):
        assert f":{where[5:]}: " in message, message
    elif where and where.startswith("element "):
        assert f": {where}: " in message, message
    elif where == "line":
        assert re.search(r":\d+: ", message), message
    if field:
        assert f"field '{field}'" in message, message


def expected_count(value, actual: int) -> None:
    if value == "any":
        return
    if value == "recoverable":
        assert actual > 0
        return
    assert actual == value


# ------------------------------------------------------------------------------ shares
def shares_args(c: dict, path: Path, out: Path, report: Path) -> list:
    intents = sum((["-i", i] for i in c["intents"]), [])
    return ["shares", path, *intents, "--out", out, "--report", report, *c["args"]]


def expected_exit(exp: dict) -> int:
    """1 when the case's file is wholly rejected (nothing kept, something rejected): an unusable
    input must not end with exit 0 (issue 14); else 0."""
    rejected = exp["rejected"]
    wholly = exp["kept"] == 0 and exp.get("duplicates", 0) == 0 and isinstance(rejected, int) and rejected > 0
    return 1 if wholly else 0


@pytest.mark.parametrize("case_id", POSTS)
def test_shares_normal(case_id, corpus, tmp_path):
    c, exp = BY_ID[case_id], BY_ID[case_id]["expect"]
    path, out, rep = corpus[case_id], tmp_path / "s.parquet", tmp_path / "report.json"
    result = invoke(shares_args(c, path, out, rep))
    assert result.exit_code == expected_exit(exp), result.output
    report = orjson.loads(rep.read_bytes())
    # the invariant, in total and per file
    assert report["records"] == report["kept"] + report["duplicates"] + report["rejected"]
    for f in report["files"]:
        assert f["records"] == f["kept"] + f["duplicates"] + f["rejected"], f
    expected_count(exp["kept"], report["kept"])
    expected_count(exp["duplicates"], report["duplicates"])
    expected_count(exp["rejected"], report["rejected"])
    expected_count(exp["lost"], report["lost_to_truncation"])
    rejects = out.with_name("s.rejects.jsonl")
    problems = [orjson.loads(x) for x in rejects.read_bytes().splitlines()] if rejects.exists() else []
    if exp.get("reason") and exp["reason"] != "any":
        matching = [p for p in problems if exp["reason"] in p["reason"]]
        assert matching, f"no problem with reason {exp['reason']!r} in {problems}"
        first = matching[0]
        assert first["file"].endswith(path.name) or Path(first["file"]).parent == path
        if exp.get("field"):
            assert first["field"] == exp["field"], first
        where = exp.get("where")
        if where and where.startswith("line "):
            assert first["line"] == int(where[5:]), first
        elif where and where.startswith("element "):
            assert first["element"] == int(where[8:]), first
        elif where == "file":
            assert first["line"] == 0, first
    elif exp["rejected"] == 0 and exp["lost"] == 0 and exp.get("strict_ok"):
        assert not problems, problems
    table = pd.read_parquet(out)
    for intent, n in (exp.get("shares") or {}).items():
        assert int((table["kind"] == intent).sum()) == n, report
    if exp.get("objects"):
        assert table["object_id"].value_counts().to_dict() == exp["objects"]
    if exp.get("skipped"):
        assert any(exp["skipped"] in k for k in report["skipped"]), report["skipped"]
    if exp.get("skipped_file"):
        assert any(f["skipped"] and f["file"].endswith(exp["skipped_file"]) for f in report["files"])
    if exp.get("warning"):
        assert any(exp["warning"] in w for w in report["warnings"] + report["notes"]), report
    # nothing silently changed: every id in the output is in the input byte for byte
    if path.is_file() and not path.name.endswith((".gz", ".parquet")):
        raw = path.read_bytes()
        synthetic = re.compile(re.escape(path.name) + r"#\d+")  # post ids of tables without one
        for col in ("account_id", "content_id"):
            for value in set(table[col]):
                assert value.encode() in raw or synthetic.fullmatch(value), f"{col} {value!r} not in {path.name}"


def input_bytes(path: Path) -> bytes:
    """Everything an input holds as bytes: files of a folder concatenated, gzip decompressed
    (as far as its data go), Parquet columns rendered as their values' text."""
    import zlib

    if path.is_dir():
        parts = []
        for p in sorted(path.rglob("*")):
            try:
                parts.append(input_bytes(p) if p.is_file() else b"")
            except OSError:
                pass
        return b"\n".join(parts)
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        out = b""
        while raw:  # every member of a multi-member file
            z = zlib.decompressobj(wbits=31)
            try:
                out += z.decompress(raw)
            except zlib.error:
                break
            raw = z.unused_data
        return out
    if raw[:4] == b"PAR1":
        try:
            table = pd.read_parquet(path)
        except Exception:  # a corrupt file holds no ids
            return b""
        return "\n".join(str(v) for col in table.columns for v in table[col].tolist()).encode()
    return raw


@pytest.mark.parametrize("case_id", POSTS)
def test_shares_ids_byte_exact(case_id, corpus):
    """The post and account ids read are in the input byte for byte (or the exact list)."""
    from coordgraph.loader import read_posts

    exp, path = BY_ID[case_id]["expect"], corpus[case_id]
    c = BY_ID[case_id]
    cmap = None
    if "--map" in c["args"]:
        from coordgraph.loader import parse_map

        cmap = parse_map(c["args"][c["args"].index("--map") + 1])
    posts = read_posts(path, column_map=cmap).posts
    if exp.get("ids"):
        assert posts["post_id"].tolist() == exp["ids"]
    raw = input_bytes(path)
    synthetic = re.compile(r".+#\d+")  # post ids of tables without an id column
    for col in ("post_id", "account_id"):
        for value in set(posts[col]):
            assert value.encode() in raw or (col == "post_id" and synthetic.fullmatch(value)), (col, value)


@pytest.mark.parametrize("case_id", POSTS)
def test_shares_strict(case_id, corpus, tmp_path):
    c, exp = BY_ID[case_id], BY_ID[case_id]["expect"]
    path = corpus[case_id]
    result = invoke([*shares_args(c, path, tmp_path / "s.parquet", tmp_path / "r.json"), "--strict"])
    if exp["strict_ok"]:
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 2, result.output
    message = error_line(result)
    assert path.name in message or str(path) in message, message
    check_location(message, exp)


# ------------------------------------------------------------------------------ detect
@pytest.mark.parametrize("case_id", ALL)
def test_detect(case_id, corpus, tmp_path):
    c, exp = BY_ID[case_id], BY_ID[case_id]["expect"]
    path = corpus[case_id]
    result = invoke(["detect", path, "--out", tmp_path / "run"])
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 2:
        message = error_line(result)
        assert path.name in message, message
    if c["kind"] != "table":
        return
    if "error" in exp:
        assert result.exit_code == 2 and exp["error"] in error_line(result), result.output
        return
    assert result.exit_code == 0, result.output
    summary = orjson.loads((tmp_path / "run" / "summary.json").read_bytes())
    assert summary["input_rows"] == exp["rows"]
    if exp.get("ids"):
        from coordgraph.analysis.shares import read_shares

        assert read_shares(path)["account_id"].tolist() == exp["ids"]


# ------------------------------------------------------------------------------ ingest
@pytest.fixture(scope="module")
def store_home(tmp_path_factory):
    """A private COORDGRAPH_HOME for the embedded FalkorDB; the server is stopped after."""
    import os

    home = tmp_path_factory.mktemp("home")
    old = os.environ.get("COORDGRAPH_HOME")
    os.environ["COORDGRAPH_HOME"] = str(home)
    os.environ.pop("COORDGRAPH_STORE", None)
    yield home
    from coordgraph.cypher import server

    server.stop()
    if old is None:
        os.environ.pop("COORDGRAPH_HOME", None)
    else:
        os.environ["COORDGRAPH_HOME"] = old


def written(result, what: str) -> int:
    m = re.search(rf"{what} written\W+([\d,]+)", result.output)
    assert m, result.output
    return int(m.group(1).replace(",", ""))


#: posts cases where `ingest` does not agree with `shares` (none: they share one reader)
INGEST_DIFFERS: set[str] = set()


def _ingest_params(ids, differs):
    return [pytest.param(i, marks=pytest.mark.xfail(strict=True, reason=UNIFY)) if i in differs else i for i in ids]


@pytest.mark.parametrize("case_id", _ingest_params(POSTS, INGEST_DIFFERS))
def test_ingest(case_id, corpus, store_home):
    c, exp = BY_ID[case_id], BY_ID[case_id]["expect"]
    path = corpus[case_id]
    intents = sum((["-i", i] for i in c["intents"]), [])
    result = invoke(["ingest", path, *intents, *c["args"], "--no-resume"])
    assert result.exit_code == expected_exit(exp), result.output
    if exp["kept"] not in ("any", "recoverable"):
        assert written(result, "posts") == exp["kept"]


@pytest.mark.parametrize("case_id", [i for i in POSTS if not BY_ID[i]["expect"]["strict_ok"]])
def test_ingest_strict(case_id, corpus, store_home):
    c, exp = BY_ID[case_id], BY_ID[case_id]["expect"]
    path = corpus[case_id]
    result = invoke(["ingest", path, *sum((["-i", i] for i in c["intents"]), []), *c["args"], "--no-resume",
                     "--strict"])
    assert result.exit_code == 2
    message = error_line(result)
    assert path.name in message, message
    check_location(message, exp)


@pytest.mark.parametrize("case_id", ALL)
def test_ingest_shares_table(case_id, corpus, store_home):
    c, exp = BY_ID[case_id], BY_ID[case_id]["expect"]
    path = corpus[case_id]
    result = invoke(["ingest", path, "--shares-table", "--no-resume"])
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 2:
        assert path.name in error_line(result), result.output
    if c["kind"] != "table":
        return
    if "error" in exp:
        assert result.exit_code == 2 and exp["error"] in error_line(result), result.output
    else:
        assert result.exit_code == 0, result.output
        assert written(result, "shares") == exp["rows"]
