// The saved investigations, most recently updated first.
// No parameters. Returns: name, notes, run_id, accounts, communities, views (JSON strings),
//   created, updated (epoch s UTC), user (creator), updated_by.
MATCH (c:Case)
RETURN c.name AS name, c.notes AS notes, c.run_id AS run_id, c.accounts AS accounts,
       c.communities AS communities, c.views AS views, c.created AS created,
       c.updated AS updated, c.user AS user, c.updated_by AS updated_by
ORDER BY updated DESC, name
