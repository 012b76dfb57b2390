"""Thread helpers of the out-of-core engine: numpy, Arrow and the C kernels release the GIL,
so two threads keep this 2-core machine's cores busy."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

#: Buckets aggregated (and edge tables built) at once; numpy's sorts release the GIL.
AGGREGATE_THREADS = 2

#: Chunks of pairs formed at once (numpy's gathers and compares release the GIL).
PAIR_THREADS = 2


def bounded_map(pool: ThreadPoolExecutor, fn, items, ahead: int = AGGREGATE_THREADS):
    """Like ``pool.map`` (results in order) but with at most ``ahead`` tasks submitted and not
    yet consumed, so finished results never pile up in memory while the consumer (e.g. a
    single-threaded Parquet writer) is slower than the workers."""
    from collections import deque

    pending = deque()
    for item in items:
        pending.append(pool.submit(fn, item))
        if len(pending) >= ahead:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()
