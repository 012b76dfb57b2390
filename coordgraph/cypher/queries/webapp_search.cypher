// Find accounts (by id or handle) and shared objects (by id) for the search box.
// Case-insensitive; a leading @ is ignored on both sides (handles are stored with or without it).
// Parameters:
//   $run_id  string   the run: accounts get their community in it (null if not in the run)
//   $text    string   what was typed, lower-cased and without a leading @ by the caller
//   $limit   integer  at most this many of each kind
// Returns: kind ('account' or 'object'), id, label, community. Exact matches first, then
//   prefixes (objects also match after their 'kind:' prefix, e.g. 'object_30').
MATCH (a:Account)
WITH a, toLower(a.id) AS aid,
     toLower(CASE WHEN a.handle STARTS WITH '@' THEN substring(a.handle, 1) ELSE coalesce(a.handle, '') END) AS h
WHERE aid STARTS WITH $text OR h STARTS WITH $text
OPTIONAL MATCH (a)-[s:IN_RUN]->(:Run {id: $run_id})
WITH a, s, (aid = $text OR h = $text) AS exact
ORDER BY exact DESC, s.strength DESC LIMIT $limit
RETURN 'account' AS kind, a.id AS id, coalesce(a.handle, a.id) AS label, s.community AS community
UNION
MATCH (o:Object)
WITH o, toLower(o.id) AS oid
WHERE oid STARTS WITH $text OR oid CONTAINS (':' + $text)
WITH o ORDER BY o.id LIMIT $limit
RETURN 'object' AS kind, o.id AS id, o.id AS label, null AS community
