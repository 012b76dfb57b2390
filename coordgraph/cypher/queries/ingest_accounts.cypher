// Load: MERGE a batch of accounts and set their profile (idempotent: loading twice = once).
// param: $rows list<map> - one map per account: {id: string, props: map of profile values}
UNWIND $rows AS r
MERGE (a:Account {id: r.id})
SET a += r.props
