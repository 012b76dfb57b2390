"""Alert rules an investigator writes (TOML or JSON), checked after every batch of a live run.

A rules file holds a list ``rules`` (TOML: ``[[rules]]`` tables)::

    [[rules]]
    name = "large network"
    type = "community"        # community | component | watched_account
    metric = "size"           # size, edges, weight, edges_above_threshold, density, score
    at_least = 5              # or: above = 4 (strictly)

    [[rules]]
    name = "watched accounts"
    type = "watched_account"
    accounts = ["1234", "5678"]
    above_threshold = false   # true: only edges above the weight threshold count

``community``: a community (per-component Leiden, see coordgraph.live.communities) whose
metric reaches the bound; ``component``: the same on connected components (a whole
network); ``score`` = edges above the threshold / possible pairs. A network alert is raised
once, in the first batch where the condition holds, for a network none of whose accounts
was in an earlier alert of the same rule (a network that keeps growing is not re-announced;
its new members are added silently). ``watched_account``: raised in the first batch where a
listed account is on an edge of the network.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

TYPES = ("community", "component", "watched_account")
METRICS = ("size", "edges", "weight", "edges_above_threshold", "density", "score")


class RuleError(ValueError):
    """A rules file that cannot be used; the message names the file, the rule and the field."""


def load_rules(path: str | Path) -> list[dict]:
    """Rules from a TOML (.toml) or JSON file, checked (RuleError naming rule and field)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RuleError(f"{path}: cannot read alert rules: {exc}") from exc
    try:
        if path.suffix.lower() == ".toml":
            import tomllib

            data = tomllib.loads(raw.decode("utf-8"))
        else:
            data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise RuleError(f"{path}: not valid {'TOML' if path.suffix.lower() == '.toml' else 'JSON'}: {exc}") from exc
    rules = data.get("rules") if isinstance(data, dict) else data
    if not isinstance(rules, list):
        raise RuleError(f"{path}: expected a list 'rules' of rule tables")
    out = []
    for n, rule in enumerate(rules, 1):
        where = f"{path}: rule {n}"
        if not isinstance(rule, dict):
            raise RuleError(f"{where}: a rule is a table of fields")
        name = str(rule.get("name") or f"rule {n}")
        where = f"{path}: rule {n} ({name})"
        kind = rule.get("type")
        if kind not in TYPES:
            raise RuleError(f"{where}: field 'type' must be one of {', '.join(TYPES)}, got {kind!r}")
        checked = {"name": name, "type": kind}
        if kind == "watched_account":
            accounts = rule.get("accounts")
            if not isinstance(accounts, list) or not accounts:
                raise RuleError(f"{where}: field 'accounts' must be a non-empty list of account ids")
            checked["accounts"] = [str(a) for a in accounts]
            checked["above_threshold"] = bool(rule.get("above_threshold", False))
        else:
            metric = rule.get("metric", "size")
            if metric not in METRICS:
                raise RuleError(f"{where}: field 'metric' must be one of {', '.join(METRICS)}, got {metric!r}")
            bounds = [k for k in ("above", "at_least") if k in rule]
            if len(bounds) != 1:
                raise RuleError(f"{where}: give exactly one of the fields 'above' or 'at_least'")
            value = rule[bounds[0]]
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise RuleError(f"{where}: field {bounds[0]!r} must be a number, got {value!r}")
            checked.update(metric=metric, bound=bounds[0], value=float(value))
        out.append(checked)
    return out


def _holds(rule: dict, values: pd.Series) -> np.ndarray:
    v = values.to_numpy(dtype=float)
    return v > rule["value"] if rule["bound"] == "above" else v >= rule["value"]


def check(rules: list[dict], memory: dict, *, communities: pd.DataFrame, components: pd.DataFrame,
          edges: pd.DataFrame, batch: dict) -> list[dict]:
    """Alerts raised by this batch. ``communities``/``components``: metric tables
    (coordgraph.live.communities.community_metrics); ``memory`` (rule name -> accounts
    already alerted) is updated in place; ``batch`` is copied into each alert."""
    alerts = []
    for rule in rules:
        seen = set(memory.get(rule["name"], []))
        if rule["type"] == "watched_account":
            on = edges
            if rule["above_threshold"] and len(edges):
                on = edges.loc[edges["weight_threshold"].to_numpy() == 1]
            present = set(on["account_id"]) | set(on["account_id_y"])
            for account in rule["accounts"]:
                if account in present and account not in seen:
                    partners = sorted(set(on.loc[on["account_id"] == account, "account_id_y"])
                                      | set(on.loc[on["account_id_y"] == account, "account_id"]))
                    alerts.append({**batch, "rule": rule["name"], "type": rule["type"], "subject": account,
                                   "partners": partners})
                    seen.add(account)
        else:
            table = communities if rule["type"] == "community" else components
            if len(table):
                hold = _holds(rule, table[rule["metric"]])
                for row in table.loc[hold].sort_values("community").itertuples(index=False):
                    members = set(row.members)
                    if members & seen:
                        seen |= members
                        continue
                    alerts.append({**batch, "rule": rule["name"], "type": rule["type"],
                                   "subject": min(members), "members": sorted(members),
                                   "metric": rule["metric"], "value": float(getattr(row, rule["metric"])),
                                   "size": int(row.size), "edges": int(row.edges), "weight": int(row.weight)})
                    seen |= members
                # members of alerted networks that grew are covered silently
                for row in table.itertuples(index=False):
                    if set(row.members) & seen:
                        seen |= set(row.members)
        memory[rule["name"]] = sorted(seen)
    return alerts


def append_alerts(path: Path, alerts: list[dict], batch: int) -> None:
    """Append ``alerts`` of ``batch`` to a JSON-lines file unless that batch is there already
    (a re-run after a crash does not write them twice)."""
    import orjson

    if path.exists():
        with open(path, "rb") as fh:
            for line in fh:
                if line.strip() and orjson.loads(line).get("batch") == batch:
                    return
    if not alerts:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "ab") as fh:  # one write: a batch's lines land together
        fh.write(b"".join(orjson.dumps(alert, option=orjson.OPT_SERIALIZE_NUMPY) + b"\n" for alert in alerts))
        fh.flush()
