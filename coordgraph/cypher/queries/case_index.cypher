// The index on the key of saved investigations (FalkorDB: an existing index is an error the
// caller ignores). No parameters.
CREATE INDEX FOR (c:Case) ON (c.name)
