// Co-shares of one run: every pair of shares of the same object by two accounts within
// $time_window seconds, written as (:Account)-[:COSHARE]->(:Account) from the older share to
// the newer (CooRTweet detect_groups steps 1-3 and 5; the post-filter of step 4 follows in
// detect_participation.cypher and detect_postfilter.cypher).
// Shares are bucketed by time (bucket width $time_window + 1 seconds) so that only shares of
// the same or the next bucket are compared: the cost follows the output, not an object's
// shares squared. Ties (equal times): the share first in processing order is the older (spec
// step 5): accounts in order of first appearance, i.e. of their first share by SHARED.row (the
// input row, when the share table's order was stored) or else by (time, post id, object id),
// the order coordgraph.run exports stored shares in; post ids break what is left.
// param: $run_id string - the run being written (the :Run node exists)
// param: $kinds list<string>|null - intents (SHARED.kind) to use; null = all
// param: $time_window integer - seconds; pairs with |t1 - t2| <= time_window are co-shares
// param: $min_participation integer - accounts with fewer shares (rows) are left out
MATCH (a:Account)-[s:SHARED]->(o:Object)
WHERE $kinds IS NULL OR s.kind IN $kinds
WITH a, count(s) AS n_rows,
     min(CASE WHEN s.row IS NULL
              THEN 'b' + right('000000000000000' + toString(s.ts), 15) + '|' + s.post_id + '|' + o.id
              ELSE 'a' + right('000000000000000' + toString(s.row), 15) END) AS first
WHERE n_rows >= $min_participation
MATCH (a)-[s:SHARED]->(o:Object)
WHERE $kinds IS NULL OR s.kind IN $kinds
WITH a, first, s.post_id AS p, collect({o: o, t: s.ts, kind: s.kind}) AS items
WITH a, first, p, size(items) AS k, items
UNWIND items AS it
WITH it.o AS o, it.t AS t, it.kind AS kind, a, first, p, k
UNWIND [0, 1] AS guest
WITH o, t / ($time_window + 1) - guest AS bucket, guest, {t: t, p: p, a: a, k: k, kind: kind, f: first} AS x
WITH o, bucket,
     collect(CASE WHEN guest = 0 THEN x END) AS homes,
     collect(CASE WHEN guest = 1 THEN x END) AS guests
WHERE size(homes) > 0 AND size(homes) + size(guests) > 1
UNWIND range(0, size(homes) - 1) AS i
WITH o, homes[i] AS x,
     [j IN range(i + 1, size(homes) - 1) | homes[j]] +
     [g IN guests WHERE g.t - homes[i].t <= $time_window] AS ys
UNWIND ys AS y
WITH o, x, y
WHERE x.a <> y.a AND x.p <> y.p AND o.id <> x.p AND o.id <> y.p
WITH o, CASE WHEN x.t < y.t OR (x.t = y.t AND (x.f < y.f OR (x.f = y.f AND x.p < y.p)))
                THEN [x, y] ELSE [y, x] END AS xy
WITH o, xy[0] AS older, xy[1] AS newer
WITH o, older, newer, older.a AS a, newer.a AS b
CREATE (a)-[:COSHARE {run_id: $run_id, object_id: o.id, post_id: older.p, post_id_y: newer.p,
                      ts: older.t, ts_y: newer.t, time_delta: newer.t - older.t,
                      k: older.k, k_y: newer.k, kind: older.kind, fast: 0}]->(b)
RETURN count(*) AS coshares
