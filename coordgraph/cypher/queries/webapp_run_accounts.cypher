// The accounts of a run with their community and statistics (IN_RUN) and handle.
// Parameters:
//   $run_id  string  the run
// Returns: account_id, handle, community, strength (sum of edge weights), degree, pagerank,
//   followers_count, created_at (UNIX s UTC; null when the platform data has none),
//   first_batch (a live run's batch in which the account appeared; null for batch runs).
MATCH (a:Account)-[s:IN_RUN]->(:Run {id: $run_id})
RETURN a.id AS account_id, a.handle AS handle, s.community AS community,
       s.strength AS strength, s.degree AS degree, s.pagerank AS pagerank,
       a.followers_count AS followers_count, a.created_at AS created_at,
       s.first_batch AS first_batch
