// Every COORDINATED edge of a run with the attributes the web app filters on. The app loads
// this once per run (a read-only snapshot) and answers filter changes from it.
// Parameters:
//   $run_id  string  the run
// Returns: account_id, account_id_y (smaller id first, as stored), weight (co-shares),
//   avg_time_delta (seconds), edge_symmetry_score (0..1), weight_fast (null = not fast),
//   first_ts, last_ts (UNIX seconds UTC of the first and last co-share; null if unknown),
//   q_value (Benjamini-Hochberg q-value of the edge; null when significance was not computed),
//   first_batch (a live run's batch in which the edge appeared; null for batch runs).
MATCH (a:Account)-[e:COORDINATED]->(b:Account)
WHERE e.run_id = $run_id
RETURN a.id AS account_id, b.id AS account_id_y, e.weight AS weight,
       e.avg_time_delta AS avg_time_delta, e.edge_symmetry_score AS edge_symmetry_score,
       e.weight_fast AS weight_fast, e.first_ts AS first_ts, e.last_ts AS last_ts, e.q_value AS q_value,
       e.first_batch AS first_batch
