// Write per-account community and PageRank of a run onto (:Account)-[:IN_RUN]->(:Run)
// (degree and strength come from run_vertices and stay those of the whole network).
// param: $run_id string - the run
// param: $rows list<map> - {id: account id, c: community (int, 0 = largest), pr: pagerank (float)}
MATCH (run:Run {id: $run_id})
UNWIND $rows AS r
MATCH (a:Account {id: r.id})
MERGE (a)-[i:IN_RUN {run_id: $run_id}]->(run)
SET i.community = r.c, i.pagerank = r.pr
RETURN count(i) AS written
