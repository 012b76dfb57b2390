// The co-shares behind one edge (provenance): which objects, which posts, how many seconds
// apart, in both directions, oldest first.
// param: $run_id string - the run
// param: $account_id string - one account of the edge
// param: $account_id_y string - the other account
// Returns: object_id, kind, older_account, older_post, older_ts (epoch s UTC), newer_account,
//   newer_post, newer_ts, seconds_apart, fast (1 = within the run's fast window).
MATCH (a:Account)-[c:COSHARE {run_id: $run_id}]->(b:Account)
WHERE (a.id = $account_id AND b.id = $account_id_y) OR (a.id = $account_id_y AND b.id = $account_id)
RETURN c.object_id AS object_id, c.kind AS kind, a.id AS older_account, c.post_id AS older_post,
       c.ts AS older_ts, b.id AS newer_account, c.post_id_y AS newer_post, c.ts_y AS newer_ts,
       c.time_delta AS seconds_apart, c.fast AS fast
ORDER BY older_ts, object_id, older_post
