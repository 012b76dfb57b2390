// (Re-)threshold a run's edges without recomputing co-shares: weight_threshold = 1 when the
// weight is strictly above the $edge_weight quantile of all the run's edge weights (linear
// interpolation = R type 7), else 0; the same over the fast edges for weight_threshold_fast.
// param: $run_id string - the run
// param: $edge_weight float - a percentile in [0, 1]
MATCH ()-[e:COORDINATED {run_id: $run_id}]->()
WITH percentileCont(e.weight, $edge_weight) AS thr,
     percentileCont(e.weight_fast, $edge_weight) AS thr_fast
MATCH ()-[e:COORDINATED {run_id: $run_id}]->()
SET e.weight_threshold = CASE WHEN e.weight > thr THEN 1 ELSE 0 END,
    e.weight_threshold_fast = CASE WHEN e.weight_fast IS NULL THEN null
                                   WHEN e.weight_fast > thr_fast THEN 1 ELSE 0 END
RETURN thr AS threshold, thr_fast AS threshold_fast, count(e) AS edges, toInteger(sum(e.weight_threshold)) AS above
