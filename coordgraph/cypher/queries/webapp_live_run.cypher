// Is a run live (coordgraph watch --store), and how far is it?
// Parameters:
//   $run_id  string  the run
// Returns: live (true, or null for a batch run), batch (last batch written completely),
//   batches (JSON list of {batch, time: newest share time UNIX s UTC, applied_at: UTC ISO,
//   edges}), live_updated (epoch s UTC of the last write), threshold.
MATCH (r:Run {id: $run_id})
RETURN r.live AS live, r.batch AS batch, r.batches AS batches, r.live_updated AS live_updated,
       r.threshold AS threshold
