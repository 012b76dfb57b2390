// What a cluster pushed: the objects most co-shared between members of community $community.
// param: $run_id string - the run
// param: $community integer - community id (IN_RUN.community)
// param: $limit integer - how many objects
// Returns: object_id, kind, coshares, accounts (distinct members), first_ts, last_ts (epoch s UTC).
MATCH (r:Run {id: $run_id})
MATCH (a:Account)-[i:IN_RUN]->(r)
WHERE i.community = $community
MATCH (a)-[c:COSHARE {run_id: $run_id}]->(b:Account)-[j:IN_RUN]->(r)
WHERE j.community = $community
UNWIND [a.id, b.id] AS member
WITH c.object_id AS object_id, c.kind AS kind, c, member
RETURN object_id, kind, count(DISTINCT c) AS coshares, count(DISTINCT member) AS accounts,
       min(c.ts) AS first_ts, max(c.ts_y) AS last_ts
ORDER BY coshares DESC, object_id
LIMIT $limit
