// The COORDINATED edges of a run between two bookmarked accounts of a case.
// param: $name string - the case name
// param: $run_id string - the run
// Returns: account_id, account_id_y, weight, avg_time_delta (seconds), weight_threshold.
MATCH (c:Case {name: $name})-[:BOOKMARKS]->(a:Account)-[e:COORDINATED]->(b:Account)
WHERE e.run_id = $run_id
MATCH (c)-[:BOOKMARKS]->(b)
RETURN a.id AS account_id, b.id AS account_id_y, e.weight AS weight,
       e.avg_time_delta AS avg_time_delta, e.weight_threshold AS weight_threshold
ORDER BY weight DESC, account_id, account_id_y
