// Load (Neo4j): MERGE a batch of accounts and set their profile, committed every $tx_rows rows
// (CALL {} IN TRANSACTIONS, Neo4j >= 5.23: run it in an auto-commit transaction). Idempotent.
// param: $rows list<map> - one map per account: {id: string, props: map of profile values}
// param: $tx_rows integer - rows per inner transaction
UNWIND $rows AS r
CALL (r) {
  MERGE (a:Account {id: r.id})
  SET a += r.props
} IN TRANSACTIONS OF $tx_rows ROWS
