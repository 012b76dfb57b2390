// Write per-account community and ranking of a run onto (:Account)-[:IN_RUN]->(:Run).
// param: $run_id string - the run
// param: $rows list<map> - {id: account id, c: community (int), pr: pagerank (float), d: degree (int), s: strength (int, co-shares)}
MATCH (run:Run {id: $run_id})
UNWIND $rows AS r
MATCH (a:Account {id: r.id})
MERGE (a)-[i:IN_RUN {run_id: $run_id}]->(run)
SET i.community = r.c, i.pagerank = r.pr, i.degree = r.d, i.strength = r.s
RETURN count(i) AS written
