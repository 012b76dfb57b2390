// Link a case to the run it is about, when that run is in the store.
// param: $name string - the case name
// param: $run_id string - the run id
MATCH (c:Case {name: $name}), (r:Run {id: $run_id})
MERGE (c)-[l:ABOUT_RUN]->(r)
RETURN count(l) AS linked
