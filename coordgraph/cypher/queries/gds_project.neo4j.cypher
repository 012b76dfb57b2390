// Neo4j GDS only: project a run's COORDINATED edges as an undirected weighted graph.
// param: $graph_name string - name of the in-memory GDS graph
// param: $run_id string - the run
// param: $min_threshold integer - 1 = only edges above the run's weight threshold, 0 = all
MATCH (a:Account)-[e:COORDINATED {run_id: $run_id}]->(b:Account)
WHERE e.weight_threshold >= $min_threshold
WITH gds.graph.project($graph_name, a, b,
       {relationshipProperties: {weight: toFloat(e.weight)}},
       {undirectedRelationshipTypes: ['*']}) AS g
RETURN g.graphName AS graph_name, g.nodeCount AS nodes, g.relationshipCount AS relationships
