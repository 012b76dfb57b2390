// Link a case to its bookmarked accounts that are in the store (others stay in the JSON list).
// param: $name string - the case name
// param: $account_ids list<string> - the bookmarked account ids
MATCH (c:Case {name: $name})
UNWIND $account_ids AS aid
MATCH (a:Account {id: aid})
MERGE (c)-[l:BOOKMARKS]->(a)
RETURN count(l) AS linked
