// Neo4j GDS only: Leiden communities of a projected run graph, weights used, fixed seed.
// param: $graph_name string - the projected graph (gds_project)
// param: $resolution float - the Leiden gamma (1.0 = modularity)
CALL gds.leiden.stream($graph_name, {relationshipWeightProperty: 'weight', gamma: $resolution,
                                     randomSeed: 42, concurrency: 1})
YIELD nodeId, communityId
RETURN gds.util.asNode(nodeId).id AS account_id, communityId AS community
