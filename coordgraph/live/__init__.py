"""Continuous monitoring (``coordgraph watch``): post batches from a folder or stdin go
through the loader's reader, the incremental engine (:mod:`coordgraph.analysis.incremental`)
updates the live run, communities of the components that changed are recomputed, the run's
files are rewritten and the investigator's alert rules are checked. See docs/watch.md.
"""
