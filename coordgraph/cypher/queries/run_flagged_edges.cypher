// Every COORDINATED edge of a run with its flag, for comparing runs (coordgraph compare, the
// web app's Compare runs view, the report's comparison section). Which edges count as flagged
// is decided in coordgraph.analysis.compare.flagged_from_edges (weight_threshold = 1; every
// edge when no edge of the run has the property).
// param: $run_id string - the run
// Returns: account_id, account_id_y (smaller id first, as stored), weight_threshold (1, 0 or null).
MATCH (a:Account)-[e:COORDINATED {run_id: $run_id}]->(b:Account)
RETURN a.id AS account_id, b.id AS account_id_y, e.weight_threshold AS weight_threshold
