"""Persisting a :class:`~coordgraph.analysis.incremental.LiveState` so that a batch is applied
fully or not at all, even when the process is killed (kill -9) in the middle of writing.

Layout of a state directory::

    CURRENT                 the committed generation, e.g. "gen-000042" (replaced atomically)
    gen-000042/core.npz     window, pending pairs, per-account/content arrays, edge sums, fast flags
    gen-000042/meta.json    params, counters, and the caller's extra state (seen files, alerts ...)
    gen-000042/window.parquet   names of the objects/contents in the window
    log/kept-000042.npz     co-share rows kept in batch 42 (append-only; rows only ever get kept)
    log/names-000042.parquet    accounts first seen and objects/contents first on a pair in batch 42

A commit writes the log parts of its batch, then the generation directory under a temporary
name, renames it, and last replaces CURRENT (temp file + rename): a crash at any point leaves
the previous generation in force, and re-applying the batch rewrites the same parts.
Loading reads CURRENT's generation and the log parts up to its batch (later ones are debris
of an interrupted batch and are ignored). Writes cost the window, the edges and one byte per
co-share row (the fast flags), not the history.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np

from coordgraph.analysis.incremental import KEPT, NO_TIME, PENDING, WINDOW, LiveParams, LiveState, Names

CORE = (*WINDOW, *PENDING, "acc_n", "acc_m", "acc_mf", "cont_rows", "cont_flags", "cont_acc", "obj_ref",
        "k_fast", "e_lo", "e_hi", "e_w", "e_dt", "e_nx", "e_ny", "e_wf", "e_dtf", "e_nxf", "e_nyf")
COUNTERS = ("batch", "seq", "max_t", "rows_seen", "duplicates", "too_late", "base_batch", "_live_contents")


def _distinct_sorted(keys: np.ndarray) -> np.ndarray:
    """Sorted distinct int64 keys (a sort and a mask: cheaper than numpy's hashing unique)."""
    keys = np.sort(keys)
    if len(keys) < 2:
        return keys
    return keys[np.concatenate(([True], keys[1:] != keys[:-1]))]


def _kept_array(part, key: str) -> np.ndarray:
    """One array of a kept part; ``k_t`` of a part written before times were kept is NO_TIME."""
    if key == "k_t" and key not in part.files:
        return np.full(len(part["k_obj"]), NO_TIME, np.int64)
    return part[key]


def _batch_of(path: Path) -> int:
    """The batch number at the end of a log part's name (kept-000042.npz -> 42)."""
    try:
        return int(path.name.split(".")[0].rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return -1


def _gen_name(batch: int) -> str:
    return f"gen-{batch:06d}"


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _atomic_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _write_names(path: Path, kinds: list[str], codes: list[np.ndarray], names: list[list]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    kind = np.concatenate([np.full(len(c), k, dtype=object) for k, c in zip(kinds, codes)]) if codes else []
    table = pa.table({"kind": pa.array(list(kind), pa.string()),
                      "code": pa.array(np.concatenate(codes) if codes else [], pa.int64()),
                      "name": pa.array([n for part in names for n in part], pa.string())})
    pq.write_table(table, path)


def _read_names(path: Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """kind -> (codes, names as an object array) of a names part (columnar, no row loop)."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    out = {}
    for kind in pc.unique(table.column("kind")).to_pylist():
        part = table.filter(pc.equal(table.column("kind"), kind))
        out[kind] = (part.column("code").to_numpy(), part.column("name").to_numpy(zero_copy_only=False))
    return out


class LiveStore:
    """The on-disk home of one live state (``directory``)."""

    def __init__(self, directory: str | Path) -> None:
        self.dir = Path(directory)
        self.log = self.dir / "log"

    # ------------------------------------------------------------------ load
    def current(self) -> str | None:
        path = self.dir / "CURRENT"
        return path.read_text().strip() if path.exists() else None

    def load(self, params: LiveParams) -> tuple[LiveState, dict]:
        """The committed state (a new empty one when there is none) and the caller's extra
        state. Refuses a state made with other parameters (ValueError naming them)."""
        gen = self.current()
        if gen is None:
            state = LiveState(params)
            self._remember(state)
            return state, {}
        gdir = self.dir / gen
        meta = json.loads((gdir / "meta.json").read_text())
        if meta["params"] != params.as_dict():
            diff = {k: (meta["params"].get(k), v) for k, v in params.as_dict().items() if meta["params"].get(k) != v}
            raise ValueError(f"{self.dir}: the live state was made with other parameters "
                             f"({', '.join(f'{k}: {a} there, {b} asked' for k, (a, b) in diff.items())}); "
                             "use another --state directory or the same options")
        state = LiveState(params)
        for key in COUNTERS:
            setattr(state, key, int(meta["counters"].get(key, 0)))
        with np.load(gdir / "core.npz") as core:
            for key in CORE:
                if key == "p_t" and key not in core.files:  # saved before times were kept
                    setattr(state, key, np.full(len(core["p_obj"]), NO_TIME, np.int64))
                    continue
                setattr(state, key, core[key])
        n_acc, n_obj, n_cont = meta["sizes"]
        acc_names = np.full(n_acc, None, dtype=object)
        obj_names = np.full(n_obj, None, dtype=object)
        cont_names = np.full(n_cont, None, dtype=object)
        kept_parts = {k: [] for k in (*KEPT, "k_edge")}
        first = 1
        if state.base_batch:
            first = state.base_batch + 1
            for kind, (codes, names) in _read_names(self.log / f"base-names-{state.base_batch:06d}.parquet").items():
                {"accounts": acc_names, "objects": obj_names, "contents": cont_names}[kind][codes] = names
            with np.load(self.log / f"base-kept-{state.base_batch:06d}.npz") as part:
                for k in kept_parts:
                    kept_parts[k].append(_kept_array(part, k))
        for b in range(first, state.batch + 1):
            names_part = self.log / f"names-{b:06d}.parquet"
            if names_part.exists():
                for kind, (codes, names) in _read_names(names_part).items():
                    {"accounts": acc_names, "objects": obj_names, "contents": cont_names}[kind][codes] = names
            kept_part = self.log / f"kept-{b:06d}.npz"
            if kept_part.exists():
                with np.load(kept_part) as part:
                    for k in kept_parts:
                        kept_parts[k].append(_kept_array(part, k))
        for k, parts in kept_parts.items():
            setattr(state, k, np.concatenate(parts) if parts else np.zeros(0, np.int64))
        window = _read_names(gdir / "window.parquet") if (gdir / "window.parquet").exists() else {}
        for kind, target in (("objects", obj_names), ("contents", cont_names)):
            codes, names = window.get(kind, (np.zeros(0, np.int64), np.zeros(0, dtype=object)))
            target[codes] = names
        state.accounts = Names(acc_names.tolist())
        state.objects = Names(obj_names.tolist(), live=np.unique(state.w_obj))
        state.contents = Names(cont_names.tolist(), live=np.unique(state.w_cont))
        self._derive(state)
        self._remember(state)
        return state, meta.get("extra", {})

    @staticmethod
    def _derive(state: LiveState) -> None:
        """Rebuild the lookup structures that are functions of what was saved."""
        keys = np.minimum(state.e_lo, state.e_hi) * (1 << 32) + np.maximum(state.e_lo, state.e_hi)
        order = np.argsort(keys, kind="stable")
        state.e_keys, state.e_ids = keys[order], order.astype(np.int64)
        e = state.k_edge
        state.ec_keys = _distinct_sorted(np.concatenate((e * (1 << 32) + state.k_l, e * (1 << 32) + state.k_r)))
        f = state.k_fast
        state.ecf_keys = _distinct_sorted(np.concatenate((e[f] * (1 << 32) + state.k_l[f],
                                                          e[f] * (1 << 32) + state.k_r[f])))

    @staticmethod
    def _remember(state: LiveState) -> None:
        """Note on the state what is on disk already (the next commit writes only what is new)."""
        state.persisted = {"accounts": len(state.accounts), "kept": len(state.k_obj),
                           "objects": state.obj_ref > 0, "contents": (state.cont_flags & 4) > 0}

    # ------------------------------------------------------------------ side parts
    def write_part(self, batch: int, name: str, frame) -> None:
        """An append-only side table of ``batch`` (e.g. the retweet-original index), written
        before the commit point and read back by :meth:`read_parts` once committed."""
        self.log.mkdir(parents=True, exist_ok=True)
        frame.to_parquet(self.log / f"{name}-{batch:06d}.parquet", index=False)

    def read_parts(self, name: str, upto: int) -> list:
        """The side tables ``name`` of batches 1..``upto`` (committed ones), in order."""
        import pandas as pd

        out = []
        for b in range(1, upto + 1):
            path = self.log / f"{name}-{b:06d}.parquet"
            if path.exists():
                out.append(pd.read_parquet(path))
        return out

    # ------------------------------------------------------------------ commit
    def commit(self, state: LiveState, extra: dict | None = None, fault=None) -> None:
        """Write ``state`` (after :meth:`LiveState.apply`) as the new committed generation.

        ``fault(step)`` is called between the write steps (tests use it to interrupt a
        commit the way kill -9 would)."""
        fault = fault or (lambda step: None)
        b = state.batch
        self.log.mkdir(parents=True, exist_ok=True)
        # 1. append-only parts of this batch
        if not hasattr(state, "persisted"):
            raise ValueError("commit a state obtained from LiveStore.load")
        done = state.persisted
        rebase = state.rebase
        if rebase:  # contents were renumbered: one base of every kept row and name
            done = {"accounts": 0, "kept": 0, "objects": np.zeros(0, bool), "contents": np.zeros(0, bool)}
            state.base_batch = b
        prefix = "base-" if rebase else ""
        kept_from = done["kept"]
        np.savez(self.log / f"{prefix}kept-{b:06d}.npz",
                 **{k: getattr(state, k)[kept_from:] for k in (*KEPT, "k_edge")})
        fault("kept-part")
        kinds, codes, names = [], [], []
        a0 = done["accounts"]
        if len(state.accounts) > a0:
            kinds.append("accounts")
            codes.append(np.arange(a0, len(state.accounts), dtype=np.int64))
            names.append(state.accounts.names[a0:])
        for kind, flags in (("objects", state.obj_ref > 0), ("contents", (state.cont_flags & 4) > 0)):
            before = done[kind]
            prev = np.zeros(len(flags), dtype=bool)
            prev[: len(before)] = before[: len(flags)] > 0
            new = np.flatnonzero(flags & ~prev)
            if len(new):
                lst = (state.objects if kind == "objects" else state.contents).names
                kinds.append(kind)
                codes.append(new)
                names.append([lst[c] for c in new.tolist()])
        _write_names(self.log / f"{prefix}names-{b:06d}.parquet", kinds, codes, names)
        fault("names-part")
        # 2. the generation, under a temporary name
        gen = _gen_name(b)
        tmp = self.dir / (gen + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        np.savez(tmp / "core.npz", **{k: getattr(state, k) for k in CORE})
        w_obj, w_cont = np.unique(state.w_obj), np.unique(state.w_cont)
        _write_names(tmp / "window.parquet", ["objects", "contents"], [w_obj, w_cont],
                     [[state.objects.names[c] for c in w_obj.tolist()],
                      [state.contents.names[c] for c in w_cont.tolist()]])
        meta = {"params": state.params.as_dict(), "counters": {k: int(getattr(state, k)) for k in COUNTERS},
                "sizes": [len(state.accounts), len(state.objects), len(state.contents)], "extra": extra or {}}
        (tmp / "meta.json").write_text(json.dumps(meta))
        fault("generation")
        final = self.dir / gen
        shutil.rmtree(final, ignore_errors=True)
        os.rename(tmp, final)
        _fsync_dir(self.dir)
        fault("renamed")
        # 3. the commit point
        _atomic_bytes(self.dir / "CURRENT", gen.encode())
        _fsync_dir(self.dir)
        fault("committed")
        for old in self.dir.glob("gen-*"):
            if old.name != gen:
                shutil.rmtree(old, ignore_errors=True)
        if rebase:  # parts before the new base are no longer read
            for old in self.log.glob("*.npz"):
                if _batch_of(old) <= b and not old.name.startswith(f"base-kept-{b:06d}"):
                    old.unlink(missing_ok=True)
            for old in self.log.glob("*names-*.parquet"):
                if _batch_of(old) <= b and old.name != f"base-names-{b:06d}.parquet":
                    old.unlink(missing_ok=True)
        state.rebase = False
        self._remember(state)
