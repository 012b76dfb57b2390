// The timeline of a cluster: co-shares between members of community $community per time
// bucket of $bucket_seconds (bucket = epoch seconds UTC of its start, from the older share).
// param: $run_id string - the run
// param: $community integer - community id (IN_RUN.community)
// param: $bucket_seconds integer - bucket width in seconds (e.g. 3600 for hours)
// Returns: bucket_start (epoch s UTC), coshares, accounts (distinct members active), objects.
MATCH (r:Run {id: $run_id})
MATCH (a:Account)-[i:IN_RUN]->(r)
WHERE i.community = $community
MATCH (a)-[c:COSHARE {run_id: $run_id}]->(b:Account)-[j:IN_RUN]->(r)
WHERE j.community = $community
WITH c, a, b, (c.ts / $bucket_seconds) * $bucket_seconds AS bucket_start
UNWIND [a.id, b.id] AS member
WITH bucket_start, c, member
RETURN bucket_start, count(DISTINCT c) AS coshares, count(DISTINCT member) AS accounts,
       count(DISTINCT c.object_id) AS objects
ORDER BY bucket_start
