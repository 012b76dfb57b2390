// Why two accounts are linked in a run: the co-shares (COSHARE rows = detect_groups result
// rows) behind their COORDINATED edge, in both directions.
// Parameters:
//   $run_id        string   the run
//   $account_id    string   one account
//   $account_id_y  string   the other account
//   $limit         integer  at most this many rows, oldest first
// Returns: object_id, kind, older_account, newer_account, post_id (older share),
//   post_id_y (newer share), ts (UNIX seconds UTC of the older share, null if unknown),
//   time_delta (seconds apart), fast (1 = within the fast window).
MATCH (a:Account {id: $account_id})-[c:COSHARE]-(b:Account {id: $account_id_y})
WHERE c.run_id = $run_id
OPTIONAL MATCH (p:Post {id: c.post_id})
OPTIONAL MATCH (o:Object {id: c.object_id})
WITH c, coalesce(c.ts, p.ts) AS ts, coalesce(c.kind, o.kind) AS kind
RETURN c.object_id AS object_id, kind, startNode(c).id AS older_account,
       endNode(c).id AS newer_account, c.post_id AS post_id, c.post_id_y AS post_id_y,
       ts, c.time_delta AS time_delta, c.fast AS fast
ORDER BY ts, object_id
LIMIT $limit
