"""The investigation web app (Dash + dash-cytoscape), started by ``coordgraph serve``.

Overview of communities, expand into accounts, filters answered from a per-run snapshot,
search, details and edge provenance, trends, a read-only Cypher console, cases and exports.
Start with :func:`coordgraph.webapp.app.create_app` or :func:`coordgraph.webapp.server.serve`.
"""
