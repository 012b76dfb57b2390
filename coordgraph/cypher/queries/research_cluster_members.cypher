// A cluster's members and what they shared: per member of community $community of run
// $run_id, its statistics and the distinct objects it co-shared inside the run.
// param: $run_id string - the run (see: coordgraph runs)
// param: $community integer - community id (IN_RUN.community; 0 = the largest)
// param: $max_objects integer - at most this many object ids listed per member
// Returns: account_id, handle, degree, strength (co-shares), pagerank, n_objects, objects.
MATCH (a:Account)-[i:IN_RUN]->(r:Run {id: $run_id})
WHERE i.community = $community
OPTIONAL MATCH (a)-[c:COSHARE {run_id: $run_id}]-(:Account)
WITH a, i, collect(DISTINCT c.object_id) AS objects
RETURN a.id AS account_id, a.handle AS handle, i.degree AS degree, i.strength AS strength,
       i.pagerank AS pagerank, size(objects) AS n_objects, objects[0..$max_objects] AS objects
ORDER BY strength DESC, account_id
