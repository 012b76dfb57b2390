// One saved investigation with the provenance of its run (null when the run is gone).
// param: $name string - the case name
// Returns: the case_list columns plus params (JSON), run_status, run_created, run_user,
//   run_params (JSON) and run_intent of the linked run.
MATCH (c:Case {name: $name})
OPTIONAL MATCH (c)-[:ABOUT_RUN]->(r:Run)
RETURN c.name AS name, c.notes AS notes, c.run_id AS run_id, c.accounts AS accounts,
       c.communities AS communities, c.views AS views, c.params AS params,
       c.created AS created, c.updated AS updated, c.user AS user, c.updated_by AS updated_by,
       r.status AS run_status, r.created AS run_created, r.user AS run_user,
       r.params AS run_params, r.intent AS run_intent
