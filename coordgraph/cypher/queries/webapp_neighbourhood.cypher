// One account's coordinated partners in a run: its COORDINATED edges that pass the filters
// (both directions), each partner's community.
// Parameters (the web app filters, see coordgraph/webapp/filters.py):
//   $run_id        string   the run
//   $min_weight    float    keep edges with weight (co-shares) >= this
//   $min_symmetry  float    keep edges with edge_symmetry_score >= this (0..1)
//   $fast_only     boolean  keep only edges that also hold in the fast window (weight_fast > 0)
//   $time_from     integer  UNIX seconds UTC or null: keep edges with a co-share (older share) at/after it
//   $time_to       integer  UNIX seconds UTC or null: ... and at/before $time_to (one co-share in the range)
//   $intents       list<string>  share kinds (retweets, hashtags, urls, ...); [] = all; a co-share's
//                  kind is COSHARE.kind, else the `kind:` prefix of its object id
//   $account_id    string   the account in focus
// Returns: account_id, account_id_y (as stored: smaller id first), handle, handle_y,
//   community, community_y, weight, avg_time_delta (s), edge_symmetry_score, weight_fast.
MATCH (f:Account {id: $account_id})-[e:COORDINATED]-(p:Account)
WITH CASE WHEN startNode(e) = f THEN f ELSE p END AS a, CASE WHEN startNode(e) = f THEN p ELSE f END AS b, e
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
RETURN a.id AS account_id, b.id AS account_id_y, a.handle AS handle, b.handle AS handle_y,
       ra.community AS community, rb.community AS community_y, e.weight AS weight,
       e.avg_time_delta AS avg_time_delta, e.edge_symmetry_score AS edge_symmetry_score,
       e.weight_fast AS weight_fast
