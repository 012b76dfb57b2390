"""Where batches come from: a folder a collector writes into, or JSON lines on stdin, cut by
post count, by wall-clock period, or by the posts' own times (event clock, for replays).
"""
from __future__ import annotations

import queue
import re
import tempfile
import threading
import time
from pathlib import Path
from typing import Iterator

import numpy as np

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> int:
    """'15m' -> 900 seconds ('30s', '2h', '1d', or plain seconds); ValueError otherwise."""
    m = re.fullmatch(r"\s*(\d+)\s*([smhd]?)\s*", str(text))
    if not m or int(m.group(1)) <= 0:
        raise ValueError(f"--every: expected a duration like 30s, 15m, 1h, got {text!r}")
    return int(m.group(1)) * _UNITS[m.group(2) or "s"]


def stdin_line_batches(stream, batch_size: int | None, every: int | None) -> Iterator[list[bytes]]:
    """Lines of ``stream`` in batches of ``batch_size`` lines or whatever arrived within
    ``every`` seconds (wall clock), the last one at end of input."""
    lines: queue.Queue = queue.Queue(maxsize=100_000)
    end = object()

    def pump():
        for line in stream:
            lines.put(line)
        lines.put(end)

    threading.Thread(target=pump, daemon=True).start()
    batch: list[bytes] = []
    deadline = None if every is None else time.monotonic() + every
    while True:
        timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
        try:
            item = lines.get(timeout=timeout)
        except queue.Empty:
            item = None
        if item is end:
            if batch:
                yield batch
            return
        if item is not None and item.strip():
            batch.append(item)
        full = batch_size is not None and len(batch) >= batch_size
        due = deadline is not None and time.monotonic() >= deadline
        if full or due:
            if batch:
                yield batch
            batch = []
            if due:
                deadline = time.monotonic() + every


def posts_of_lines(run, lines: list[bytes], scratch: Path) -> list:
    """Post batches (``iter_post_batches`` items) of JSON lines, read by the loader from a
    scratch file (the same reader, formats and --map as ``shares``)."""
    path = Path(tempfile.mkstemp(suffix=".jsonl", dir=scratch)[1])
    try:
        path.write_bytes(b"".join(line if line.endswith(b"\n") else line + b"\n" for line in lines))
        return list(run.read_files([path], batch_size=max(len(lines), 1)))
    finally:
        path.unlink(missing_ok=True)


def event_batches(post_batches: Iterator[list], every: int) -> Iterator[tuple[str, list]]:
    """Re-cut a stream of post batches by event time: a new batch starts at the first post
    whose time reaches the next multiple of ``every`` seconds after the newest time so far
    (posts that come late stay in the batch they arrive in); periods without posts give empty
    batches, so batch k is period k. Yields (label, posts)."""
    current: list = []
    bucket = None
    for batch in post_batches:
        for posts, accounts in batch:
            if len(posts) == 0:
                continue
            b = posts["ts"].to_numpy().astype("int64") // every
            if bucket is None:
                bucket = int(b[0])
            newest = np.maximum.accumulate(np.maximum(b, bucket))
            cut_at = 0
            for i in np.flatnonzero(np.diff(np.concatenate(([bucket], newest))) > 0).tolist():
                part = posts.iloc[cut_at:i]
                if len(part):
                    current.append((part, accounts.iloc[0:0]))
                yield _label(bucket, every), current
                for skipped in range(bucket + 1, int(newest[i])):  # periods without posts
                    yield _label(skipped, every), []
                current, cut_at, bucket = [], i, int(newest[i])
            rest = posts.iloc[cut_at:]
            if len(rest):
                current.append((rest, accounts))
    if current:
        yield _label(bucket, every), current


def _label(bucket: int | None, every: int) -> str:
    from datetime import datetime, timezone

    if bucket is None:
        return "empty"
    return datetime.fromtimestamp(bucket * every, timezone.utc).isoformat(timespec="seconds")
