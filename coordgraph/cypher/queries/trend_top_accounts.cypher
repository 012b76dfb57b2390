// The accounts that posted most in a trend, with their first and last post in it.
// param: $trend string - the trend's name
// param: $limit int - how many accounts
MATCH (a:Account)-[p:IN_TREND]->(t:Trend {id: $trend})
RETURN a.id AS account_id, a.handle AS handle, p.posts AS posts, p.first_ts AS first_ts,
       p.last_ts AS last_ts
ORDER BY posts DESC, account_id
LIMIT $limit
