# The coordgraph web app (and CLI) as a container; docker-compose.yml runs it next to Neo4j.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 COORDGRAPH_HOME=/data/coordgraph
RUN useradd --create-home --uid 1000 coordgraph && mkdir -p /data/coordgraph && chown coordgraph /data/coordgraph
WORKDIR /app
COPY pyproject.toml setup.py README.md ./
COPY coordgraph ./coordgraph
# gcc only for the build of the C kernels (coordgraph/engines/_native.c), then removed;
# libicu stays: `detect --compat` orders account pairs with R's (ICU) collation
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev libicu72 \
    && pip install . \
    && apt-get purge -y gcc libc6-dev && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*
USER coordgraph
EXPOSE 8050
# The store comes from COORDGRAPH_STORE (bolt://neo4j:7687 in docker compose) and
# NEO4J_USER / NEO4J_PASSWORD from the .env file.
CMD ["coordgraph", "serve", "--host", "0.0.0.0", "--port", "8050"]
