// Load: MERGE a batch of shares as (:Account)-[:SHARED {post_id, ts, kind}]->(:Object {id, kind}),
// one SHARED per (account, object, post); grouped by object so each object is looked up once.
// param: $groups list<map> - one map per object: {o: object id, k: kind (intent), rows: [{a: account id, p: post id, t: UNIX seconds UTC}]}
UNWIND $groups AS g
MERGE (o:Object {id: g.o, kind: g.k})
WITH o, g
UNWIND g.rows AS r
MERGE (a:Account {id: r.a})
MERGE (a)-[s:SHARED {post_id: r.p}]->(o)
ON CREATE SET s.ts = r.t, s.kind = g.k
