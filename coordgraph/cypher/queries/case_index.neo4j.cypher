// The uniqueness constraint on the key of saved investigations (Neo4j). No parameters.
CREATE CONSTRAINT case_name_unique IF NOT EXISTS FOR (c:Case) REQUIRE c.name IS UNIQUE
