// Link accounts to a trend they posted in: (:Account)-[:IN_TREND {posts, first_ts, last_ts}]->(:Trend).
// Values are totals over everything seen so far (set, not added), so saving again is safe.
// param: $trend string - the trend's name (its (:Trend) node must exist: trend_upsert first)
// param: $rows list<map> - {account_id: string, posts: int, first_ts: int, last_ts: int}; times UNIX seconds UTC
MATCH (t:Trend {id: $trend})
UNWIND $rows AS r
MERGE (a:Account {id: r.account_id})
MERGE (a)-[p:IN_TREND]->(t)
SET p.posts = r.posts, p.first_ts = r.first_ts, p.last_ts = r.last_ts
RETURN count(p) AS written
