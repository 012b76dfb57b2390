// A live run (coordgraph watch --store): write the COORDINATED edges that are new or whose
// attributes changed in the last batch (weights grow, thresholds move), idempotently.
// param: $run_id string - the live run (live-<name>)
// param: $rows list<map> - {a: account id (smaller), b: account id (larger), props: map of the
//        edge's attributes (weight, avg_time_delta (seconds), n_content_id, ..., first_ts,
//        last_ts (UNIX s UTC), first_batch (int), first_seen (UNIX s UTC))}
UNWIND $rows AS r
MATCH (a:Account {id: r.a})
MATCH (b:Account {id: r.b})
MERGE (a)-[e:COORDINATED {run_id: $run_id}]->(b)
SET e += r.props
RETURN count(e) AS written
