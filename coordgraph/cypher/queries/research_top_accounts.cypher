// The most coordinated accounts of a run: by strength (co-shares on their edges), with
// degree (partners), PageRank and community.
// param: $run_id string - the run
// param: $limit integer - how many accounts
// Returns: account_id, handle, community, degree, strength, pagerank, edges_above_threshold.
MATCH (a:Account)-[i:IN_RUN]->(:Run {id: $run_id})
OPTIONAL MATCH (a)-[e:COORDINATED {run_id: $run_id}]-(:Account)
WITH a, i, sum(CASE WHEN e.weight_threshold = 1 THEN 1 ELSE 0 END) AS above
RETURN a.id AS account_id, a.handle AS handle, i.community AS community, i.degree AS degree,
       i.strength AS strength, i.pagerank AS pagerank, toInteger(above) AS edges_above_threshold
ORDER BY strength DESC, degree DESC, account_id
LIMIT $limit
