// The accounts that co-shared one object in a run (search for an object jumps here).
// Parameters:
//   $run_id     string   the run
//   $object_id  string   the object
//   $limit      integer  at most this many co-share rows
// Returns: account_id, account_id_y (older, newer share), time_delta (s), ts (UNIX s UTC).
MATCH (a:Account)-[c:COSHARE]->(b:Account)
WHERE c.run_id = $run_id AND c.object_id = $object_id
RETURN a.id AS account_id, b.id AS account_id_y, c.time_delta AS time_delta, c.ts AS ts
LIMIT $limit
