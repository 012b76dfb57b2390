// The bookmarked accounts of a case (those in the store) with their statistics in a run.
// param: $name string - the case name
// param: $run_id string - the run whose statistics to show (null: none)
// Returns: account_id, handle, name, community, degree, strength, pagerank (null outside the run).
MATCH (c:Case {name: $name})-[:BOOKMARKS]->(a:Account)
OPTIONAL MATCH (a)-[s:IN_RUN]->(r:Run {id: $run_id})
RETURN a.id AS account_id, a.handle AS handle, a.name AS name, s.community AS community,
       s.degree AS degree, s.strength AS strength, s.pagerank AS pagerank
ORDER BY account_id
