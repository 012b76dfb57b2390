// One account's profile and its statistics in a run.
// Parameters:
//   $run_id      string  the run
//   $account_id  string  the account
// Returns: account_id, handle, name, platform, followers_count, created_at (UNIX s UTC),
//   community, strength (sum of edge weights), degree (partners), pagerank (null if absent),
//   n_posts (posts stored for the account).
MATCH (a:Account {id: $account_id})
OPTIONAL MATCH (a)-[s:IN_RUN]->(:Run {id: $run_id})
OPTIONAL MATCH (a)-[:POSTED]->(p:Post)
RETURN a.id AS account_id, a.handle AS handle, a.name AS name, a.platform AS platform,
       a.followers_count AS followers_count, a.created_at AS created_at,
       s.community AS community, s.strength AS strength, s.degree AS degree,
       s.pagerank AS pagerank, count(p) AS n_posts
