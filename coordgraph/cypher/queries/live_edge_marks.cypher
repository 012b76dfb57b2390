// A live run: when each COORDINATED edge first appeared (after the run was rewritten).
// param: $run_id string - the live run
// param: $rows list<map> - {a: account id (smaller), b: account id (larger), fb: first batch
//        (int), fs: first seen (newest share time when that batch was applied, UNIX s UTC)}
UNWIND $rows AS r
MATCH (a:Account {id: r.a})-[e:COORDINATED {run_id: $run_id}]->(b:Account {id: r.b})
SET e.first_batch = r.fb, e.first_seen = r.fs
RETURN count(e) AS written
