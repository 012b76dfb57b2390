"""A slow, literal transcription of CooRTweet 2.1.3's network and summary code (R/flag_speed_share.R,
R/generate_coordinated_network.R, R/group_stats.r, R/account_stats.R) with the igraph and
data.table behaviour it relies on, written row by row in plain Python as an independent oracle
for ``compat`` mode. It shares no code with coordgraph.

The string order of R's ``pmin``/``pmax`` is a parameter (``key``: a sort-key function);
:func:`icu_alnum_key` is ICU's root/en_US order worked out by hand for ids made of ASCII
letters and digits only: letters compared case-insensitively first (digits before letters),
then lower case before upper case at the first difference.
"""
from __future__ import annotations

import math


def icu_alnum_key(s: str):
    """ICU root collation for [0-9A-Za-z]* ids: primary = case-folded text, tertiary = case."""
    assert all(c.isascii() and c.isalnum() for c in s), s
    return (s.lower(), tuple(c.isupper() for c in s))


def c_key(s: str):
    """LC_COLLATE=C: bytes of the UTF-8 text (= code points)."""
    return s.encode("utf-8")


def setkey_content(rows: list[dict]) -> list[dict]:
    """data.table's setkey(result, content_id, content_id_y): stable, C locale."""
    return sorted(rows, key=lambda r: (r["content_id"].encode(), r["content_id_y"].encode()))


def _pmin_pmax(a: str, b: str, key) -> tuple[str, str]:
    ka, kb = key(a), key(b)
    return (b if kb < ka else a), (b if kb > ka else a)


def _aggregate(rows: list[dict]) -> dict:
    """x[, .(weight = .N, ...), by = .(account_id, account_id_y)] (groups in first appearance)."""
    groups: dict[tuple, list] = {}
    for r in rows:
        groups.setdefault((r["account_id"], r["account_id_y"]), []).append(r)
    out = {}
    for pair, rs in groups.items():
        n_c = len({r["content_id"] for r in rs})
        n_cy = len({r["content_id_y"] for r in rs})
        objects = []
        for r in rs:
            if r["object_id"] not in objects:
                objects.append(r["object_id"])
        out[pair] = dict(weight=len(rs), avg_time_delta=sum(r["time_delta"] for r in rs) / len(rs),
                         n_content_id=n_c, n_content_id_y=n_cy, edge_symmetry_score=min(n_c, n_cy) / max(n_c, n_cy),
                         object_ids=",".join(objects))
    return out


def quantile7(values: list[float], p: float) -> float:
    """R's quantile(x, p, type = 7)."""
    xs = sorted(values)
    h = (len(xs) - 1) * p
    lo = math.floor(h)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (h - lo) * (xs[hi] - xs[lo])


def generate_coordinated_network(result: list[dict], edge_weight: float, key, fast_col: str | None = None,
                                 subgraph: int = 0) -> list[dict]:
    """Edges of the igraph graph as ``as_data_frame(g)`` lists them: dicts with from, to and
    the attributes (``_full``/``_fast`` suffixes and None for NA when ``fast_col``)."""
    x = []
    for r in result:
        lo, hi = _pmin_pmax(r["account_id"], r["account_id_y"], key)
        x.append({**r, "account_id": lo, "account_id_y": hi})
    full = _aggregate(x)
    names: list[str] = []
    for column in (0, 1):  # graph_from_data_frame: unique(c(d[, 1], d[, 2]))
        for pair in full:
            if pair[column] not in names:
                names.append(pair[column])
    vid = {name: i for i, name in enumerate(names)}

    def ends(pair):
        a, b = pair
        return (a, b) if vid[a] <= vid[b] else (b, a)

    attrs = ["weight", "avg_time_delta", "n_content_id", "n_content_id_y", "edge_symmetry_score", "object_ids"]
    if fast_col is None:
        edges = [{"from": ends(p)[0], "to": ends(p)[1], **a} for p, a in full.items()]
        thr = quantile7([e["weight"] for e in edges], edge_weight)
        for e in edges:
            e["weight_threshold"] = 1 if e["weight"] > thr else 0
        if subgraph == 1:
            edges = [e for e in edges if e["weight_threshold"] == 1]
        return edges
    fast = _aggregate([r for r in x if r[fast_col] == 1])
    fast_by_set = {frozenset(p): a for p, a in fast.items()}
    edges = []
    for p, a in full.items():
        f = fast_by_set.get(frozenset(p))
        e = {"from": ends(p)[0], "to": ends(p)[1]}
        for name in attrs:
            e[f"{name}_full"] = a[name]
            e[f"{name}_fast"] = None if f is None else f[name]
        edges.append(e)
    # igraph_union_many: edges by (smaller, larger) vertex id, largest first
    edges.sort(key=lambda e: (vid[e["from"]], vid[e["to"]]), reverse=True)
    thr_full = quantile7([e["weight_full"] for e in edges], edge_weight)
    thr_fast = quantile7([e["weight_fast"] for e in edges if e["weight_fast"] is not None], edge_weight)
    for e in edges:
        e["weight_threshold_full"] = 1 if e["weight_full"] > thr_full else 0
        e["weight_threshold_fast"] = None if e["weight_fast"] is None else (1 if e["weight_fast"] > thr_fast else 0)
    if subgraph == 2:
        edges = [e for e in edges if e["weight_threshold_fast"] == 1]
    return edges


def _strsplit(text: str) -> list[str]:
    pieces = text.split(",")
    if pieces and pieces[-1] == "":
        pieces.pop()
    return pieces


def group_stats(edges: list[dict], weight_threshold: str) -> list[tuple[str, int]]:
    """(object_id, num_accounts) rows in CooRTweet's order."""
    fast_net = "weight_full" in edges[0] if edges else False
    column = "object_ids"
    if fast_net:
        column = "object_ids_fast" if weight_threshold == "fast" else "object_ids_full"
    if weight_threshold == "full":
        edges = [e for e in edges if e["weight_threshold_full" if fast_net else "weight_threshold"] == 1]
    elif weight_threshold == "fast":
        edges = [e for e in edges if e["weight_threshold_fast"] == 1]
    froms: dict[str, list] = {}
    for e in edges:
        for obj in _strsplit(e[column]):
            froms.setdefault(obj, [])
            if e["from"] not in froms[obj]:
                froms[obj].append(e["from"])
    rows = [(obj, len(f)) for obj, f in froms.items()]
    return sorted(rows, key=lambda row: -row[1])  # setorder(-num_accounts): stable


def _mean_na(values: list) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def account_stats(edges: list[dict], result: list[dict], weight_threshold: str, fast_col: str | None = None):
    """account_stats rows (dicts) sorted by account_id (C locale)."""
    if fast_col is None:
        raise NotImplementedError("the fast_net branch only")
    if weight_threshold == "full":
        edges = [e for e in edges if e["weight_threshold_full"] == 1]
    elif weight_threshold == "fast":
        edges = [e for e in edges if e["weight_threshold_fast"] == 1]
    cols = ["avg_time_delta_full", "avg_time_delta_fast", "edge_symmetry_score_full", "edge_symmetry_score_fast"]
    reshaped = [(e["from"], *[e[c] for c in cols]) for e in edges] + [(e["to"], *[e[c] for c in cols]) for e in edges]
    unique = list(dict.fromkeys(reshaped))  # unique(reshaped)
    by_account: dict[str, list] = {}
    for row in unique:
        by_account.setdefault(row[0], []).append(row[1:])
    if weight_threshold == "fast":
        result = [r for r in result if r[fast_col] == 1]
    shares: dict[str, set] = {}
    for r in result:
        shares.setdefault(r["account_id"], set()).add(r["content_id"])
        shares.setdefault(r["account_id_y"], set()).add(r["content_id_y"])
    out = []
    for account, rows in by_account.items():
        if account not in shares:
            continue
        out.append({"account_id": account,
                    "avg_time_delta_full": _mean_na([r[0] for r in rows]),
                    "avg_time_delta_fast": _mean_na([r[1] for r in rows]),
                    "avg_edge_symmetry_score_full": _mean_na([r[2] for r in rows]),
                    "avg_edge_symmetry_score_fast": _mean_na([r[3] for r in rows]),
                    "unique_shares_count": len(shares[account])})
    return sorted(out, key=lambda row: row["account_id"].encode())
