// Accounts without an edge in the run (all their co-shares were filtered out) leave it.
// param: $run_id string - the run
MATCH (:Account)-[i:IN_RUN]->(:Run {id: $run_id})
WHERE i.degree = 0
DELETE i
RETURN count(*) AS removed
