// How much of a stored trend comes from the accounts of a run's coordinated network.
// Parameters:
//   $trend   string  the trend's name (a (:Trend) node written by coordgraph trends)
//   $run_id  string  the run whose accounts (IN_RUN) count as coordinated
// Returns: posts (all posts in the trend), coordinated_posts (posts by accounts in the run),
//   accounts, coordinated_accounts.
MATCH (a:Account)-[p:IN_TREND]->(:Trend {id: $trend})
OPTIONAL MATCH (a)-[s:IN_RUN]->(:Run {id: $run_id})
RETURN toInteger(sum(p.posts)) AS posts,
       toInteger(sum(CASE WHEN s IS NULL THEN 0 ELSE p.posts END)) AS coordinated_posts,
       count(a) AS accounts, count(s) AS coordinated_accounts
