// The co-shares (COSHARE rows) among a set of accounts of a run, with everything a report
// shows as evidence: both posts, both times, seconds apart, the platform (for post links).
// Parameters:
//   $run_id       string        the run
//   $account_ids  list<string>  the accounts (both sides of a co-share must be in it)
//   $limit        integer       at most this many rows, fastest first
// Returns: object_id, kind, account_id (older share), account_id_y (newer share), post_id,
//   post_id_y, ts, ts_y (UNIX seconds UTC of the two shares), time_delta (seconds apart),
//   fast (1 = within the fast window), platform (the older account's platform, may be null).
MATCH (a:Account)-[c:COSHARE]->(b:Account)
WHERE a.id IN $account_ids AND c.run_id = $run_id AND b.id IN $account_ids
RETURN c.object_id AS object_id, c.kind AS kind, a.id AS account_id, b.id AS account_id_y,
       c.post_id AS post_id, c.post_id_y AS post_id_y, c.ts AS ts, c.ts_y AS ts_y,
       c.time_delta AS time_delta, c.fast AS fast, a.platform AS platform
ORDER BY time_delta, ts
LIMIT $limit
