// Load bookkeeping: record that batches 1..$done of load $id are written (resume point).
// param: $id string - the load's identity (hash of its files' contents and options)
// param: $done integer - batches written so far
// param: $status string - 'running' or 'complete'
// param: $now integer - UNIX seconds UTC
// param: $files list<string> - one identity per input file (size, mtime, head/tail hash)
MERGE (i:Ingest {id: $id})
ON CREATE SET i.created = $now
SET i.done_batches = $done, i.status = $status, i.updated = $now, i.files = $files
