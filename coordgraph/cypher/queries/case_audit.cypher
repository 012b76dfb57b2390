// The audit trail: every analysis run in the store (complete or not) with who ran it, when,
// where and with what parameters, and the saved investigations about it. Newest first.
// No parameters. Returns: run_id, created (epoch s UTC), finished, user, host, status,
//   intent, engine, params (JSON), cases (list of case names).
MATCH (r:Run)
OPTIONAL MATCH (c:Case)-[:ABOUT_RUN]->(r)
RETURN r.id AS run_id, r.created AS created, r.finished AS finished, r.user AS user,
       r.host AS host, r.status AS status, r.intent AS intent, r.engine AS engine,
       r.params AS params, collect(c.name) AS cases
ORDER BY created DESC, run_id DESC
