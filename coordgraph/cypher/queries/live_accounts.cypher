// A live run: the IN_RUN of accounts that are new or changed in the last batch: degree
// (partners), strength (sum of edge weights = co-shares), community (live per-component
// partition, 0 = largest; null without communities), when the account first appeared.
// param: $run_id string - the live run
// param: $rows list<map> - {id: account id, d: degree (int), s: strength (int), c: community
//        (int or null), fb: first batch (int), fs: first seen (UNIX s UTC)}
MATCH (run:Run {id: $run_id})
UNWIND $rows AS r
MATCH (a:Account {id: r.id})
MERGE (a)-[i:IN_RUN {run_id: $run_id}]->(run)
SET i.degree = r.d, i.strength = r.s, i.community = r.c, i.first_batch = r.fb, i.first_seen = r.fs
RETURN count(i) AS written
