// Every co-share (COSHARE row) of a run, for the web app's snapshot: the time filter and the
// time slider select co-shares by time, the community table takes medians and top objects.
// Parameters:
//   $run_id  string  the run
// Returns: account_id (older share's account), account_id_y (newer share's account),
//   object_id, ts (UNIX seconds UTC of the older share), time_delta (seconds apart),
//   fast (1 = within the fast window, else 0 or null).
MATCH (a:Account)-[c:COSHARE]->(b:Account)
WHERE c.run_id = $run_id
RETURN a.id AS account_id, b.id AS account_id_y, c.object_id AS object_id, c.ts AS ts,
       c.time_delta AS time_delta, c.fast AS fast
