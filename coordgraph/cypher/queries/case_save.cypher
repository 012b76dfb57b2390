// Save (create or update) a saved investigation, a (:Case) keyed by its name.
// Stores keep no maps as properties: lists and objects are JSON strings.
// param: $name string - the case name (unique key)
// param: $notes string - the investigator's notes (free text)
// param: $accounts string - JSON list of bookmarked account ids
// param: $communities string - JSON list of bookmarked communities (IN_RUN.community of the run)
// param: $views string - JSON list of saved views (objects with at least a "name")
// param: $run_id string - the run the case is about (null: none)
// param: $params string - JSON object: the run's parameters when the case was saved
// param: $now integer - epoch seconds UTC of this save
// param: $user string - who saves (set as the creator on the first save)
MERGE (c:Case {name: $name})
ON CREATE SET c.created = $now, c.user = $user
SET c.notes = $notes, c.accounts = $accounts, c.communities = $communities, c.views = $views,
    c.run_id = $run_id, c.params = $params, c.updated = $now, c.updated_by = $user
RETURN c.name AS name, c.created AS created, c.updated AS updated
