"""Runs: the provenance of each analysis, and the rule that readers only see complete runs.

Neither store gives a multi-query transaction that lasts a whole run, so a run is written
under its run id (every COSHARE, COORDINATED and IN_RUN carries ``run_id``) with the
``(:Run)`` node marked ``status = 'incomplete'`` first and ``'complete'`` last. Readers
(:func:`list_runs`, :func:`latest_run`, the web app) only see complete runs. A failed run is
deleted at once when the store is still reachable, and otherwise by
:func:`remove_abandoned_runs` the next time coordgraph writes (an incomplete run whose process
is gone).
"""
from __future__ import annotations

import getpass
import os
import socket
import time
import uuid

import orjson

from coordgraph.cypher.errors import StoreError

RUN_LABELLED_RELS = ("COSHARE", "COORDINATED", "IN_RUN")
DELETE_BATCH = 50_000


def new_run_id(now: int | None = None) -> str:
    """A readable, unique run id: ``run-YYYYmmddTHHMMSS-xxxxxx`` (UTC)."""
    now = int(now or time.time())
    return "run-" + time.strftime("%Y%m%dT%H%M%S", time.gmtime(now)) + "-" + uuid.uuid4().hex[:6]


def create_run(store, params: dict, run_id: str | None = None) -> str:
    """Create an incomplete ``(:Run)`` with its provenance; returns its id.

    Provenance: ``params`` (JSON string), ``created`` (epoch s UTC), ``user``, ``host``,
    ``pid`` (so an abandoned run can be recognised) and ``intent``/``engine``/``method``
    (coortweet, qut, cosine; docs/methods.md) copied out of params for filtering.
    """
    run_id = run_id or new_run_id()
    store.query(
        "CREATE (r:Run {id: $id, params: $params, created: $created, user: $user, host: $host, "
        "pid: $pid, status: 'incomplete', engine: $engine, intent: $intent, method: $method})",
        {"id": run_id, "params": orjson.dumps(params, option=orjson.OPT_SORT_KEYS).decode(),
         "created": int(time.time()), "user": getpass.getuser(), "host": socket.gethostname(),
         "pid": os.getpid(), "engine": params.get("engine"), "intent": params.get("intent"),
         "method": params.get("method") or "coortweet"})
    return run_id


def complete_run(store, run_id: str, counts: dict) -> None:
    """Record the run's counts and mark it complete (the last write of a run)."""
    props = {f"n_{k}": v for k, v in counts.items()}
    props.update(counts=orjson.dumps(counts, option=orjson.OPT_SORT_KEYS).decode(),
                 finished=int(time.time()), status="complete")
    store.query("MATCH (r:Run {id: $id}) SET r += $props", {"id": run_id, "props": props})


def update_run(store, run_id: str, props: dict) -> None:
    """Set properties on a run node (e.g. thresholds, community algorithm)."""
    store.query("MATCH (r:Run {id: $id}) SET r += $props", {"id": run_id, "props": props})


def delete_run(store, run_id: str) -> None:
    """Remove a run and everything written under its id, in batches of DELETE_BATCH."""
    for rel in RUN_LABELLED_RELS:
        while True:
            rows = store.query(
                f"MATCH ()-[x:{rel} {{run_id: $id}}]->() WITH x LIMIT $n DELETE x RETURN count(*) AS c",
                {"id": run_id, "n": DELETE_BATCH})
            if not rows or not rows[0]["c"]:
                break
    store.query("MATCH (r:Run {id: $id}) DETACH DELETE r", {"id": run_id})
    store.query("MATCH (x:Alert {run_id: $id}) DETACH DELETE x", {"id": run_id})  # a live run's alerts
    from coordgraph.run.provenance import remove_provenance

    remove_provenance(run_id)


def cases_about(store, run_id: str) -> list[str]:
    """Names of the saved cases (coordgraph.cypher.cases) that refer to run ``run_id``."""
    rows = store.read("MATCH (c:Case)-[:ABOUT_RUN]->(:Run {id: $id}) RETURN c.name AS name ORDER BY name",
                      {"id": run_id})
    return [r["name"] for r in rows]


def runs_to_prune(store, keep: int) -> list[str]:
    """Ids of the complete runs older than the newest ``keep`` (newest first order of
    :func:`list_runs`), for ``coordgraph runs --keep``."""
    if keep < 0:
        raise StoreError(f"--keep must be 0 or more, not {keep}")
    return [r["id"] for r in list_runs(store)[keep:]]


def remove_abandoned_runs(store, max_age_s: int | None = None) -> list[str]:
    """Delete incomplete runs whose writer is gone; returns their ids.

    A run is abandoned when it was started on this host by a process that no longer runs,
    or (any host) when it is older than ``max_age_s`` seconds.
    """
    from coordgraph.cypher.server import pid_alive

    rows = store.query("MATCH (r:Run) WHERE r.status <> 'complete' "
                       "RETURN r.id AS id, r.host AS host, r.pid AS pid, r.created AS created")
    host, now, removed = socket.gethostname(), int(time.time()), []
    for row in rows:
        same_host_dead = row["host"] == host and row["pid"] is not None and not pid_alive(int(row["pid"]))
        too_old = max_age_s is not None and row["created"] is not None and now - int(row["created"]) > max_age_s
        if same_host_dead or too_old or row["pid"] is None:
            delete_run(store, row["id"])
            removed.append(row["id"])
    return removed


def _decode(row: dict) -> dict:
    out = dict(row)
    for key in ("params", "counts"):
        if isinstance(out.get(key), str):
            out[key] = orjson.loads(out[key])
    return out


def list_runs(store) -> list[dict]:
    """Complete runs, newest first: id, created (epoch s), user, engine, intent, params, counts,
    threshold, community_algorithm, method (coortweet for runs stored before methods were)."""
    rows = store.read(
        "MATCH (r:Run) WHERE r.status = 'complete' "
        "RETURN r.id AS id, r.created AS created, r.user AS user, r.engine AS engine, "
        "r.intent AS intent, r.params AS params, r.counts AS counts, r.threshold AS threshold, "
        "r.community_algorithm AS community_algorithm, coalesce(r.method, 'coortweet') AS method "
        "ORDER BY r.created DESC, r.id DESC")
    return [_decode(r) for r in rows]


def latest_run(store, intent: str | None = None) -> dict | None:
    """The newest complete run (of ``intent`` when given), or None."""
    for run in list_runs(store):
        if intent is None or run.get("intent") == intent:
            return run
    return None


def get_run(store, run_id: str, complete_only: bool = True) -> dict | None:
    """One run by id (only when complete, unless ``complete_only`` is False)."""
    rows = store.read("MATCH (r:Run {id: $id}) RETURN r.id AS id, r.status AS status, r.params AS params, "
                      "r.counts AS counts, r.created AS created", {"id": run_id})
    if not rows or (complete_only and rows[0]["status"] != "complete"):
        return None
    return _decode(rows[0])
