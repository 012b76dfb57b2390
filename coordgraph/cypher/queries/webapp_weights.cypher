// The distribution of a run's COORDINATED edge weights (for percentile thresholds).
// Parameters:
//   $run_id  string  the run
// Returns: weight (co-shares), n (number of edges with that weight).
MATCH ()-[e:COORDINATED]->()
WHERE e.run_id = $run_id
RETURN e.weight AS weight, count(e) AS n
ORDER BY weight
