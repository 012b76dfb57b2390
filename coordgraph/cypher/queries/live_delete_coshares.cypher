// A live run above the COSHARE limit keeps the earliest co-shares of each edge: remove the
// COSHARE rows of the given account pairs (all of the run's when $pairs is null) before
// they are written again.
// param: $run_id string - the live run
// param: $pairs list<list<string>> or null - [smaller account id, larger account id] pairs
MATCH (a:Account)-[c:COSHARE {run_id: $run_id}]-(b:Account)
WHERE a.id < b.id AND ($pairs IS NULL OR [a.id, b.id] IN $pairs)
DELETE c
RETURN count(*) AS removed
