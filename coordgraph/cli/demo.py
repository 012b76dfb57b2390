"""``coordgraph demo``: the main job end to end on simulated data, in the embedded store.

A simulated day of two hashtag trends — ``#organicday`` (ordinary accounts) and
``#inflatedday`` (inflated by a copy-paste campaign) — plus three retweet rings that push the
inflated trend. The demo loads it into the graph store, detects coordination (retweets and
identical texts, 10 s window, 5 s fast window), finds the communities, stores the trend
statistics, prints what it found next to the planted truth, and starts the web app.
"""
from __future__ import annotations

import signal
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from coordgraph._lazy import lazy_module
from coordgraph.cli._app import app, console, fail

np = lazy_module("numpy")  # imported by the demo itself, not by --help
pd = lazy_module("pandas")

out_console = Console()
START = 1_556_668_800  # 2019-05-01 00:00 UTC
INTENTS = ("retweets", "cotweet")


def demo_tables(seed: int = 7) -> "tuple[pd.DataFrame, pd.DataFrame, dict[str, set[str]], tuple[str, str]]":
    """(posts, accounts, planted accounts per campaign name, (organic tag, inflated tag))."""
    from coordgraph.analysis import simulate_data
    from coordgraph.analysis.trend_simulate import make_accounts, make_posts, simulate_trend_pair

    pair = simulate_trend_pair(seed=seed, start=START)
    rings = simulate_data(n_accounts_coord=36, n_accounts_noncoord=150, n_objects=60, n_campaigns=3,
                          min_participation=2, time_window=10, start=START, seed=seed)
    rng = np.random.default_rng(seed)
    shares = rings.shares
    account = "r" + shares["account_id"].str.replace("account_", "", regex=False)
    coordinated = shares["account_id"].isin(rings.coordinated_accounts).to_numpy()
    tags = np.where(coordinated, pair.inflated.lstrip("#"), pair.organic.lstrip("#"))
    retweets = make_posts(pd.DataFrame({
        "post_id": "r" + shares["content_id"], "account_id": account, "ts": shares["timestamp_share"],
        "text": [f"RT @source{o[-2:]}: breaking story number {o[-2:]} #{t}" for o, t in zip(shares["object_id"], tags)],
        "retweeted_id": "t" + shares["object_id"].str.replace("object_", "", regex=False),
        "hashtags": [[t] for t in tags],
        "retweet_count": 0, "like_count": 0,
    }))
    ring_accounts = make_accounts(pd.DataFrame({
        "account_id": sorted(set(account)),
        "followers_count": rng.integers(5, 400, size=account.nunique()),
        "created_at": START - rng.integers(86_400, 3 * 365 * 86_400, size=account.nunique()),
    }))
    posts = pd.concat([pair.posts, retweets], ignore_index=True)
    accounts = pd.concat([pair.accounts, ring_accounts], ignore_index=True)
    accounts["handle"] = accounts["handle"].fillna("user_" + accounts["account_id"])
    planted = {"copy-paste campaign": set(pair.coordinated_accounts)}
    for ring in sorted(set(rings.campaigns.values())):
        members = {"r" + a.replace("account_", "") for a, c in rings.campaigns.items() if c == ring}
        planted[f"retweet ring {ring + 1}"] = members
    return posts, accounts, planted, (pair.organic, pair.inflated)


@app.command()
def demo(
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Start the web app at the end."),
    port: int = typer.Option(8050, "--port", help="Web app port (127.0.0.1)."),
    seed: int = typer.Option(7, "--seed", help="Random seed of the simulated data."),
    store: Optional[str] = typer.Option(None, "--store", envvar="COORDGRAPH_STORE",
                                        help="Store URI (default: the embedded FalkorDB)."),
) -> None:
    """Load a simulated day with planted campaigns, detect them in the graph store, show the app.

    When the demo started the embedded store itself, it stops it again when it ends (Ctrl-C,
    SIGTERM, SIGHUP or an error), and says where the data are and how to reopen them."""
    from coordgraph.cypher import server

    embedded = not store or store == "embedded"
    started_here = embedded and server.status() is None and server._starting(server.home_dir()) is None
    run_id = None
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        run_id = _run_demo(serve, port, seed, store)
    except KeyboardInterrupt:
        out_console.print("\ndemo stopped")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if started_here:
            _stop_embedded(server)
        if embedded:
            _closing_note(server.home_dir(), run_id, stopped=started_here)


def _interrupt(signum, _frame) -> None:
    """SIGTERM/SIGHUP -> KeyboardInterrupt, so the demo's clean-up (``finally``) runs as on Ctrl-C."""
    raise KeyboardInterrupt(f"signal {signum}")


def _stop_embedded(server) -> None:
    """Stop the embedded store the demo started (its data are saved first); further Ctrl-C
    or SIGTERM are ignored meanwhile, so the stop is not cut halfway."""
    keep = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        with console.status("stopping the embedded graph store (saving its data)"):
            server.stop()
    finally:
        for sig, handler in keep.items():
            signal.signal(sig, handler)


def _closing_note(home, run_id: Optional[str], stopped: bool) -> None:
    """Where the demo's data are, and the commands that reopen them."""
    data = home / "falkordb"
    env = "" if home == (Path.cwd() / ".coordgraph").resolve() else f"COORDGRAPH_HOME={home} "
    state = ("the embedded graph store was stopped; it starts again by itself" if stopped
             else "the embedded graph store keeps running (it ran before the demo; `coordgraph db stop` stops it)")
    run = f" (run {run_id})" if run_id else ""
    cmd = env + _command_name()
    out_console.print(
        f"\nThe demo's graph{run} is saved in {data}; {state}.\n"
        f"Reopen it:  {cmd} serve        explore:  {cmd} runs | {cmd} cypher '...'\n"
        f"Remove it:  rm -r {home}", highlight=False, soft_wrap=True)


def _command_name() -> str:
    """``coordgraph`` when that is the command on PATH, else the path it was run by (e.g.
    ``.venv/bin/coordgraph`` after ``make demo``, whose venv is not activated)."""
    import os
    import shutil
    import sys

    argv0 = Path(sys.argv[0])
    on_path = shutil.which("coordgraph")
    if argv0.name != "coordgraph" or (on_path and Path(on_path).resolve() == argv0.resolve()):
        return "coordgraph"
    return os.path.relpath(argv0) if argv0.is_absolute() and argv0.resolve().is_relative_to(Path.cwd()) else str(argv0)


def _run_demo(serve: bool, port: int, seed: int, store: Optional[str]) -> str:
    """Simulate, load, detect, report and (``serve``) show the web app; returns the run id."""
    from coordgraph.cypher import open_store
    from coordgraph.cypher.analyze import analyze
    from coordgraph.cypher.communities import compute_communities
    from coordgraph.cypher.errors import StoreError
    from coordgraph.cypher.ingest import ingest
    from coordgraph.cypher.trend_store import save_trend_stats
    from coordgraph.loader import reshape

    try:
        with console.status("simulating a day with two trends and planted campaigns"):
            posts, accounts, planted, (organic, inflated) = demo_tables(seed)
        st = open_store(store)
        with console.status(f"loading {len(posts):,} posts into the graph store ({st.uri})"):
            ingest(st, posts=posts, accounts=accounts)
            for intent in INTENTS:
                ingest(st, shares=reshape(posts, intent), kind=intent)
        with console.status("detecting coordination (10 s window, 5 s fast window)"):
            run = analyze(st, intents=list(INTENTS), time_window=10, min_participation=2, fast_window=5,
                          engine="auto")
        with console.status("finding communities"):
            communities = compute_communities(st, run.run_id)
        coordinated = set(communities["account_id"]) if len(communities) else set()
        with console.status("trend statistics"):
            save_trend_stats(st, posts, [organic, inflated], accounts, coordinated_accounts=coordinated)
    except StoreError as exc:
        fail(str(exc))
    _report(posts, planted, communities, run, coordinated, (organic, inflated))
    if serve:
        from coordgraph.webapp.server import serve as serve_app

        serve_app(st, host="127.0.0.1", port=port, password=None, run_id=run.run_id, store_uri=st.uri,
                  on_ready=lambda url: out_console.print(f"\nweb app on [bold]{url}[/] (Ctrl-C stops it)"))
    return run.run_id


def _report(posts, planted, communities, run, coordinated, trends) -> None:
    """Print what was found beside the planted truth."""
    table = Table(title=f"coordgraph demo — run {run.run_id}")
    table.add_column("planted group")
    table.add_column("accounts", justify="right")
    table.add_column("found", justify="right")
    table.add_column("communities they fall in", justify="right")
    by_account = dict(zip(communities["account_id"], communities["community"])) if len(communities) else {}
    for name, members in planted.items():
        found = members & coordinated
        groups = {by_account[a] for a in found}
        table.add_row(name, str(len(members)), str(len(found)), str(len(groups)))
    innocent = coordinated - set().union(*planted.values())
    table.add_row("innocent accounts flagged", "", str(len(innocent)), "")
    out_console.print(table)
    tags = posts["hashtags"].map(lambda h: {f"#{t.lower()}" for t in h})
    for tag in trends:
        in_trend = posts[tags.map(lambda s, tag=tag: tag in s)]
        share = in_trend["account_id"].isin(coordinated).mean() if len(in_trend) else 0.0
        out_console.print(f"{tag}: {len(in_trend):,} posts, {share:.0%} from coordinated accounts")
