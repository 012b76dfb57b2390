// Find accounts (by handle or id) and shared objects (by id) for the search box, using
// Account.handle_lc (the handle lower-cased without a leading '@', written at ingest and
// indexed) instead of toLower/CASE over every account (webapp_search.cypher, kept for stores
// whose accounts predate handle_lc; coordgraph.webapp.source picks the query).
// Exact matches are index lookups. Prefix matches are a STARTS WITH over the stored keys (no
// function per account): FalkorDB answers STARTS WITH by a label scan, and its string range
// index scan returned wrong rows when tried (issue 15 polish), so no range trick here.
// Parameters:
//   $run_id  string   the run: accounts get their community in it (null if not in the run)
//   $text    string   what was typed, lower-cased and without a leading @ by the caller
//   $raw     string   what was typed without a leading @, case kept (account ids are matched
//                     as typed or lower-cased)
//   $limit   integer  at most this many of each kind
// Returns: kind ('account' or 'object'), id, label, community. Exact matches first, then
//   prefixes (objects also match after their 'kind:' prefix, e.g. 'object_30').
MATCH (a:Account)
WHERE a.handle_lc = $text
OPTIONAL MATCH (a)-[s:IN_RUN]->(:Run {id: $run_id})
WITH a, s ORDER BY s.strength DESC LIMIT $limit
RETURN 'account' AS kind, a.id AS id, coalesce(a.handle, a.id) AS label, s.community AS community
UNION
MATCH (a:Account)
WHERE a.id IN [$raw, $text]
OPTIONAL MATCH (a)-[s:IN_RUN]->(:Run {id: $run_id})
RETURN 'account' AS kind, a.id AS id, coalesce(a.handle, a.id) AS label, s.community AS community
UNION
MATCH (a:Account)
WHERE a.handle_lc STARTS WITH $text OR a.id STARTS WITH $raw OR a.id STARTS WITH $text
OPTIONAL MATCH (a)-[s:IN_RUN]->(:Run {id: $run_id})
WITH a, s ORDER BY s.strength DESC LIMIT $limit
RETURN 'account' AS kind, a.id AS id, coalesce(a.handle, a.id) AS label, s.community AS community
UNION
MATCH (o:Object)
WITH o, toLower(o.id) AS oid
WHERE oid STARTS WITH $text OR oid CONTAINS (':' + $text)
WITH o ORDER BY o.id LIMIT $limit
RETURN 'object' AS kind, o.id AS id, o.id AS label, null AS community
