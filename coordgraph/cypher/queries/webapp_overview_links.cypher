// Overview of a run: COORDINATED edges that pass the filters, summed per pair of
// communities (community == community_y: the edges inside one community).
// Parameters (the web app filters, see coordgraph/webapp/filters.py):
//   $run_id        string   the run
//   $min_weight    float    keep edges with weight (co-shares) >= this
//   $min_symmetry  float    keep edges with edge_symmetry_score >= this (0..1)
//   $fast_only     boolean  keep only edges that also hold in the fast window (weight_fast > 0)
//   $time_from     integer  UNIX seconds UTC or null: keep edges with a co-share (older share) at/after it
//   $time_to       integer  UNIX seconds UTC or null: ... and at/before $time_to (one co-share in the range)
//   $intents       list<string>  share kinds (retweets, hashtags, urls, ...); [] = all; a co-share's
//                  kind is COSHARE.kind, else the `kind:` prefix of its object id
// Returns: community, community_y (community <= community_y), weight (sum of co-shares),
//          n_edges (number of COORDINATED edges).
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
WITH ra.community AS ca, rb.community AS cb, e
WITH CASE WHEN ca <= cb THEN ca ELSE cb END AS community,
     CASE WHEN ca <= cb THEN cb ELSE ca END AS community_y, e
RETURN community, community_y, toInteger(sum(e.weight)) AS weight, count(e) AS n_edges
