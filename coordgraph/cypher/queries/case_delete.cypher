// Delete a saved investigation and its links (accounts and runs are not touched).
// param: $name string - the case name
MATCH (c:Case {name: $name})
DETACH DELETE c
RETURN count(*) AS deleted
