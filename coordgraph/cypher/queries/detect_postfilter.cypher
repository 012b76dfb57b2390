// The OR rule of CooRTweet's post-filter: a co-share stays when either of its accounts has
// participation m >= $min_participation; the others are deleted.
// param: $run_id string - the run
// param: $min_participation integer - the run's min_participation
MATCH (r:Run {id: $run_id})
MATCH (a:Account)-[c:COSHARE {run_id: $run_id}]->(b:Account)
MATCH (a)-[ia:IN_RUN]->(r)
MATCH (b)-[ib:IN_RUN]->(r)
WITH c, ia, ib
WHERE ia.m < $min_participation AND ib.m < $min_participation
DELETE c
RETURN count(*) AS removed
