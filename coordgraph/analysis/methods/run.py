"""One entry point for the methods other than CooRTweet, so the CLI stays a few lines.

``coordgraph detect SHARES --out DIR --method qut|cosine [--param KEY=VALUE ...]``: the
parameters are the keyword arguments of :func:`coordgraph.analysis.methods.qut.qut_network`
or of :func:`~coordgraph.analysis.methods.cosine.account_features` and
:func:`~coordgraph.analysis.methods.cosine.cosine_network`, typed from their defaults
(docs/methods.md lists them). ``--time-window`` is QUT's window.
"""
from __future__ import annotations

import inspect

import numpy as np
import pandas as pd

METHODS = ("coortweet", "qut", "cosine")


def _coerce(name: str, text: str, default):
    """``text`` as the type of ``default`` (bool accepts true/false/1/0/yes/no; None-default
    parameters take a float or 'none')."""
    low = text.strip().lower()
    try:
        if isinstance(default, bool):
            if low in ("true", "1", "yes", "on"):
                return True
            if low in ("false", "0", "no", "off"):
                return False
            raise ValueError
        if default is None:
            return None if low == "none" else float(text)
        if isinstance(default, int):
            return int(text)
        if isinstance(default, float):
            return None if low == "none" else float(text)
        return text
    except ValueError:
        raise ValueError(f"--param {name}={text!r}: expected a {type(default).__name__ if default is not None else 'number'}") from None


def parse_params(method: str, pairs: list[str]) -> dict:
    """``['top_k=10', 'tfidf=false']`` -> every keyword argument of ``method``'s functions,
    the given ones typed from the defaults, the others at their defaults.
    ValueError naming the bad pair or the known keys."""
    from coordgraph.analysis.methods import cosine, qut

    functions = {"qut": [qut.qut_network], "cosine": [cosine.account_features, cosine.cosine_network]}[method]
    defaults = {name: p.default for f in functions for name, p in inspect.signature(f).parameters.items()
                if p.default is not inspect.Parameter.empty and name not in ("time_window", "block_rows")}
    params = dict(defaults)  # every parameter, so a run's summary.json says what it used
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or name not in defaults:
            raise ValueError(f"--param {pair!r}: KEY=VALUE with KEY one of {', '.join(sorted(defaults))}")
        params[name] = _coerce(name, value, defaults[name])
    return params


def run_method(shares: pd.DataFrame, method: str, time_window: int, params: dict) -> dict:
    """The method's tables in the run layout (:mod:`coordgraph.run`): ``edges`` one row per
    unordered pair with ``account_id < account_id_y`` (string order), ``weight`` (the method's),
    ``weight_threshold`` (1 = flagged) and the method's columns; ``threshold`` (the weight that
    flags, or None). QUT also gives ``directed_edges`` (the toolkit's own rows ``user_1, user_2,
    weight``); its edges keep both directions (:func:`coordgraph.analysis.methods.qut.undirected_edges`)."""
    from coordgraph.analysis.methods import cosine, qut

    if method == "qut":
        directed = qut.qut_network(shares, time_window=time_window, **params)
        edges = qut.undirected_edges(directed)
        edges["weight_threshold"] = np.int64(1)  # QUT keeps every edge of weight >= min_edge_weight
        return {"edges": edges, "directed_edges": directed, "threshold": None}
    if method == "cosine":
        split = set(inspect.signature(cosine.account_features).parameters)
        features = cosine.account_features(shares, **{k: v for k, v in params.items() if k in split})
        edges = cosine.cosine_network(features, **{k: v for k, v in params.items() if k not in split})
        threshold = edges.attrs.get("threshold")
        a, b = edges["account_id"].astype(str), edges["account_id_y"].astype(str)
        swap = (a > b).to_numpy()
        edges = edges.assign(account_id=np.where(swap, b, a), account_id_y=np.where(swap, a, b))
        edges = edges.sort_values(["account_id", "account_id_y"], ignore_index=True)
        return {"edges": edges, "threshold": None if threshold is None else float(threshold)}
    raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
