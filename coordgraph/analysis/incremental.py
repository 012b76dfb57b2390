"""An incremental, exact co-share engine: apply batches of new shares to a live state and get
what one batch run (:func:`coordgraph.analysis.detect_groups`, ``flag_speed_share``,
``coordinated_network``) gives on all the shares applied so far. Pure data in and out.

Why it can be incremental. Every filter of the method is *monotone* in the data: an
account's share count n(a) (the pre-filter) only grows; C (contents on pre-filtered pairs),
m(a) (an account's rows whose content is in C) and P (the OR rule) only grow; so a co-share
row, once kept, stays kept, and a row once flagged fast stays flagged. A batch therefore

1. pairs each new share with the shares of its object within ``time_window`` seconds, taken
   from the *window state* (every share with a time >= newest - late_bound - time_window);
2. files the new pairs (loops dropped) as *pending* until the filters keep them;
3. re-examines only the pending pairs of accounts whose n(a) or m(a) crossed
   ``min_participation`` in this batch, moves the kept ones to the result rows and adds them
   to the per-edge accumulators (weight, summed seconds, distinct contents per side);
4. does the same for the fast window (``time_window_<S>`` flags, the fast edges);
5. recomputes the percentile thresholds from the accumulated edge weights (they depend on the
   whole distribution: one O(edges) quantile per batch).

Late posts. A share is *too late* when its time is more than ``late_bound`` seconds before
the newest time of every share that came before it in the stream (a rule of the stream
order alone, so batch boundaries do not matter). Too-late shares are not applied: they are
counted and returned (``BatchReport.too_late``) for the caller to log. Shares within the bound
are exact, whatever their order.

Duplicates. A share whose (object_id, content_id) was already applied is ignored (the first
copy wins); a duplicate of a share older than the late bound is too late anyway.

Tie orientation. On equal times the older share is the one first in *arrival* order
(accounts by first arrival, then rows in arrival order): a batch run on the concatenation of
the applied shares, in arrival order, gives the same rows, orientation included.

Memory: the window state (shares of the last ``late_bound + time_window`` seconds), the
pending and kept co-share rows and the edges (the output), the accounts, plus 5 bytes per
content code (row count and C flags). Object and content names are kept only while in the
window or on a co-share row.

Assumption: a content id belongs to one account (a post has one author), as in every
platform reader of :mod:`coordgraph.loader`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

NO_TIME = np.iinfo(np.int64).min // 4
#: state arrays, by group (for persistence)
WINDOW = ("w_obj", "w_acc", "w_cont", "w_t", "w_seq", "w_loop")
PENDING = ("p_obj", "p_l", "p_r", "p_al", "p_ar", "p_dt", "p_t", "p_pre")
#: ``k_t``/``p_t``: the older share's time (UNIX seconds UTC; the newer one is ``+ dt``), so the
#: graph store gets each co-share's times and each edge's first/last co-share time; a state
#: saved before these arrays existed has NO_TIME there (times unknown)
KEPT = ("k_obj", "k_l", "k_r", "k_al", "k_ar", "k_dt", "k_t")


@dataclass(frozen=True)
class LiveParams:
    """Parameters of a live run (seconds). ``late_bound``: how far (seconds) a share may be
    older than the newest one seen before it and still be applied exactly."""

    time_window: int = 10
    min_participation: int = 2
    remove_loops: bool = True
    edge_weight: float = 0.5
    fast_window: int | None = None
    late_bound: int = 3600

    def __post_init__(self) -> None:
        if self.time_window < 0:
            raise ValueError(f"--time-window must be >= 0 seconds, got {self.time_window}")
        if self.min_participation < 0:
            raise ValueError(f"--min-participation must be >= 0, got {self.min_participation}")
        if not 0 <= self.edge_weight <= 1:
            raise ValueError(f"--edge-weight is a percentile in [0, 1], got {self.edge_weight}")
        if self.fast_window is not None and not 0 <= self.fast_window <= self.time_window:
            raise ValueError(f"--fast-window must be between 0 and --time-window ({self.time_window}) "
                             f"seconds, got {self.fast_window}")
        if self.late_bound < 0:
            raise ValueError(f"--late-bound must be >= 0 seconds, got {self.late_bound}")

    def as_dict(self) -> dict:
        return dict(time_window=self.time_window, min_participation=self.min_participation,
                    remove_loops=self.remove_loops, edge_weight=self.edge_weight,
                    fast_window=self.fast_window, late_bound=self.late_bound)


@dataclass
class BatchReport:
    """What one batch did: rows read, applied, duplicates, too late (their row numbers in
    the batch), new pairs, newly kept rows, the edges whose attributes changed."""

    batch: int
    rows: int = 0
    applied: int = 0
    duplicates: int = 0
    too_late: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    new_pairs: int = 0
    newly_kept: int = 0
    newly_fast: int = 0
    changed_edges: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    min_time: int | None = None
    max_time: int | None = None


class Names:
    """String ids <-> int codes, codes by first arrival; names of evicted codes may be dropped
    from the lookup (``forget``) while the code -> name list keeps what outputs need."""

    def __init__(self, names: list | None = None, live: np.ndarray | None = None) -> None:
        self.names: list = list(names) if names is not None else []
        if live is None:
            self.index: dict = dict(zip(self.names, range(len(self.names))))
            self.index.pop(None, None)
        else:
            self.index = {self.names[c]: c for c in live.tolist() if self.names[c] is not None}

    def __len__(self) -> int:
        return len(self.names)

    def lookup(self, values) -> np.ndarray:
        """Codes of ``values`` (-1 for unknown), no insertion."""
        get = self.index.get
        return np.fromiter((get(v, -1) for v in values), dtype=np.int64, count=len(values))

    def add(self, values) -> np.ndarray:
        """Codes of ``values``, new ones appended in order of first appearance."""
        index, names = self.index, self.names
        out = np.empty(len(values), dtype=np.int64)
        for i, v in enumerate(values):
            c = index.get(v)
            if c is None:
                c = index[v] = len(names)
                names.append(v)
            out[i] = c
        return out

    def forget(self, codes: np.ndarray, keep_names: np.ndarray) -> None:
        """Drop ``codes`` from the lookup; their names too unless ``keep_names`` (bool per code)."""
        for c, keep in zip(codes.tolist(), keep_names.tolist()):
            name = self.names[c]
            if name is not None and self.index.get(name) == c:
                del self.index[name]
            if not keep:
                self.names[c] = None


def _grow(arr: np.ndarray, n: int, fill=0) -> np.ndarray:
    """``arr`` extended to at least ``n`` entries (amortised doubling), new entries ``fill``."""
    if len(arr) >= n:
        return arr
    out = np.full(max(n, 2 * len(arr), 1024), fill, dtype=arr.dtype)
    out[: len(arr)] = arr
    return out


def _sorted_insert(keys: np.ndarray, new: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Insert distinct ``new`` keys into sorted ``keys``: (merged keys, mask of ``new`` that
    were absent). ``new`` may hold repeats; each absent key counts once (its first copy)."""
    if len(new) == 0:
        return keys, np.zeros(0, dtype=bool)
    pos = np.searchsorted(keys, new)
    present = (pos < len(keys)) & (keys[np.minimum(pos, len(keys) - 1)] == new) if len(keys) else \
        np.zeros(len(new), dtype=bool)
    absent = ~present
    # first copy of each absent key
    cand = np.flatnonzero(absent)
    if len(cand):
        _, first = np.unique(new[cand], return_index=True)
        fresh = np.zeros(len(new), dtype=bool)
        fresh[cand[first]] = True
    else:
        fresh = absent
    if fresh.any():
        add = np.sort(new[fresh])
        keys = np.insert(keys, np.searchsorted(keys, add), add)
    return keys, fresh


class LiveState:
    """The live state of an incremental run (see the module docstring). Build it empty with
    ``LiveState(params)`` and call :meth:`apply` per batch; :mod:`coordgraph.analysis.live_store`
    persists it."""

    def __init__(self, params: LiveParams) -> None:
        self.params = params
        self.batch = 0
        self.seq = 0          # shares applied (arrival sequence number of the next one)
        self.max_t = NO_TIME  # newest time of every share seen (applied, duplicate or late)
        self.rows_seen = 0
        self.duplicates = 0
        self.too_late = 0
        self.accounts = Names()
        self.objects = Names()
        self.contents = Names()
        i64, b = np.int64, bool
        self.acc_n = np.zeros(0, i64)    # rows per account (pre-filter count)
        self.acc_m = np.zeros(0, i64)    # rows whose content is in C
        self.acc_mf = np.zeros(0, i64)   # rows whose content is in C_fast
        self.cont_acc = np.zeros(0, np.int32)    # the account of each content (one author a post)
        self.cont_rows = np.zeros(0, np.int32)
        self.cont_flags = np.zeros(0, np.uint8)  # 1 in C, 2 in C_fast, 4 on a co-share row (name kept)
        self.obj_ref = np.zeros(0, np.uint8)     # 1: object on a co-share row (name kept)
        for name in WINDOW + PENDING + KEPT:
            setattr(self, name, np.zeros(0, b if name in ("w_loop", "p_pre") else i64))
        self.k_fast = np.zeros(0, b)
        self.k_edge = np.zeros(0, i64)
        # edges: keys lo * 2^32 + hi (account codes), sorted, with the edge number of each
        self.e_keys = np.zeros(0, i64)
        self.e_ids = np.zeros(0, i64)
        self.e_lo = np.zeros(0, i64)
        self.e_hi = np.zeros(0, i64)
        for name in ("e_w", "e_dt", "e_nx", "e_ny", "e_wf", "e_dtf", "e_nxf", "e_nyf"):
            setattr(self, name, np.zeros(0, i64))
        self.rebase = False        # contents were renumbered: the store writes a new base
        self.base_batch = 0        # the batch of the store's base (see live_store)
        self._live_contents = 0    # contents alive at the last compaction
        self.ec_keys = np.zeros(0, i64)   # edge * 2^32 + content, distinct, sorted (full)
        self.ecf_keys = np.zeros(0, i64)  # the same for fast rows

    # ------------------------------------------------------------------ helpers
    @property
    def n_edges(self) -> int:
        return len(self.e_lo)

    @property
    def watermark(self) -> int:
        """Shares older than this (seconds) are too late."""
        return self.max_t - self.params.late_bound

    # ------------------------------------------------------------------ apply
    def apply(self, shares, exempt=None) -> BatchReport:
        """Apply one batch (a DataFrame with the share columns, in arrival order) and return
        what changed. The state is modified in place; persist it after (live_store.commit).

        ``exempt`` (bool per row): rows applied whatever their lateness, honoured only for
        loop rows (object_id = content_id) with loops removed, which pair with nothing and
        only count for their account and content (retweet originals found later)."""
        p = self.params
        self.batch += 1
        rep = BatchReport(batch=self.batch, rows=len(shares))
        if len(shares) == 0:
            return rep
        obj_s = shares["object_id"].to_numpy(dtype=object)
        acc_s = shares["account_id"].to_numpy(dtype=object)
        cont_s = shares["content_id"].to_numpy(dtype=object)
        t = shares["timestamp_share"].to_numpy(dtype=np.int64)
        self.rows_seen += len(t)
        rep.min_time, rep.max_time = int(t.min()), int(t.max())
        # ---- too late: older than (newest before it) - late_bound
        before = np.maximum(np.concatenate(([self.max_t], np.maximum.accumulate(t)[:-1])), self.max_t)
        late = t < before - p.late_bound
        if exempt is not None and p.remove_loops:
            late &= ~(np.asarray(exempt, dtype=bool) & (obj_s == cont_s))
        self.max_t = max(self.max_t, int(t.max()))
        rep.too_late = np.flatnonzero(late)
        self.too_late += int(late.sum())
        ok = ~late
        # ---- duplicates: (object, content) already applied (in the window) or earlier in the batch
        o_known = self.objects.lookup(obj_s[ok])
        c_known = self.contents.lookup(cont_s[ok])
        both = (o_known >= 0) & (c_known >= 0)
        dup = np.zeros(int(ok.sum()), dtype=bool)
        if both.any() and len(self.w_obj):
            wkeys = self.w_obj * (1 << 32) + self.w_cont
            dup[both] = np.isin(o_known[both] * (1 << 32) + c_known[both], wkeys)
        idx = np.flatnonzero(ok)
        import pandas as pd

        in_batch = pd.DataFrame({"o": obj_s[idx], "c": cont_s[idx]}).duplicated().to_numpy()
        dup |= in_batch
        keep = idx[~dup]
        self.duplicates += int(dup.sum())
        rep.duplicates = int(dup.sum())
        rep.applied = len(keep)
        if len(keep) == 0:
            self._evict()
            return rep
        # ---- code the applied rows
        acc = self.accounts.add(acc_s[keep])
        obj = self.objects.add(obj_s[keep])
        cont = self.contents.add(cont_s[keep])
        tt = t[keep]
        loop = (obj_s[keep] == cont_s[keep]).astype(bool)
        seq = self.seq + np.arange(len(keep), dtype=np.int64)
        self.seq += len(keep)
        na, nc, no = len(self.accounts), len(self.contents), len(self.objects)
        self.acc_n = _grow(self.acc_n, na)
        self.acc_m = _grow(self.acc_m, na)
        self.acc_mf = _grow(self.acc_mf, na)
        self.cont_rows = _grow(self.cont_rows, nc)
        self.cont_acc = _grow(self.cont_acc, nc)
        self.cont_acc[cont] = acc
        self.cont_flags = _grow(self.cont_flags, nc)
        self.obj_ref = _grow(self.obj_ref, no)
        n_before = self.acc_n[:na].copy()
        m_before = self.acc_m[:na].copy()
        mf_before = self.acc_mf[:na].copy()
        np.add.at(self.acc_n, acc, 1)
        np.add.at(self.cont_rows, cont, 1)
        # rows added to contents already in C / C_fast count at once in m / m_fast
        in_c = (self.cont_flags[cont] & 1) > 0
        np.add.at(self.acc_m, acc[in_c], 1)
        in_cf = (self.cont_flags[cont] & 2) > 0
        np.add.at(self.acc_mf, acc[in_cf], 1)
        # ---- pairs of the new shares with the window and with each other
        new_pairs = self._pairs(obj, acc, cont, tt, seq, loop)
        rep.new_pairs = len(new_pairs[0])
        # ---- append to the window, then evict
        for name, values in zip(WINDOW, (obj, acc, cont, tt, seq, loop)):
            setattr(self, name, np.concatenate((getattr(self, name), values)))
        # ---- filters
        mp = p.min_participation
        eligible = self._ok(self.acc_n[:na], mp)
        crossed_n = np.flatnonzero(eligible & ~self._ok(n_before, mp))
        self._file_pending(new_pairs)
        self._advance(crossed_n, m_before, mf_before, rep)
        self._evict()
        self._maybe_compact()
        return rep

    #: no compaction below this many content codes (tests lower it)
    compact_floor = 100_000

    def _maybe_compact(self, slack: int = 2) -> None:
        """Renumber contents when fewer than 1/``slack`` of the codes are still alive (in
        the window or on a co-share row), so per-content arrays follow the window and the
        output, not the history. Amortised O(1) per share: the check itself runs only when
        the codes doubled since the last compaction."""
        n = len(self.contents)
        if n < max(self.compact_floor, slack * self._live_contents):
            return
        live = np.unique(np.concatenate((self.w_cont, self.p_l, self.p_r, self.k_l, self.k_r)))
        self._live_contents = len(live)
        if n < slack * len(live):
            return
        new_of = np.full(n, -1, dtype=np.int64)
        new_of[live] = np.arange(len(live))
        for name in ("w_cont", "p_l", "p_r", "k_l", "k_r"):
            setattr(self, name, new_of[getattr(self, name)])
        self.cont_rows = self.cont_rows[live]
        self.cont_flags = self.cont_flags[live]
        self.cont_acc = self.cont_acc[live]
        mask = (1 << 32) - 1
        for name in ("ec_keys", "ecf_keys"):
            keys = getattr(self, name)
            setattr(self, name, np.sort((keys >> 32) * (1 << 32) + new_of[keys & mask]))
        names = self.contents.names
        self.contents = Names([names[c] for c in live.tolist()], live=np.unique(self.w_cont))
        self.rebase = True

    @staticmethod
    def _ok(counts: np.ndarray, mp: int) -> np.ndarray:
        return counts >= mp if mp > 1 else np.ones(len(counts), dtype=bool)

    def _pairs(self, obj, acc, cont, t, seq, loop):
        """Window pairs with at least one new share, loops dropped: arrays (obj, left content,
        right content, left account, right account, seconds apart, older time), left = older."""
        tw = self.params.time_window
        touched = np.unique(obj)
        wsel = np.flatnonzero(np.isin(self.w_obj, touched)) if len(self.w_obj) else np.zeros(0, np.int64)
        all_obj = np.concatenate((self.w_obj[wsel], obj))
        all_acc = np.concatenate((self.w_acc[wsel], acc))
        all_cont = np.concatenate((self.w_cont[wsel], cont))
        all_t = np.concatenate((self.w_t[wsel], t))
        all_seq = np.concatenate((self.w_seq[wsel], seq))
        all_loop = np.concatenate((self.w_loop[wsel], loop))
        is_new = np.zeros(len(all_t), dtype=bool)
        is_new[len(wsel):] = True
        dense = np.searchsorted(touched, all_obj)
        # processing order: time, then account first arrival, then row arrival
        order = np.lexsort((all_seq, all_acc, all_t, dense))
        dense, all_acc, all_cont, all_t, all_loop, is_new, all_obj = (
            a[order] for a in (dense, all_acc, all_cont, all_t, all_loop, is_new, all_obj))
        t0 = int(all_t.min())
        span = int(all_t.max()) - t0 + tw + 1
        key = dense.astype(np.int64) * span + (all_t - t0)
        pos = np.flatnonzero(is_new)
        lo = np.searchsorted(key, key[pos] - tw, side="left")
        hi = np.searchsorted(key, key[pos] + tw, side="right")
        counts = hi - lo
        i = np.repeat(pos, counts)
        starts = np.repeat(lo - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
        j = np.arange(len(i), dtype=np.int64) + starts
        # each pair once: drop self, and new-new pairs from the newer side's turn
        keep = (j != i) & (~is_new[j] | (j > i))
        i, j = i[keep], j[keep]
        left, right = np.minimum(i, j), np.maximum(i, j)
        if self.params.remove_loops:
            nl = (~all_loop[left] & ~all_loop[right] & (all_cont[left] != all_cont[right])
                  & (all_acc[left] != all_acc[right]))
            left, right = left[nl], right[nl]
        return (all_obj[left], all_cont[left], all_cont[right], all_acc[left], all_acc[right],
                (all_t[right] - all_t[left]).astype(np.int64), all_t[left].astype(np.int64))

    def _file_pending(self, pairs) -> None:
        """Append new pairs to the pending pairs (pre bit false; set by _advance)."""
        pre = np.zeros(len(pairs[0]), dtype=bool)
        for name, values in zip(PENDING, (*pairs, pre)):
            setattr(self, name, np.concatenate((getattr(self, name), values)))
        self.cont_flags[pairs[1]] |= 4
        self.cont_flags[pairs[2]] |= 4
        self.obj_ref[pairs[0]] |= 1

    def _advance(self, crossed_n: np.ndarray, m_before: np.ndarray, mf_before: np.ndarray,
                 rep: BatchReport) -> None:
        """Move pending pairs through the filters after new pairs and counts (spec steps 1, 4).

        ``m_before``/``mf_before``: m and m_fast before this batch (new rows of contents
        already in C count at once, so an account may cross the bound without a new pair)."""
        mp = self.params.min_participation
        na = len(self.accounts)
        elig = self._ok(self.acc_n[:na], mp)
        # pre-filtered now: both accounts eligible (new pairs, and old ones of accounts that
        # became eligible in this batch)
        become_pre = ~self.p_pre & elig[self.p_al] & elig[self.p_ar]
        self.p_pre |= become_pre
        # their contents join C
        self._join(np.concatenate((self.p_l[become_pre], self.p_r[become_pre])), 1, self.acc_m)
        m_ok = self._ok(self.acc_m[:na], mp)
        crossed_m = np.flatnonzero(m_ok & ~self._ok(m_before, mp))
        # kept: pre-filtered and either account with m >= mp (contents of P)
        check = become_pre
        if len(crossed_m):
            check = check | (self.p_pre & (np.isin(self.p_al, crossed_m) | np.isin(self.p_ar, crossed_m)))
        kept = check & self.p_pre & (m_ok[self.p_al] | m_ok[self.p_ar])
        idx = np.flatnonzero(kept)
        rows = {name: getattr(self, name)[idx] for name in PENDING[:-1]}
        if len(idx):
            stay = ~kept
            for name in PENDING:
                setattr(self, name, getattr(self, name)[stay])
        rep.newly_kept = len(idx)
        self._keep(rows, mf_before, rep)

    def _join(self, contents: np.ndarray, bit: int, m: np.ndarray) -> None:
        """Put ``contents`` into C (bit 1) or C_fast (bit 2): each new member adds its rows to
        its account's m."""
        if len(contents) == 0:
            return
        contents = np.unique(contents)
        new = contents[(self.cont_flags[contents] & bit) == 0]
        self.cont_flags[new] |= bit
        np.add.at(m, self.cont_acc[new], self.cont_rows[new])

    def _keep(self, rows: dict, mf_before: np.ndarray, rep: BatchReport) -> None:
        """Append newly kept co-share rows, update the edge accumulators and the fast flags."""
        n_new = len(rows["p_obj"])
        start = len(self.k_obj)
        if n_new:
            edge = self._edge_ids(rows["p_al"], rows["p_ar"])
            for kname, pname in zip(KEPT, PENDING[:-1]):
                setattr(self, kname, np.concatenate((getattr(self, kname), rows[pname])))
            self.k_edge = np.concatenate((self.k_edge, edge))
            self.k_fast = np.concatenate((self.k_fast, np.zeros(n_new, dtype=bool)))
            ne = self.n_edges
            self.e_w += np.bincount(edge, minlength=ne)
            self.e_dt += np.bincount(edge, weights=rows["p_dt"], minlength=ne).astype(np.int64)
            self.ec_keys = self._distinct(self.ec_keys, edge, rows, self.e_nx, self.e_ny)
            rep.changed_edges = np.unique(np.concatenate((rep.changed_edges, edge)))
        self._fast_advance(np.arange(start, start + n_new, dtype=np.int64), mf_before, rep)

    def _edge_ids(self, al: np.ndarray, ar: np.ndarray) -> np.ndarray:
        """Edge numbers of the account pairs (al, ar); new edges get the next numbers, in order
        of first appearance, oriented (account_id < account_id_y in code-point order)."""
        keys = np.minimum(al, ar) * (1 << 32) + np.maximum(al, ar)
        pos = np.searchsorted(self.e_keys, keys)
        found = np.zeros(len(keys), dtype=bool)
        if len(self.e_keys):
            found = self.e_keys[np.minimum(pos, len(self.e_keys) - 1)] == keys
        out = np.empty(len(keys), dtype=np.int64)
        out[found] = self.e_ids[pos[found]]
        if not found.all():
            fresh, first, inverse = np.unique(keys[~found], return_index=True, return_inverse=True)
            appear = np.argsort(first, kind="stable")
            number = np.empty(len(fresh), dtype=np.int64)
            number[appear] = self.n_edges + np.arange(len(fresh))
            out[~found] = number[inverse.ravel()]
            a, b = fresh >> 32, fresh & 0xFFFFFFFF
            names = self.accounts.names
            a_first = np.fromiter((names[x] < names[y] for x, y in zip(a.tolist(), b.tolist())),
                                  dtype=bool, count=len(a))
            lo, hi = np.where(a_first, a, b), np.where(a_first, b, a)
            order = np.argsort(number)
            self.e_lo = np.concatenate((self.e_lo, lo[order]))
            self.e_hi = np.concatenate((self.e_hi, hi[order]))
            at = np.searchsorted(self.e_keys, fresh)
            self.e_keys = np.insert(self.e_keys, at, fresh)
            self.e_ids = np.insert(self.e_ids, at, number)
            grow = len(fresh)
            for name in ("e_w", "e_dt", "e_nx", "e_ny", "e_wf", "e_dtf", "e_nxf", "e_nyf"):
                setattr(self, name, np.concatenate((getattr(self, name), np.zeros(grow, np.int64))))
        return out

    def _distinct(self, keyset: np.ndarray, edge: np.ndarray, rows: dict, nx: np.ndarray, ny: np.ndarray):
        """Add each row's (edge, content) of both sides to ``keyset``; count the new distinct
        contents into ``nx`` (contents of the edge's first account) or ``ny``."""
        e2 = np.concatenate((edge, edge))
        cont = np.concatenate((rows["p_l"], rows["p_r"]))
        acc = np.concatenate((rows["p_al"], rows["p_ar"]))
        keys = e2 * (1 << 32) + cont
        keyset, fresh = _sorted_insert(keyset, keys)
        e_new = e2[fresh]
        is_x = acc[fresh] == self.e_lo[e_new]
        is_y = acc[fresh] == self.e_hi[e_new]  # both on a loop edge (an account with itself)
        np.add.at(nx, e_new[is_x], 1)
        np.add.at(ny, e_new[is_y], 1)
        return keyset

    def _fast_advance(self, new_idx: np.ndarray, mf_before: np.ndarray, rep: BatchReport) -> None:
        """Fast-window flags of kept rows (CooRTweet's flag_speed_share, monotone as well):
        C_fast = contents of kept rows within the fast window; a narrow row is flagged when
        either account has m_fast >= min_participation."""
        fw = self.params.fast_window
        if fw is None:
            return
        mp = self.params.min_participation
        na = len(self.accounts)
        narrow_new = new_idx[self.k_dt[new_idx] <= fw]
        self._join(np.concatenate((self.k_l[narrow_new], self.k_r[narrow_new])), 2, self.acc_mf)
        mf_ok = self._ok(self.acc_mf[:na], mp)
        crossed = np.flatnonzero(mf_ok & ~self._ok(mf_before, mp))
        cand = narrow_new
        if len(crossed):
            old = np.flatnonzero(~self.k_fast & (self.k_dt <= fw)
                                 & (np.isin(self.k_al, crossed) | np.isin(self.k_ar, crossed)))
            cand = np.union1d(cand, old)
        cand = cand[~self.k_fast[cand]]
        flag = cand[mf_ok[self.k_al[cand]] | mf_ok[self.k_ar[cand]]]
        if len(flag) == 0:
            return
        self.k_fast[flag] = True
        e = self.k_edge[flag]
        ne = self.n_edges
        self.e_wf += np.bincount(e, minlength=ne)
        self.e_dtf += np.bincount(e, weights=self.k_dt[flag], minlength=ne).astype(np.int64)
        rows = {"p_l": self.k_l[flag], "p_r": self.k_r[flag], "p_al": self.k_al[flag], "p_ar": self.k_ar[flag]}
        self.ecf_keys = self._distinct(self.ecf_keys, e, rows, self.e_nxf, self.e_nyf)
        rep.newly_fast += len(flag)
        rep.changed_edges = np.unique(np.concatenate((rep.changed_edges, e)))

    def _evict(self) -> None:
        """Drop window shares older than newest - late_bound - time_window (they can pair
        with no share that is still accepted), and forget their names unless on a pair."""
        horizon = self.max_t - self.params.late_bound - self.params.time_window
        old = self.w_t < horizon
        if not old.any():
            return
        gone_cont = np.unique(self.w_cont[old])
        gone_obj = np.unique(self.w_obj[old])
        for name in WINDOW:
            setattr(self, name, getattr(self, name)[~old])
        still_c = np.isin(gone_cont, self.w_cont)
        gone_cont = gone_cont[~still_c]
        self.contents.forget(gone_cont, (self.cont_flags[gone_cont] & 4) > 0)
        still_o = np.isin(gone_obj, self.w_obj)
        gone_obj = gone_obj[~still_o]
        self.objects.forget(gone_obj, self.obj_ref[gone_obj] > 0)

    # ------------------------------------------------------------------ outputs
    def thresholds(self) -> tuple[float | None, float | None]:
        """(threshold, threshold_fast): the ``edge_weight`` quantile (R type 7) of the
        accumulated edge weights, and of the fast edges' fast weights (None without edges)."""
        from coordgraph.contracts import quantile_threshold

        full = quantile_threshold(self.e_w, self.params.edge_weight)
        if self.params.fast_window is None:
            return full, None
        return full, quantile_threshold(self.e_wf[self.e_wf > 0], self.params.edge_weight)

    @staticmethod
    def _names(names: Names, codes: np.ndarray) -> np.ndarray:
        """Names of ``codes`` (object array); the cheaper of a lookup per code or one copy of
        the whole list (no cached copy: it would keep forgotten names alive)."""
        if len(codes) == 0:
            return np.zeros(0, dtype=object)
        lst = names.names
        if 4 * len(codes) < len(lst):
            out = np.empty(len(codes), dtype=object)
            out[:] = [lst[c] for c in codes.tolist()]
            return out
        return np.asarray(lst, dtype=object)[codes]

    def _cached_names(self, attr: str, columns) -> dict:
        """Name columns (pandas string Series) of append-only code arrays, converted only for
        the rows added since the last call (kept rows and edges are only ever appended):
        turning Python strings into pandas' Arrow strings is most of an output's cost."""
        import pandas as pd

        cache = getattr(self, attr, None) or {}
        out = {}
        for name, names, codes in columns:
            have = cache.get(name)
            if have is None or len(have) > len(codes):  # none yet, or a state rebuilt from disk
                have = pd.Series(self._names(names, codes), dtype="str")
            elif len(have) < len(codes):
                more = pd.Series(self._names(names, codes[len(have):]), dtype="str")
                have = pd.concat([have, more], ignore_index=True) if len(have) else more
            out[name] = have
        setattr(self, attr, out)
        return out

    def result_frame(self, times: bool = False):
        """The co-share rows (CooRTweet's detect_groups columns, older share first) and, with
        a fast window, ``time_window_<S>`` (0/1). Rows in the order they were kept (append-only:
        the rows of a batch follow those of earlier batches). ``times``: also ``ts``/``ts_y``,
        the older/newer share's UNIX seconds UTC (nullable; unknown for rows of a state saved
        before times were kept), as the run writer's provenance wants them."""
        import pandas as pd

        from coordgraph.contracts import fast_flag_column

        cols = self._cached_names("_result_names", (
            ("object_id", self.objects, self.k_obj), ("content_id", self.contents, self.k_l),
            ("content_id_y", self.contents, self.k_r), ("account_id", self.accounts, self.k_al),
            ("account_id_y", self.accounts, self.k_ar)))
        frame = pd.DataFrame({
            "object_id": cols["object_id"], "content_id": cols["content_id"], "content_id_y": cols["content_id_y"],
            "time_delta": self.k_dt.astype(np.int64),
            "account_id": cols["account_id"], "account_id_y": cols["account_id_y"],
        })
        if self.params.fast_window is not None:
            frame[fast_flag_column(self.params.fast_window)] = self.k_fast.astype(np.int64)
        if times:
            known = self.k_t != NO_TIME
            frame["ts"] = pd.arrays.IntegerArray(np.where(known, self.k_t, 0), ~known)
            frame["ts_y"] = pd.arrays.IntegerArray(np.where(known, self.k_t + self.k_dt, 0), ~known)
        return frame

    def edges_frame(self):
        """Edges in the run layout: account_id < account_id_y (code-point order), the
        contract's attributes for the full window and, with a fast window, ``<name>_fast``
        (missing on edges without a fast co-share)."""
        import pandas as pd

        from coordgraph.contracts import above_threshold

        thr, thr_fast = self.thresholds()
        w = self.e_w
        ends = self._cached_names("_edge_names", (("lo", self.accounts, self.e_lo), ("hi", self.accounts, self.e_hi)))
        frame = pd.DataFrame({
            "account_id": ends["lo"],
            "account_id_y": ends["hi"],
            "weight": w.astype(np.int64),
            "avg_time_delta": self.e_dt / np.maximum(w, 1),
            "n_content_id": self.e_nx.astype(np.int64),
            "n_content_id_y": self.e_ny.astype(np.int64),
        })
        frame["edge_symmetry_score"] = (np.minimum(self.e_nx, self.e_ny)
                                        / np.maximum(np.maximum(self.e_nx, self.e_ny), 1))
        frame["weight_threshold"] = above_threshold(w, thr)
        if self.params.fast_window is not None:
            has = self.e_wf > 0
            wf = self.e_wf

            def masked(values, dtype):
                if dtype == "Int64":
                    return pd.arrays.IntegerArray(np.where(has, values, 0).astype(np.int64), ~has)
                return np.where(has, values, np.nan)

            frame["weight_fast"] = masked(wf, "Int64")
            frame["avg_time_delta_fast"] = masked(self.e_dtf / np.maximum(wf, 1), "float64")
            frame["n_content_id_fast"] = masked(self.e_nxf, "Int64")
            frame["n_content_id_y_fast"] = masked(self.e_nyf, "Int64")
            frame["edge_symmetry_score_fast"] = masked(
                np.minimum(self.e_nxf, self.e_nyf) / np.maximum(np.maximum(self.e_nxf, self.e_nyf), 1), "float64")
            frame["weight_threshold_fast"] = masked(above_threshold(wf, thr_fast), "Int64")
        return frame

    def vertices_frame(self):
        """account_id, degree, strength (sum of full-window weights), sorted by account_id."""
        import pandas as pd

        na = len(self.accounts)
        ends = np.concatenate((self.e_lo, self.e_hi))
        degree = np.bincount(ends, minlength=na)
        strength = np.bincount(ends, weights=np.concatenate((self.e_w, self.e_w)), minlength=na)
        present = np.flatnonzero(degree > 0)
        frame = pd.DataFrame({"account_id": self._names(self.accounts, present),
                              "degree": degree[present].astype(np.int64),
                              "strength": strength[present].astype(np.int64)})
        return frame.sort_values("account_id", kind="stable").reset_index(drop=True)

    def counts(self) -> dict:
        """Counts for the summary (contract keys plus live ones)."""
        thr, thr_fast = self.thresholds()
        from coordgraph.contracts import above_threshold

        out = {
            "shares": int(self.seq), "result_rows": int(len(self.k_obj)), "edges": int(self.n_edges),
            "vertices": int(len(np.unique(np.concatenate((self.e_lo, self.e_hi))))),
            "edges_above_threshold": int(above_threshold(self.e_w, thr).sum()),
            "threshold": thr, "threshold_fast": thr_fast,
            "rows_seen": int(self.rows_seen), "duplicates": int(self.duplicates),
            "too_late": int(self.too_late), "pending_pairs": int(len(self.p_obj)),
            "window_shares": int(len(self.w_t)), "batches": int(self.batch),
            "newest_time": None if self.max_t == NO_TIME else int(self.max_t),
        }
        if self.params.fast_window is not None:
            has = self.e_wf > 0
            out["edges_above_fast_threshold"] = int(above_threshold(self.e_wf[has], thr_fast).sum())
        return out
