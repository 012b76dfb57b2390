// The accounts of a run with their community and statistics (IN_RUN) and handle.
// Parameters:
//   $run_id  string  the run
// Returns: account_id, handle, community, strength (sum of edge weights), degree.
MATCH (a:Account)-[s:IN_RUN]->(:Run {id: $run_id})
RETURN a.id AS account_id, a.handle AS handle, s.community AS community,
       s.strength AS strength, s.degree AS degree
