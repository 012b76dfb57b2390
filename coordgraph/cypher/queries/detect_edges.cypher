// The coordinated network of a run: one (:Account)-[:COORDINATED]->(:Account) per unordered
// account pair, stored from the smaller account id to the larger, aggregated from the run's
// co-shares (CooRTweet generate_coordinated_network, documented per-account symmetry):
// weight = number of co-shares; avg_time_delta = mean seconds apart; n_content_id /
// n_content_id_y = distinct posts of the start / end account among them; edge_symmetry_score
// = min/max of the two; first_ts / last_ts = epoch seconds of the first and last share; the
// *_fast attributes aggregate the fast co-shares only (null when there are none).
// param: $run_id string - the run
MATCH (a:Account)-[c:COSHARE {run_id: $run_id}]->(b:Account)
WITH c, a, CASE WHEN a.id < b.id THEN [a, b] ELSE [b, a] END AS uv
WITH uv[0] AS u, uv[1] AS v, c, a = uv[0] AS fwd
WITH u, v,
     count(c) AS weight,
     avg(c.time_delta) AS avg_dt,
     collect(DISTINCT CASE WHEN fwd THEN c.post_id ELSE c.post_id_y END) AS pu,
     collect(DISTINCT CASE WHEN fwd THEN c.post_id_y ELSE c.post_id END) AS pv,
     min(c.ts) AS first_ts,
     max(c.ts_y) AS last_ts,
     toInteger(sum(c.fast)) AS weight_fast,
     avg(CASE WHEN c.fast = 1 THEN c.time_delta END) AS avg_dt_fast,
     collect(DISTINCT CASE WHEN c.fast = 1 THEN (CASE WHEN fwd THEN c.post_id ELSE c.post_id_y END) END) AS pu_fast,
     collect(DISTINCT CASE WHEN c.fast = 1 THEN (CASE WHEN fwd THEN c.post_id_y ELSE c.post_id END) END) AS pv_fast
MERGE (u)-[e:COORDINATED {run_id: $run_id}]->(v)
SET e.weight = weight,
    e.avg_time_delta = toFloat(avg_dt),
    e.n_content_id = size(pu),
    e.n_content_id_y = size(pv),
    e.edge_symmetry_score = toFloat(CASE WHEN size(pu) < size(pv) THEN size(pu) ELSE size(pv) END) /
                            toFloat(CASE WHEN size(pu) < size(pv) THEN size(pv) ELSE size(pu) END),
    e.first_ts = first_ts,
    e.last_ts = last_ts,
    e.weight_fast = CASE WHEN weight_fast > 0 THEN weight_fast END,
    e.avg_time_delta_fast = CASE WHEN weight_fast > 0 THEN toFloat(avg_dt_fast) END,
    e.n_content_id_fast = CASE WHEN weight_fast > 0 THEN size(pu_fast) END,
    e.n_content_id_y_fast = CASE WHEN weight_fast > 0 THEN size(pv_fast) END,
    e.edge_symmetry_score_fast = CASE WHEN weight_fast > 0 THEN
        toFloat(CASE WHEN size(pu_fast) < size(pv_fast) THEN size(pu_fast) ELSE size(pv_fast) END) /
        toFloat(CASE WHEN size(pu_fast) < size(pv_fast) THEN size(pv_fast) ELSE size(pu_fast) END) END
RETURN count(e) AS edges
