"""The investigator's whole pipeline on the embedded store, as a user runs it (issue 14):

    twarc2 posts (JSON lines) -> ``coordgraph ingest -i retweets`` -> ``coordgraph analyze``
    (engine auto, communities on) -> ``coordgraph serve`` -> first page in Chromium

Each step is the real command in its own process, in a fresh ``COORDGRAPH_HOME`` (the embedded
FalkorDB is started by the first command and stopped at the end). Measured per step: wall
seconds, and the peak resident memory of everything the pipeline runs (the command's process
tree plus the embedded redis-server/FalkorDB, sampled every 0.2 s), with the machine's load
(``/proc/loadavg``, 1 min) before and after. The first page is the ``serve`` process start until
Chromium has drawn the overview and the ranked community table (the same condition as
bench/bench_workbench.py).

Targets (issue 14): 1M posts in < 90 s and 10M posts in < 15 min end to end, peak memory
(store included) < 8 GiB.

Posts: bench.bench_loader's twarc2-flattened tweets (a third are retweets of earlier tweets, 2%
of lines collected twice), plus planted retweet rings so that the run has networks to show: one
ring of 10 accounts per 20,000 posts, each ring retweeting 20 of the stream's tweets, every
member 1-8 s after the original (:func:`write_campaign_posts`); cached in ``--workdir``.

    python -m bench.bench_pipeline --posts 1000000
    python -m bench.bench_pipeline --posts 100000 200000
Writes bench/results/pipeline_pss.csv (appends; memory as PSS) and prints a markdown table
(bench/results/pipeline.csv holds the earlier runs, whose memory was a sum of RSS).
"""
from __future__ import annotations

import argparse
import csv
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.bench_loader import loadavg
from coordgraph.reporting.pdf import chromium_path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results"


def _pss(pid: int) -> int:
    """Proportional set size of ``pid`` in bytes (``/proc/<pid>/smaps_rollup``; RSS where it
    cannot be read). Why not RSS: the store forks to compact its log, and the child shares the
    parent's pages; summing RSS counted a 5 GB store twice (13.5 GB "peak" for 8.7 GB used)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        import psutil

        return psutil.Process(pid).memory_info().rss
    except Exception:  # noqa: BLE001 - gone
        return 0


class PeakMemory:
    """Samples the memory (PSS, bytes: shared pages counted once) of a process tree plus the
    embedded store's servers every ``interval_s`` seconds in a thread; ``peak`` is the largest
    sum seen."""

    def __init__(self, root_pid: int, home: Path, interval_s: float = 0.2) -> None:
        self.root_pid, self.home, self.interval_s = root_pid, home, interval_s
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        import psutil

        from coordgraph.cypher.server import server_pids

        pids: set[int] = set()
        try:
            root = psutil.Process(self.root_pid)
            pids.add(root.pid)
            pids.update(p.pid for p in root.children(recursive=True))
        except psutil.NoSuchProcess:
            pass
        pids.update(server_pids(self.home))
        return sum(_pss(pid) for pid in pids)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            self._stop.wait(self.interval_s)

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.peak = max(self.peak, self._sample())
        self._stop.set()
        self._thread.join()


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["COORDGRAPH_HOME"] = str(home)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def _cli() -> list[str]:
    return [sys.executable, "-m", "coordgraph.cli"]


def run_step(name: str, argv: list[str], home: Path, log: Path) -> dict:
    """Run one CLI command to its end; its wall seconds and peak memory (with the store)."""
    before = loadavg()
    started = time.perf_counter()
    with open(log, "ab") as out:
        proc = subprocess.Popen(_cli() + argv, env=_env(home), stdout=out, stderr=subprocess.STDOUT)
        with PeakMemory(proc.pid, home) as mem:
            rc = proc.wait()
    seconds = time.perf_counter() - started
    if rc != 0:
        raise SystemExit(f"{name} failed (exit {rc}); see {log}")
    return {"step": name, "seconds": round(seconds, 2), "peak_pss_mib": round(mem.peak / 2**20),
            "load_before": before, "load_after": loadavg()}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def first_page(home: Path, log: Path) -> dict:
    """Start ``coordgraph serve`` and time it until Chromium shows the overview and the
    ranked table; the server is stopped afterwards."""
    from playwright.sync_api import sync_playwright

    port = _free_port()
    before = loadavg()
    started = time.perf_counter()
    with open(log, "ab") as out:
        proc = subprocess.Popen(_cli() + ["serve", "--port", str(port)], env=_env(home), stdout=out,
                                stderr=subprocess.STDOUT)
        try:
            with PeakMemory(proc.pid, home) as mem:
                cy = "document.getElementById('graph')._cyreg.cy"
                with sync_playwright() as pw:
                    browser = pw.chromium.launch(executable_path=chromium_path(), headless=True,
                                                 args=["--no-sandbox", "--disable-gpu"])
                    page = browser.new_page(viewport={"width": 1600, "height": 1000})
                    page.set_default_timeout(600_000)
                    url = f"http://127.0.0.1:{port}/"
                    while True:  # until the server listens
                        try:
                            page.goto(url)
                            break
                        except Exception:
                            if proc.poll() is not None:
                                raise SystemExit(f"serve exited {proc.returncode}; see {log}")
                            time.sleep(0.1)
                    page.wait_for_selector("#community-table td[data-dash-column=community]")
                    page.wait_for_function(f"() => {cy}.elements().length > 0")
                    seconds = time.perf_counter() - started
                    browser.close()
        finally:
            proc.terminate()
            proc.wait(30)
    return {"step": "serve -> first page", "seconds": round(seconds, 2), "peak_pss_mib": round(mem.peak / 2**20),
            "load_before": before, "load_after": loadavg()}


RING_SIZE, RING_EVENTS, POSTS_PER_RING = 10, 20, 20_000
RING_ID0 = 10_000_000                      # ring accounts' ids: beyond the stream's 200,000
RETWEET_ID0 = 1_600_000_000_000_000_000    # ring retweets' ids: beyond the stream's


def write_campaign_posts(path: Path, n: int, seed: int = 7) -> Path:
    """``n`` stream tweets as bench.bench_ingest.write_posts writes them (2% of lines repeated),
    and after some of them a planted ring's retweets: ``n // POSTS_PER_RING`` rings of
    ``RING_SIZE`` accounts, each retweeting ``RING_EVENTS`` tweets, every member 1-8 s (UTC,
    whole seconds) after the original. Returns the path (kept when it exists)."""
    import random

    import orjson

    from bench.bench_loader import T0, _tweet, tweet_lines, write_lines

    if path.exists():
        return path
    rng = random.Random(seed)
    rings = max(1, n // POSTS_PER_RING)
    event_p = rings * RING_EVENTS / n
    next_id = RETWEET_ID0

    def ring_retweets(i: int, tweet: dict):
        nonlocal next_id
        if "referenced_tweets" in tweet or rng.random() >= event_p:
            return
        ring = rng.randrange(rings)
        for m in range(RING_SIZE):
            member = RING_ID0 + ring * RING_SIZE + m
            rt = _tweet(i, rng)
            rt["id"] = rt["conversation_id"] = str(next_id)
            rt["edit_history_tweet_ids"] = [rt["id"]]
            next_id += 1
            rt["author_id"] = str(member)
            rt["author"] = {**rt["author"], "id": str(member), "username": f"ring{member}",
                            "name": f"Ring {member}"}
            rt["created_at"] = time.strftime("%Y-%m-%dT%H:%M:%S.000Z",
                                             time.gmtime(T0 + i // 3 + rng.randint(1, 8)))
            rt["text"] = "RT @user" + tweet["author_id"] + ": " + tweet["text"]
            rt["referenced_tweets"] = [{"type": "retweeted", "id": tweet["id"]}]
            rt.pop("in_reply_to_user_id", None)
            yield orjson.dumps(rt) + b"\n"

    write_lines(path, tweet_lines(n, rng, after=ring_retweets), atomic=True)
    return path


def pipeline(n_posts: int, workdir: Path, keep: bool) -> list[dict]:
    workdir.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    posts = write_campaign_posts(workdir / f"campaign_posts_{n_posts}.jsonl", n_posts)
    print(f"posts file {posts} ({posts.stat().st_size / 2**20:,.0f} MiB) ready in {time.perf_counter() - t:.0f} s",
          flush=True)
    home = Path(tempfile.mkdtemp(prefix="cg-pipeline-", dir=workdir))
    log = home / "pipeline.log"
    rows = []
    try:
        for name, argv in [("ingest -i retweets", ["ingest", "-i", "retweets", str(posts)]),
                           ("analyze (auto, communities)", ["analyze"])]:
            rows.append(run_step(name, argv, home, log))
            print(f"  {rows[-1]}", flush=True)
        rows.append(first_page(home, log))
        print(f"  {rows[-1]}", flush=True)
    finally:
        subprocess.run(_cli() + ["db", "stop"], env=_env(home), capture_output=True)
        if not keep:
            shutil.rmtree(home, ignore_errors=True)
    total = {"step": "total", "seconds": round(sum(r["seconds"] for r in rows), 2),
             "peak_pss_mib": max(r["peak_pss_mib"] for r in rows),
             "load_before": rows[0]["load_before"], "load_after": rows[-1]["load_after"]}
    for r in rows + [total]:
        r["posts"] = n_posts
    print(Path(log).read_text()[-2000:] if keep and log.exists() else "", end="")
    return rows + [total]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, nargs="+", default=[100_000])
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "coordgraph-bench")
    ap.add_argument("--keep", action="store_true", help="keep the COORDGRAPH_HOME of each run")
    args = ap.parse_args(argv)
    rows = []
    for n in args.posts:
        rows += pipeline(n, args.workdir, args.keep)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / "pipeline_pss.csv"  # pipeline.csv: the earlier rows, RSS sums
    fields = ["posts", "step", "seconds", "peak_pss_mib", "load_before", "load_after"]
    new = not path.exists()
    with open(path, "a", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields + ["when"])
        if new:
            w.writeheader()
        for r in rows:
            w.writerow({**{k: r[k] for k in fields}, "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
    print("| posts | step | wall s | peak MiB (PSS, store included) | load before/after |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['posts']:,} | {r['step']} | {r['seconds']} | {r['peak_pss_mib']:,} | {r['load_before']}/{r['load_after']} |")


if __name__ == "__main__":
    main()
