// The complete runs in the store, newest first (incomplete runs are never shown).
// Returns: id, created (epoch s UTC), user, engine, intent, params (JSON), counts (JSON),
//   threshold, community_algorithm.
MATCH (r:Run)
WHERE r.status = 'complete'
RETURN r.id AS id, r.created AS created, r.user AS user, r.engine AS engine, r.intent AS intent,
       r.params AS params, r.counts AS counts, r.threshold AS threshold,
       r.community_algorithm AS community_algorithm
ORDER BY created DESC, id DESC
