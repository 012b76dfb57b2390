// Find accounts (by id or handle) and shared objects (by id) for the search box.
// Parameters:
//   $run_id  string   the run: accounts get their community in it (null if not in the run)
//   $text    string   what was typed; exact matches and prefixes, case-sensitive; a
//                     leading @ is optional for handles
//   $limit   integer  at most this many of each kind
// Returns: kind ('account' or 'object'), id, label, community.
MATCH (a:Account)
WHERE a.id = $text OR a.id STARTS WITH $text OR a.handle STARTS WITH $text
   OR a.handle STARTS WITH ('@' + $text)
OPTIONAL MATCH (a)-[s:IN_RUN]->(:Run {id: $run_id})
WITH a, s ORDER BY s.strength DESC LIMIT $limit
RETURN 'account' AS kind, a.id AS id, coalesce(a.handle, a.id) AS label, s.community AS community
UNION
MATCH (o:Object)
WHERE o.id = $text OR o.id STARTS WITH $text
WITH o LIMIT $limit
RETURN 'object' AS kind, o.id AS id, o.id AS label, null AS community
