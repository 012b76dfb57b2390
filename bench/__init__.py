"""Benchmarks: a realistic share generator, timed runs of every engine, the QUT toolkit side by side."""
