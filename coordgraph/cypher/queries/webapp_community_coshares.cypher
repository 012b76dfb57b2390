// The co-shares (COSHARE rows) among members of one community of a run, for the top
// objects and the timeline of an export.
// Parameters:
//   $run_id     string   the run
//   $community  integer  the community (IN_RUN.community)
// Returns: object_id, account_id, account_id_y, ts (UNIX seconds UTC of the older share).
MATCH (r:Run {id: $run_id})<-[s:IN_RUN]-(a:Account)-[c:COSHARE]->(b:Account)-[sb:IN_RUN]->(r)
WHERE s.community = $community AND sb.community = $community AND c.run_id = $run_id
OPTIONAL MATCH (p:Post {id: c.post_id})
RETURN c.object_id AS object_id, a.id AS account_id, b.id AS account_id_y, coalesce(c.ts, p.ts) AS ts
