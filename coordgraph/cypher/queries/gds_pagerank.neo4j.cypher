// Neo4j GDS only: weighted PageRank of a projected run graph (damping 0.85).
// param: $graph_name string - the projected graph (gds_project)
CALL gds.pageRank.stream($graph_name, {relationshipWeightProperty: 'weight', dampingFactor: 0.85})
YIELD nodeId, score
RETURN gds.util.asNode(nodeId).id AS account_id, score AS pagerank
