// Overview of a run: per community, the accounts that keep at least one COORDINATED edge
// under the filters (size) and the co-shares of their kept edges (volume; an edge inside
// a community counts once for it, an edge between two communities once for each).
// Parameters (the web app filters, see coordgraph/webapp/filters.py):
//   $run_id        string   the run
//   $min_weight    float    keep edges with weight (co-shares) >= this
//   $min_symmetry  float    keep edges with edge_symmetry_score >= this (0..1)
//   $fast_only     boolean  keep only edges that also hold in the fast window (weight_fast > 0)
//   $time_from     integer  UNIX seconds UTC or null: keep edges with a co-share (older share) at/after it
//   $time_to       integer  UNIX seconds UTC or null: ... and at/before $time_to (one co-share in the range)
//   $intents       list<string>  share kinds (retweets, hashtags, urls, ...); [] = all; a co-share's
//                  kind is COSHARE.kind, else the `kind:` prefix of its object id
//   $min_community_size integer  leave out communities with fewer accounts than this
// Returns: community, size (accounts), volume (co-shares).
MATCH (a:Account)-[e:COORDINATED]->(b:Account)
WHERE e.run_id = $run_id AND e.weight >= $min_weight
  AND coalesce(e.edge_symmetry_score, 1.0) >= $min_symmetry
  AND (NOT $fast_only OR coalesce(e.weight_fast, 0) > 0)
OPTIONAL MATCH (a)-[t:COSHARE]-(b)
WHERE ($time_from IS NOT NULL OR $time_to IS NOT NULL) AND t.run_id = $run_id
  AND ($time_from IS NULL OR t.ts >= $time_from) AND ($time_to IS NULL OR t.ts <= $time_to)
WITH a, b, e, count(t) AS time_hits
WHERE ($time_from IS NULL AND $time_to IS NULL) OR time_hits > 0
OPTIONAL MATCH (a)-[c:COSHARE]-(b)
WHERE size($intents) > 0 AND c.run_id = $run_id AND coalesce(c.kind, split(c.object_id, ':')[0]) IN $intents
WITH a, b, e, count(c) AS intent_hits
WHERE size($intents) = 0 OR intent_hits > 0
MATCH (a)-[ra:IN_RUN]->(r:Run {id: $run_id})<-[rb:IN_RUN]-(b)
UNWIND [[ra.community, a.id], [rb.community, b.id]] AS member
WITH member[0] AS community, member[1] AS account, e
WITH community, collect(DISTINCT account) AS accounts, collect(DISTINCT e) AS edges
WHERE size(accounts) >= $min_community_size
RETURN community, size(accounts) AS size,
       toInteger(reduce(total = 0, x IN edges | total + x.weight)) AS volume
