"""docker-compose.yml: Neo4j 5 with GDS and APOC, a data volume, a health check, the password
from .env (never committed), and the web app as a second service."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
yaml = pytest.importorskip("yaml")


def test_compose_file():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    neo4j, web = compose["services"]["neo4j"], compose["services"]["webapp"]
    assert neo4j["image"].startswith("neo4j:5")
    env = neo4j["environment"]
    assert "graph-data-science" in env["NEO4J_PLUGINS"] and "apoc" in env["NEO4J_PLUGINS"]
    assert "${NEO4J_PASSWORD" in env["NEO4J_AUTH"]
    assert any(v.endswith(":/data") for v in neo4j["volumes"]) and "healthcheck" in neo4j
    assert web["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert web["env_file"] == ".env" and web["environment"]["COORDGRAPH_STORE"].startswith("bolt://")
    assert (ROOT / "Dockerfile").exists() and (ROOT / ".env.example").exists()
    assert ".env" in (ROOT / ".gitignore").read_text().split()
