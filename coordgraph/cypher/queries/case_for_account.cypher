// The saved investigations that bookmark an account (for the account page of the web app).
// param: $account_id string - the account
// Returns: name, updated (epoch s UTC), run_id.
MATCH (c:Case)-[:BOOKMARKS]->(a:Account {id: $account_id})
RETURN c.name AS name, c.updated AS updated, c.run_id AS run_id
ORDER BY updated DESC, name
