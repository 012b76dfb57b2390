// The vertices of a run are the accounts on its COORDINATED edges: drop IN_RUN of accounts
// whose co-shares were all filtered out, and store degree and strength (sum of weights).
// param: $run_id string - the run
MATCH (acc:Account)-[i:IN_RUN]->(r:Run {id: $run_id})
OPTIONAL MATCH (acc)-[e:COORDINATED {run_id: $run_id}]-(:Account)
WITH i, count(e) AS degree, sum(e.weight) AS strength
SET i.degree = degree, i.strength = toInteger(strength)
WITH i, degree
WHERE degree = 0
DELETE i
RETURN count(*) AS removed
