// The vertices of a run: store degree (partners) and strength (sum of edge weights =
// co-shares; a cosine run's sum of similarities stays a float) on each account's IN_RUN (0 for accounts whose co-shares were all filtered out;
// run_drop_isolated.cypher then removes those). Kept apart from the DELETE: on FalkorDB 4.16
// a SET followed by WITH ... DELETE in the same query loses the SET.
// param: $run_id string - the run
MATCH (acc:Account)-[i:IN_RUN]->(r:Run {id: $run_id})
OPTIONAL MATCH (acc)-[e:COORDINATED {run_id: $run_id}]-(:Account)
WITH i, count(e) AS degree, sum(e.weight) AS strength
SET i.degree = degree,
    i.strength = CASE WHEN strength = toInteger(strength) THEN toInteger(strength) ELSE strength END
RETURN count(i) AS accounts
