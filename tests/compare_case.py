"""The comparison's small case, worked by hand once and used by every test of it (analysis,
CLI on run directories and on store runs, the web app's Compare runs view, the report).

run1 (CooRTweet-style): a-b 1, b-c 1, c-f 1, c-d 0  -> edges {ab, bc, cf}, accounts {a, b, c, f}
run2 (QUT, directed):   b->a, a->b, c->e (all 1)     -> edges {ab, ce},     accounts {a, b, c, e}
run3 (no threshold column): a-b, d-e                  -> edges {ab, de},     accounts {a, b, d, e}
1-2: accounts both {a,b,c} = 3 of union 5 -> 0.6;  edges both {ab} = 1 of union 4 -> 0.25
1-3: accounts both {a,b} = 2 of union 6 -> 1/3;     edges 1 of 4 -> 0.25
2-3: accounts both {a,b,e} = 3 of union 5 -> 0.6;  edges 1 of 3 -> 1/3
only run1: f; only run2: none; only run3: d
groups: run1 a-b-c-f (4); run2 a-b, c-e (2 2); run3 a-b, d-e (2 2)
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

#: run name -> its edges as the run writes them (run2: the QUT toolkit's directed rows)
TABLES = {
    "run1": pd.DataFrame({"account_id": ["a", "b", "c", "c"], "account_id_y": ["b", "c", "f", "d"],
                          "weight": [3, 2, 2, 1], "weight_threshold": [1, 1, 1, 0]}),
    "run2": pd.DataFrame({"account_id": ["b", "a", "c"], "account_id_y": ["a", "b", "e"], "weight": [1, 2, 1],
                          "weight_threshold": [1, 1, 1]}),
    "run3": pd.DataFrame({"account_id": ["a", "d"], "account_id_y": ["b", "e"], "weight": [0.9, 0.8]}),
}
#: (run_a, run_b) -> accounts a, b, both, Jaccard; edges a, b, both, Jaccard (rounded to 6 places)
OVERLAP = {("run1", "run2"): (4, 4, 3, 0.6, 3, 2, 1, 0.25),
           ("run1", "run3"): (4, 4, 2, round(1 / 3, 6), 3, 2, 1, 0.25),
           ("run2", "run3"): (4, 4, 3, 0.6, 2, 2, 1, round(1 / 3, 6))}
ONLY = [["run1", "f"], ["run3", "d"]]
GROUPS = {"run1": [4], "run2": [2, 2], "run3": [2, 2]}


def overlap_numbers(overlap: pd.DataFrame, names: dict | None = None) -> dict:
    """An overlap table as OVERLAP's dict (``names`` maps the table's run names to run1..3)."""
    names = names or {}
    return {(names.get(r.run_a, r.run_a), names.get(r.run_b, r.run_b)):
            (r.accounts_a, r.accounts_b, r.accounts_both, round(r.accounts_jaccard, 6),
             r.edges_a, r.edges_b, r.edges_both, round(r.edges_jaccard, 6)) for r in overlap.itertuples(index=False)}


def shown(numbers: tuple) -> list[str]:
    """OVERLAP's numbers as the web app and the report show them (Jaccard with 3 decimals)."""
    acc_a, acc_b, acc_both, acc_j, edg_a, edg_b, edg_both, edg_j = numbers
    return [str(acc_a), str(acc_b), str(acc_both), f"{acc_j:.3f}", str(edg_a), str(edg_b), str(edg_both), f"{edg_j:.3f}"]


def write_dirs(root: Path) -> list[Path]:
    """The three runs as detect output directories (edges.csv only)."""
    paths = []
    for name, table in TABLES.items():
        (root / name).mkdir()
        table.to_csv(root / name / "edges.csv", index=False)
        paths.append(root / name)
    return paths


def store_runs(store) -> dict[str, str]:
    """The three runs written into ``store`` by the run writer (run2 as a QUT run: both
    directions on one edge); returns run name -> run id."""
    from coordgraph.analysis.methods.qut import undirected_edges
    from coordgraph.analysis.network import vertices_of
    from coordgraph.run import RunResult, write_store
    from coordgraph.run.result import canonical_edges, make_summary, vertex_frame

    ids = {}
    for name, table in TABLES.items():
        params = {"method": "coortweet", "time_window": 10}
        if name == "run2":
            directed = table.rename(columns={"account_id": "user_1", "account_id_y": "user_2"})[
                ["user_1", "user_2", "weight"]]
            table = undirected_edges(directed).assign(weight_threshold=1)
            params = {"method": "qut", "time_window": 10, "network": "co_retweet"}
        edges = canonical_edges(table.copy(), False)
        if "weight_threshold" not in table:
            edges["weight_threshold"] = None
        vertices = vertex_frame(vertices_of(edges, "weight"))
        summary = make_summary("python", params, shares=0, result_rows=0, edges=edges.fillna({"weight_threshold": 0}),
                               vertices=len(vertices), threshold=None, method=params["method"])
        res = RunResult("python", params, summary, {"result": None, "edges": edges, "vertices": vertices})
        ids[name] = write_store(res, store, source=f"compare case {name}")
    return ids
