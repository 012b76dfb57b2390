// Remove a case's links to its run and bookmarked accounts (before they are written again).
// param: $name string - the case name
MATCH (c:Case {name: $name})-[l]->()
DELETE l
RETURN count(l) AS removed
