// The OR rule of CooRTweet's post-filter: a co-share stays when either of its accounts has
// participation m >= $min_participation; the others are deleted.
// Anchored on the quiet accounts (m < min_participation) so that the plan expands from them,
// never over all account pairs of the run.
// param: $run_id string - the run
// param: $min_participation integer - the run's min_participation
MATCH (r:Run {id: $run_id})<-[ia:IN_RUN]-(a:Account)
WHERE ia.m < $min_participation
WITH r, a
MATCH (a)-[c:COSHARE {run_id: $run_id}]->(b:Account)
WITH r, b, c
MATCH (b)-[ib:IN_RUN]->(r)
WHERE ib.m < $min_participation
DELETE c
RETURN count(*) AS removed
