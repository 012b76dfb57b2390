// The communities of a run: size, co-shares inside, and the most central member.
// param: $run_id string - the run
// Returns: community, accounts, strength (sum over members), top_account (highest PageRank).
MATCH (a:Account)-[i:IN_RUN]->(:Run {id: $run_id})
WHERE i.community IS NOT NULL
WITH i.community AS community, a, i ORDER BY i.pagerank DESC, a.id
WITH community, collect(a.id) AS members, sum(i.strength) AS strength
RETURN community, size(members) AS accounts, toInteger(strength) AS strength, members[0] AS top_account
ORDER BY accounts DESC, community
