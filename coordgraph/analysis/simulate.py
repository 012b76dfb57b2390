"""A planted-campaign generator with known truth (after CooRTweet's ``simulate_data``).

Coordinated accounts are split into campaigns. Inside a campaign every pair of accounts
shares ``Poisson(lambda_coord) + min_participation`` times, each time a random object, the
second share 0..``time_window`` seconds after the first. Other accounts share in pairs too,
but with gaps of ``time_window + 2`` .. ``2 * time_window + 1`` seconds, never inside the
window. Every event has its own time slot, slots spaced so that shares of different events
can never fall within the window of each other. Hence ``detect_groups`` must return exactly
the coordinated pairs, and the network is the union of one complete graph per campaign.

Not bit-compatible with R's random numbers: the truth, not CooRTweet's exact draw, is the
oracle (CooRTweet's own draw for seed 123 is in tests/fixtures/coortweet/simulate_seed123).
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd


@dataclass
class Simulation:
    """A simulated data set: ``shares`` (the input), ``truth`` (the expected detect_groups
    rows), ``campaigns`` (account_id -> campaign number, coordinated accounts only) and the
    parameters that made it."""

    shares: pd.DataFrame
    truth: pd.DataFrame
    campaigns: dict[str, int]
    params: dict

    @property
    def coordinated_accounts(self) -> set[str]:
        return set(self.campaigns)


def simulate_data(
    n_accounts_coord: int = 30,
    n_accounts_noncoord: int = 70,
    n_objects: int = 50,
    min_participation: int = 2,
    time_window: int = 10,
    lambda_coord: float = 1.0,
    lambda_noncoord: float = 2.0,
    n_campaigns: int = 1,
    start: int = 1_588_896_000,
    seed: int = 42,
) -> Simulation:
    """Simulate shares with planted coordinated campaigns and innocent background activity.

    ``n_accounts_coord`` accounts form ``n_campaigns`` campaigns of near-equal size; each pair
    inside a campaign co-shares ``Poisson(lambda_coord) + min_participation`` times within
    ``time_window`` seconds. Each of the ``n_accounts_noncoord`` other accounts shares
    ``Poisson(lambda_noncoord) + min_participation`` times, paired with a random other
    account (coordinated accounts included) outside the window. Times are UNIX seconds
    from ``start`` (UTC). Same seed, same data.
    """
    if n_campaigns < 1 or n_accounts_coord < 2 * n_campaigns:
        raise ValueError("each campaign needs at least two coordinated accounts")
    rng = np.random.default_rng(seed)
    width = len(str(n_accounts_coord + n_accounts_noncoord))
    coord = [f"account_{i:0{width}d}" for i in range(1, n_accounts_coord + 1)]
    other = [f"account_{i:0{width}d}" for i in range(n_accounts_coord + 1, n_accounts_coord + n_accounts_noncoord + 1)]
    owidth = len(str(n_objects))
    objects = np.array([f"object_{i:0{owidth}d}" for i in range(1, n_objects + 1)], dtype=object)
    campaign_of = {acc: k % n_campaigns for k, acc in enumerate(coord)}
    slot = 4 * time_window + 4  # the 2nd share lies <= 2*tw+1 after the 1st; slots end > tw apart

    events: list[tuple[str, str, int]] = []  # (account, account_y, gap seconds)
    for c in range(n_campaigns):
        members = [a for a in coord if campaign_of[a] == c]
        for a, b in combinations(members, 2):
            for _ in range(int(rng.poisson(lambda_coord)) + min_participation):
                events.append((a, b, int(rng.integers(0, time_window + 1))))
    everyone = coord + other
    for a in other:
        for _ in range(int(rng.poisson(lambda_noncoord)) + min_participation):
            b = a
            while b == a:
                b = everyone[int(rng.integers(len(everyone)))]
            events.append((a, b, int(rng.integers(time_window + 2, 2 * time_window + 2))))
    order = rng.permutation(len(events))
    rows, truth = [], []
    share_no = 0
    for slot_no, e in enumerate(order):
        a, b, gap = events[e]
        t0 = start + slot_no * slot
        obj = objects[int(rng.integers(n_objects))]
        first, second = (a, b) if rng.random() < 0.5 else (b, a)
        c1, c2 = f"share_{share_no:07d}", f"share_{share_no + 1:07d}"
        share_no += 2
        rows.append((obj, first, c1, t0))
        rows.append((obj, second, c2, t0 + gap))
        if gap <= time_window:
            truth.append((obj, c1, c2, gap, first, second))
    shares = pd.DataFrame(rows, columns=["object_id", "account_id", "content_id", "timestamp_share"])
    shares["timestamp_share"] = shares["timestamp_share"].astype(np.int64)
    shares = shares.sample(frac=1.0, random_state=int(rng.integers(2**31))).reset_index(drop=True)
    truth_frame = pd.DataFrame(truth, columns=["object_id", "content_id", "content_id_y", "time_delta",
                                               "account_id", "account_id_y"])
    truth_frame["time_delta"] = truth_frame["time_delta"].astype(np.int64)
    # On a tie the older share is the one first in processing order: accounts by first appearance.
    rank = {acc: r for r, acc in enumerate(pd.unique(shares["account_id"]))}
    swap = (truth_frame["time_delta"] == 0) & (truth_frame["account_id_y"].map(rank) < truth_frame["account_id"].map(rank))
    for x, y in (("content_id", "content_id_y"), ("account_id", "account_id_y")):
        truth_frame.loc[swap, [x, y]] = truth_frame.loc[swap, [y, x]].to_numpy()
    params = dict(n_accounts_coord=n_accounts_coord, n_accounts_noncoord=n_accounts_noncoord,
                  n_objects=n_objects, min_participation=min_participation, time_window=time_window,
                  lambda_coord=lambda_coord, lambda_noncoord=lambda_noncoord, n_campaigns=n_campaigns,
                  start=start, seed=seed)
    return Simulation(shares, truth_frame, campaign_of, params)
