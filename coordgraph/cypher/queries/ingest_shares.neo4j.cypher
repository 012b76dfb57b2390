// Load (Neo4j): MERGE a batch of shares as (:Account)-[:SHARED {post_id, ts, kind}]->(:Object {id, kind}),
// one SHARED per (account, object, post), committed every $tx_rows objects (CALL {} IN
// TRANSACTIONS, Neo4j >= 5.23: run it in an auto-commit transaction). Idempotent.
// param: $groups list<map> - one map per object: {o: object id, k: kind (intent), rows: [{a: account id, p: post id, t: UNIX seconds UTC}]}
// param: $tx_rows integer - objects per inner transaction
UNWIND $groups AS g
CALL (g) {
  MERGE (o:Object {id: g.o, kind: g.k})
  WITH o, g
  UNWIND g.rows AS r
  MERGE (a:Account {id: r.a})
  MERGE (a)-[s:SHARED {post_id: r.p}]->(o)
  ON CREATE SET s.ts = r.t, s.kind = g.k
} IN TRANSACTIONS OF $tx_rows ROWS
