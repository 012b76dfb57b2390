// Neo4j GDS only: Louvain communities of a projected run graph, weights used (single thread
// for a reproducible result; Louvain in GDS has no resolution parameter, $resolution is ignored).
// param: $graph_name string - the projected graph (gds_project)
// param: $resolution float - unused (kept so both algorithms take the same parameters)
CALL gds.louvain.stream($graph_name, {relationshipWeightProperty: 'weight', concurrency: 1})
YIELD nodeId, communityId
WITH nodeId, communityId, $resolution AS unused
RETURN gds.util.asNode(nodeId).id AS account_id, communityId AS community
