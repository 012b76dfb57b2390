// The co-shares (COSHARE rows) among a set of accounts in a run: the top objects and the
// timeline of an export of the current view.
// Parameters:
//   $run_id       string        the run
//   $account_ids  list<string>  the accounts (both sides of a co-share must be in it)
// Returns: object_id, account_id, account_id_y, ts (UNIX seconds UTC of the older share).
MATCH (a:Account)-[c:COSHARE]->(b:Account)
WHERE a.id IN $account_ids AND c.run_id = $run_id AND b.id IN $account_ids
OPTIONAL MATCH (p:Post {id: c.post_id})
RETURN c.object_id AS object_id, a.id AS account_id, b.id AS account_id_y, coalesce(c.ts, p.ts) AS ts
