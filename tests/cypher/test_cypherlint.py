"""Every Neo4j-dialect query passes Neo4j's own linter (tools/cypherlint, lintCypherQuery),
with coordgraph's schema and the GDS procedures it uses declared.

The linter costs 35-40 s of CPU, so it runs ONCE per test run: one batch call in a
session-scoped fixture, all tests of this file in one xdist group (``make test`` runs pytest
with ``--dist loadgroup``), no time limit of its own (pytest-timeout stops a hang), and its
time is reported in the test summary (``cypherlint_seconds``)."""
from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import orjson
import pytest

from coordgraph.cypher.dialect import NEO4J, QUERY_DIR, query_names

LINT_DIR = Path(__file__).resolve().parents[2] / "tools" / "cypherlint"
OWN_PREFIXES = ("detect_", "run_", "gds_", "research_")

pytestmark = [
    pytest.mark.skipif(
        shutil.which("node") is None or not (LINT_DIR / "node_modules" / "@neo4j-cypher").exists(),
        reason="Neo4j's Cypher linter is not installed (run: make tools/cypherlint/node_modules)"),
    pytest.mark.xdist_group("cypherlint"),
    pytest.mark.slow,
]


def lint(queries: dict[str, str]) -> dict[str, list[dict]]:
    """name -> diagnostics, from tools/cypherlint/lint.mjs (no time limit: on a loaded
    machine the linter's 35-40 s of CPU can take minutes of wall time)."""
    proc = subprocess.run(["node", str(LINT_DIR / "lint.mjs"), "--stdin"], input=orjson.dumps(queries),
                          capture_output=True, check=False)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    return {r["name"]: r["diagnostics"] for r in orjson.loads(proc.stdout)}


MISTAKES = {
    "mistake_syntax": "MATCH (a:Account RETURN a",
    "mistake_unknown_proc": "CALL gds.nope.stream('g') YIELD nodeId RETURN nodeId",
    "mistake_unknown_label": "MATCH (a:Acount) RETURN a.id",
    "mistake_none": "MATCH (a:Account)-[s:SHARED]->(o:Object) RETURN a.id, count(s)",
}


@pytest.fixture(scope="session")
def lint_run():
    """One linter run per test run for every query, schema statement and mistake:
    (name -> diagnostics, wall seconds, number of queries)."""
    queries = {name: NEO4J.query_text(name) for name in query_names()}
    queries.update({f"schema_{i}": stmt for i, stmt in enumerate(NEO4J.schema_statements())})
    queries.update(MISTAKES)
    t0 = time.perf_counter()
    diagnostics = lint(queries)
    return diagnostics, time.perf_counter() - t0, len(queries)


@pytest.fixture(scope="session")
def report(lint_run):
    return lint_run[0]


def test_own_queries_lint_clean(lint_run, record_property):
    """The store's own query files and schema statements: no error and no warning."""
    report, seconds, n_queries = lint_run
    record_property("cypherlint_seconds", round(seconds, 1))  # shown in the summary (tests/conftest.py)
    record_property("cypherlint_queries", n_queries)
    own = {k: v for k, v in report.items() if k.startswith(OWN_PREFIXES) or k.startswith("schema_")}
    assert len(own) >= 20
    assert {k: v for k, v in own.items() if v} == {}


@pytest.mark.parametrize("name", [n for n in query_names() if not n.startswith(OWN_PREFIXES)])
def test_other_parts_queries_have_no_lint_errors(report, name):
    """Query files of the other parts (webapp_, trend_, case_): no errors (warnings listed)."""
    errors = [d for d in report[name] if d["severity"] == "error"]
    assert errors == [], f"{name}: {errors}"


def test_linter_catches_mistakes(report):
    """The linter is really checking: syntax, unknown GDS procedure, misspelt label."""
    assert report["mistake_none"] == []
    assert any(d["severity"] == "error" for d in report["mistake_syntax"])
    assert any("gds.nope.stream" in d["message"] for d in report["mistake_unknown_proc"])
    assert any("Acount" in d["message"] for d in report["mistake_unknown_label"])


def test_neo4j_overrides_exist_only_where_needed():
    """Dialect overrides are few and each has a reason: GDS calls only run on Neo4j."""
    overrides = sorted(p.name for p in QUERY_DIR.glob("*.neo4j.cypher") if p.name.startswith(OWN_PREFIXES))
    assert overrides == ["gds_leiden.neo4j.cypher", "gds_louvain.neo4j.cypher",
                         "gds_pagerank.neo4j.cypher", "gds_project.neo4j.cypher"]
