// Accounts present in two runs (e.g. two trends, two intents, two periods): their community
// and strength in each.
// param: $run_id string - the first run
// param: $run_id_y string - the second run
// param: $limit integer - at most this many accounts
// Returns: account_id, handle, community, strength, community_y, strength_y.
MATCH (r1:Run {id: $run_id})<-[i:IN_RUN]-(a:Account)-[j:IN_RUN]->(r2:Run {id: $run_id_y})
RETURN a.id AS account_id, a.handle AS handle, i.community AS community, i.strength AS strength,
       j.community AS community_y, j.strength AS strength_y
ORDER BY strength + strength_y DESC, account_id
LIMIT $limit
