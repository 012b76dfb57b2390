// Networks of a live run that are new or grew after a batch: per community (IN_RUN.community
// of the last batch), its accounts now and those already in the run at batch $since
// (IN_RUN.first_batch <= $since). A community whose accounts were all new is new.
// Parameters:
//   $run_id  string   the live run
//   $since   integer  a batch number (0 = before the first batch)
// Returns: community, size_now, size_then (accounts), new_accounts, first_seen (UNIX s UTC of the
//   newest member's appearance), ordered by most new accounts first.
MATCH (a:Account)-[i:IN_RUN]->(r:Run {id: $run_id})
WHERE i.community IS NOT NULL
WITH i.community AS community, count(a) AS size_now,
     sum(CASE WHEN i.first_batch <= $since THEN 1 ELSE 0 END) AS size_then,
     max(i.first_seen) AS first_seen
WHERE size_now > size_then
RETURN community, size_now, size_then, size_now - size_then AS new_accounts, first_seen
ORDER BY new_accounts DESC, community
