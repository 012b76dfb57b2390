// The account pairs of a run that co-shared objects of some kinds (the intent filter).
// Parameters:
//   $run_id   string        the run
//   $intents  list<string>  share kinds (retweets, hashtags, urls, ...); a co-share's kind is
//                           COSHARE.kind, else its Object's kind
// Returns: account_id, account_id_y (older and newer share's accounts; either order).
MATCH (a:Account)-[c:COSHARE]->(b:Account)
WHERE c.run_id = $run_id
OPTIONAL MATCH (o:Object {id: c.object_id})
WITH a, b, coalesce(c.kind, o.kind) AS kind
WHERE kind IN $intents
RETURN DISTINCT a.id AS account_id, b.id AS account_id_y
