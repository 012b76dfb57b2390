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
        self._versions: dict[str, int] = {}
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

    def refresh(self, run_id: str) -> int:
        """Forget what is cached of ``run_id`` (a live run the watcher updated): its snapshot
        and weights are read again on next use. Returns the run's new version number."""
        with self._lock:
            self._snapshots.pop(run_id, None)
            self._versions[run_id] = self._versions.get(run_id, 0) + 1
        with self.source._lock:
            self.source._weights.pop(run_id, None)
        return self._versions[run_id]

    def version(self, run_id: str | None) -> int:
        """How often ``run_id`` was refreshed (cached drawings of older versions are stale)."""
        return self._versions.get(run_id, 0) if run_id else 0

    def warm_up(self, run_id: str | None = None) -> str | None:
        """Load the snapshot of ``run_id`` (or the default/newest run) and its co-shares (the
        ranked table of the first page needs them) before serving."""
        run = self.pick_run(run_id)
        if run:
            self.snapshot(run).coshares()
        return run
