// Load bookkeeping: how many batches of load $id are written, and whether it completed.
// param: $id string - the load's identity (hash of its files' contents and options)
MATCH (i:Ingest {id: $id})
RETURN i.done_batches AS done, i.status AS status
