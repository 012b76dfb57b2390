// Participation of each account in a run's co-shares (CooRTweet post-filter, step 4):
// m(a) = the number of the account's share rows whose post takes part in a co-share
// (a post carrying k objects counts k rows), stored as IN_RUN.m (or IN_RUN.m_fast when only
// co-shares within $max_delta seconds are counted, for flag_speed_share).
// param: $run_id string - the run
// param: $max_delta integer|null - count only co-shares with time_delta <= max_delta seconds; null = all
// param: $fast boolean - write IN_RUN.m_fast instead of IN_RUN.m
MATCH (r:Run {id: $run_id})
MATCH (a:Account)-[c:COSHARE {run_id: $run_id}]->(b:Account)
WHERE $max_delta IS NULL OR c.time_delta <= $max_delta
UNWIND [[a, c.post_id, c.k], [b, c.post_id_y, c.k_y]] AS side
WITH DISTINCT r, side[0] AS acc, side[1] AS p, side[2] AS k
WITH r, acc, sum(k) AS m
MERGE (acc)-[i:IN_RUN {run_id: $run_id}]->(r)
SET i.m_fast = CASE WHEN $fast THEN toInteger(m) ELSE i.m_fast END,
    i.m = CASE WHEN $fast THEN i.m ELSE toInteger(m) END
RETURN count(*) AS accounts
