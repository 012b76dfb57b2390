// An account's posts, newest first.
// Parameters:
//   $account_id  string   the account
//   $limit       integer  at most this many posts
// Returns: post_id, ts (UNIX seconds UTC), text.
MATCH (:Account {id: $account_id})-[:POSTED]->(p:Post)
RETURN p.id AS post_id, p.ts AS ts, p.text AS text
ORDER BY ts DESC
LIMIT $limit
