// The kinds of some shared objects (the web app's edge evidence read from a run's provenance
// file names objects by id only).
// Parameters:
//   $ids  list of strings  object ids
// Returns: id, kind
MATCH (o:Object)
WHERE o.id IN $ids
RETURN o.id AS id, o.kind AS kind
