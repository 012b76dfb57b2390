// The alerts of a live run, newest batch first.
// Parameters:
//   $run_id  string  the live run
// Returns: batch, raised_at (UTC ISO), newest_time (UNIX s UTC), rule, type
//   (community|component|watched_account), subject (account id), members (JSON list of
//   account ids), size (accounts), message.
MATCH (x:Alert)
WHERE x.run_id = $run_id
RETURN x.batch AS batch, x.raised_at AS raised_at, x.newest_time AS newest_time, x.rule AS rule,
       x.type AS type, x.subject AS subject, x.members AS members, x.size AS size, x.message AS message
ORDER BY batch DESC, rule, subject
