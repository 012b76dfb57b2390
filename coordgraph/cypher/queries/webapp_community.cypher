// The accounts of one community and the COORDINATED edges among them that pass the filters.
// Parameters (the web app filters, see coordgraph/webapp/filters.py):
//   $run_id        string   the run
//   $min_weight    float    keep edges with weight (co-shares) >= this
//   $min_symmetry  float    keep edges with edge_symmetry_score >= this (0..1)
//   $fast_only     boolean  keep only edges that also hold in the fast window (weight_fast > 0)
//   $time_from     integer  UNIX seconds UTC or null: keep edges with a co-share (older share) at/after it
//   $time_to       integer  UNIX seconds UTC or null: ... and at/before $time_to (one co-share in the range)
//   $intents       list<string>  share kinds (retweets, hashtags, urls, ...); [] = all; a co-share's
//                  kind is COSHARE.kind, else the `kind:` prefix of its object id
//   $community     integer  the community (IN_RUN.community)
// Returns one row per kept edge: account_id, account_id_y, handle, handle_y, weight,
//   avg_time_delta (seconds), edge_symmetry_score, weight_fast (null when not fast),
//   first_ts, last_ts (UNIX seconds UTC).
MATCH (r:Run {id: $run_id})<-[ra:IN_RUN]-(a:Account)
WHERE ra.community = $community
MATCH (a)-[e:COORDINATED]->(b:Account)-[rb:IN_RUN]->(r)
WHERE rb.community = $community AND e.run_id = $run_id AND e.weight >= $min_weight
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
RETURN a.id AS account_id, b.id AS account_id_y, a.handle AS handle, b.handle AS handle_y,
       e.weight AS weight, e.avg_time_delta AS avg_time_delta,
       e.edge_symmetry_score AS edge_symmetry_score, e.weight_fast AS weight_fast,
       e.first_ts AS first_ts, e.last_ts AS last_ts
