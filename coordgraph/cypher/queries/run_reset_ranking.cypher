// Forget a run's communities and PageRank before they are computed again (so accounts left
// out of a new computation, e.g. above the threshold only, keep no stale values).
// param: $run_id string - the run
MATCH (:Account)-[i:IN_RUN {run_id: $run_id}]->(:Run {id: $run_id})
SET i.community = null, i.pagerank = null
RETURN count(i) AS reset
