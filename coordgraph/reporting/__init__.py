"""Exports of a network view for reports and other tools (Gephi, Cytoscape, browsers).

Used by the web app's export buttons and by ``coordgraph export``. Layer rule: this package
may use the store and the analysis, never the other way round.
"""
from coordgraph.reporting.formats import EXPORT_FORMATS, export_bytes
from coordgraph.reporting.view import NetworkView

__all__ = ["EXPORT_FORMATS", "NetworkView", "export_bytes"]
