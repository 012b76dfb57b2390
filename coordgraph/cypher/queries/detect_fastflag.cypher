// flag_speed_share: a co-share is fast (c.fast = 1) when its time_delta <= $fast_window and
// it survives the post-filter recomputed on the fast co-shares only (IN_RUN.m_fast).
// param: $run_id string - the run
// param: $fast_window integer - seconds (narrower than the run's time_window)
// param: $min_participation integer - the run's min_participation
MATCH (r:Run {id: $run_id})<-[ia:IN_RUN]-(a:Account)
WITH r, a, coalesce(ia.m_fast, 0) AS m_a
MATCH (a)-[c:COSHARE {run_id: $run_id}]->(b:Account)
WITH r, m_a, b, c
MATCH (b)-[ib:IN_RUN]->(r)
SET c.fast = CASE WHEN c.time_delta <= $fast_window
                   AND (m_a >= $min_participation OR coalesce(ib.m_fast, 0) >= $min_participation)
              THEN 1 ELSE 0 END
RETURN toInteger(sum(c.fast)) AS fast
