// The members of one community of a run with their statistics (for exports).
// Parameters:
//   $run_id     string   the run
//   $community  integer  the community (IN_RUN.community)
// Returns: account_id, handle, name, community, degree, strength, pagerank, followers_count,
//          created_at (the account's creation, UNIX seconds UTC; null when the platform gave none;
//          the ranked table's and the report's median account age).
MATCH (r:Run {id: $run_id})<-[s:IN_RUN]-(a:Account)
WHERE s.community = $community
RETURN a.id AS account_id, a.handle AS handle, a.name AS name, s.community AS community,
       s.degree AS degree, s.strength AS strength, s.pagerank AS pagerank,
       a.followers_count AS followers_count, a.created_at AS created_at
ORDER BY strength DESC
