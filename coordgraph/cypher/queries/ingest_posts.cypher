// Load: MERGE a batch of posts with their author and the POSTED relationship (idempotent).
// param: $rows list<map> - one map per post: {id: string, account_id: string, props: map (ts in UNIX seconds UTC)}
UNWIND $rows AS r
MERGE (p:Post {id: r.id})
SET p += r.props
MERGE (a:Account {id: r.account_id})
MERGE (a)-[:POSTED]->(p)
