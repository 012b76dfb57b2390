// Load (Neo4j): MERGE a batch of posts, their authors and POSTED, committed every $tx_rows
// rows (CALL {} IN TRANSACTIONS, Neo4j >= 5.23: run it in an auto-commit transaction). Idempotent.
// param: $rows list<map> - one map per post: {id: string, account_id: string, props: map (ts in UNIX seconds UTC)}
// param: $tx_rows integer - rows per inner transaction
UNWIND $rows AS r
CALL (r) {
  MERGE (p:Post {id: r.id})
  SET p += r.props
  MERGE (a:Account {id: r.account_id})
  MERGE (a)-[:POSTED]->(p)
} IN TRANSACTIONS OF $tx_rows ROWS
