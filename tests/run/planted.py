"""Generated shares with answers worked out by hand (not by any engine).

Three campaigns and background noise, times in UNIX seconds:

- **A** (accounts ``a0..a5``, 4 objects ``oa0..oa3``) and **B** (``b0..b5``, 6 objects): account
  k shares object j at ``base + 1000 j + 3 k``: two accounts k < l are ``3 (l - k)`` s apart,
  so with a 10 s window the pairs with l - k <= 3 co-share (12 edges per campaign, weight =
  the campaign's objects, avg_time_delta = 3 (l - k), 1 content per object on each side,
  symmetry 1). With a 5 s fast window only neighbours (l - k = 1, 3 s) are fast.
- **T** (``t0..t4``, 3 objects): every share of an object at the same second (ties): a
  complete graph, 10 edges of weight 3, delta 0 (all fast).
- **Originals**: each campaign object is also in the data as its author's original post
  (object = content id, ``author_<campaign>``), at the same second as the first share of it
  (simultaneous originals). The loop rule removes every pair with an original: no edge.
- **Noise**: 20 accounts with 2 shares each of objects nobody else shares; one account
  ``lonely`` with a single share at the same second as a0's first share (pre-filter: fewer
  than 2 rows, so it is not in any pair).

Input rows are shuffled (seed 5): row order must not matter for edges.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

FAST_WINDOW = 5
TIME_WINDOW = 10
BASE = {"a": 1_700_000_000, "b": 1_700_100_000, "t": 1_700_200_000}
OBJECTS = {"a": 4, "b": 6, "t": 3}


def planted_shares() -> pd.DataFrame:
    rows = []
    for c in ("a", "b"):
        for j in range(OBJECTS[c]):
            obj = f"o{c}{j}"
            rows.append((obj, f"author_{c}", obj, BASE[c] + 1000 * j))  # the original, simultaneous with k=0
            for k in range(6):
                rows.append((obj, f"{c}{k}", f"p_{c}{k}_{j}", BASE[c] + 1000 * j + 3 * k))
    for j in range(OBJECTS["t"]):
        obj = f"ot{j}"
        rows.append((obj, "author_t", obj, BASE["t"] + 1000 * j))
        for k in range(5):
            rows.append((obj, f"t{k}", f"p_t{k}_{j}", BASE["t"] + 1000 * j))
    for n in range(20):
        for j in range(2):
            rows.append((f"noise_{n}_{j}", f"n{n}", f"p_n{n}_{j}", 1_700_300_000 + 100 * n + 37 * j))
    rows.append(("oa0", "lonely", "p_lonely", BASE["a"]))
    frame = pd.DataFrame(rows, columns=["object_id", "account_id", "content_id", "timestamp_share"])
    frame["timestamp_share"] = frame["timestamp_share"].astype(np.int64)
    return frame.sample(frac=1.0, random_state=5).reset_index(drop=True)


def expected_edges() -> pd.DataFrame:
    """Edges (account_id < account_id_y) with full and fast attributes, by hand."""
    rows = []
    for c in ("a", "b"):
        n = OBJECTS[c]
        for k in range(6):
            for l in range(k + 1, 6):
                d = 3 * (l - k)
                if d > TIME_WINDOW:
                    continue
                fast = d <= FAST_WINDOW
                rows.append((f"{c}{k}", f"{c}{l}", n, float(d), n, n, 1.0,
                             n if fast else None, float(d) if fast else None, n if fast else None,
                             n if fast else None, 1.0 if fast else None))
    for k in range(5):
        for l in range(k + 1, 5):
            rows.append((f"t{k}", f"t{l}", 3, 0.0, 3, 3, 1.0, 3, 0.0, 3, 3, 1.0))
    cols = ["account_id", "account_id_y", "weight", "avg_time_delta", "n_content_id", "n_content_id_y",
            "edge_symmetry_score", "weight_fast", "avg_time_delta_fast", "n_content_id_fast",
            "n_content_id_y_fast", "edge_symmetry_score_fast"]
    frame = pd.DataFrame(rows, columns=cols)
    # Thresholds at edge_weight 0.5 (R type 7): 34 weights = 10 x 3, 12 x 4, 12 x 6; h = 33 * 0.5
    # = 16.5 lies between sorted positions 16 and 17, both 4 -> 4.0; the 12 edges of B are above.
    # Fast: 20 weights = 10 x 3, 5 x 4, 5 x 6; h = 19 * 0.5 = 9.5 between 3 and 4 -> 3.5; 10 above.
    frame["weight_threshold"] = (frame["weight"] > 4.0).astype(int)
    frame["weight_threshold_fast"] = np.where(frame["weight_fast"].isna(), np.nan, frame["weight_fast"] > 3.5)
    return frame


THRESHOLD, THRESHOLD_FAST = 4.0, 3.5
N_EDGES, N_ABOVE, N_FAST_ABOVE = 34, 12, 10
# co-shares: A 12 pairs x 4 objects + B 12 x 6 + T 10 x 3 = 48 + 72 + 30
N_RESULT_ROWS = 150
N_FAST_ROWS = 5 * 4 + 5 * 6 + 30


def expected_vertices() -> dict[str, tuple[int, int]]:
    """account -> (degree, strength): in A/B account k has partners with |l - k| <= 3."""
    out = {}
    for c in ("a", "b"):
        for k in range(6):
            degree = sum(1 for l in range(6) if l != k and abs(l - k) <= 3)
            out[f"{c}{k}"] = (degree, degree * OBJECTS[c])
    for k in range(5):
        out[f"t{k}"] = (4, 12)
    return out
