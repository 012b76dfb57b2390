"""Server-side state of one app: the store, its read access, and per-run edge snapshots."""
from __future__ import annotations

import threading

from coordgraph.webapp.snapshot import RunSnapshot
from coordgraph.webapp.source import RunSource


class AppState:
    """Holds the store connection and caches one :class:`RunSnapshot` per run (thread-safe)."""

    def __init__(self, store, default_run: str | None = None, max_snapshots: int = 3):
        self.store = store
        self.source = RunSource(store)
        self.default_run = default_run
        self.max_snapshots = max_snapshots
        self._snapshots: dict[str, RunSnapshot] = {}
        self._lock = threading.Lock()

    def runs(self) -> list[dict]:
        """Complete runs, newest first; an empty store has none."""
        from coordgraph.cypher.errors import QueryError

        try:
            return self.source.runs()
        except QueryError as exc:  # FalkorDB: a graph never written to does not exist yet
            if "empty key" in str(exc):
                return []
            raise

    def pick_run(self, wanted: str | None = None) -> str | None:
        """``wanted``, else the app's default run, else the newest run, else None."""
        if wanted:
            return wanted
        if self.default_run:
            return self.default_run
        runs = self.runs()
        return runs[0]["id"] if runs else None

    def snapshot(self, run_id: str) -> RunSnapshot:
        """The run's edge snapshot, loaded from the store on first use."""
        with self._lock:
            snap = self._snapshots.get(run_id)
            if snap is None:
                snap = RunSnapshot.load(self.store, run_id)
                if len(self._snapshots) >= self.max_snapshots:
                    self._snapshots.pop(next(iter(self._snapshots)))
                self._snapshots[run_id] = snap
            return snap

    def warm_up(self, run_id: str | None = None) -> str | None:
        """Load the snapshot of ``run_id`` (or the default/newest run) and its co-shares (the
        ranked table of the first page needs them) before serving."""
        run = self.pick_run(run_id)
        if run:
            self.snapshot(run).coshares()
        return run
