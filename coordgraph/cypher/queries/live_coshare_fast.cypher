// A live run: co-share rows kept in an earlier batch that the last batch flagged fast
// (flags only ever turn on: an account crossed the participation bound in the fast window).
// param: $run_id string - the live run
// param: $rows list<map> - {a: older account id, b: newer account id, o: object id, p: older
//        post id, py: newer post id}
UNWIND $rows AS r
MATCH (a:Account {id: r.a})-[c:COSHARE {run_id: $run_id}]->(b:Account {id: r.b})
WHERE c.post_id = r.p AND c.post_id_y = r.py AND c.object_id = r.o
SET c.fast = 1
RETURN count(c) AS flagged
