// A run's summary (JSON text written by the run writer: counts, parameters, kind_prefixed, ...),
// for the web app to read the run's provenance file the way the store's COSHARE rows read.
// Parameters:
//   $run_id  string  the run
// Returns: summary (JSON text, null for runs written before it was kept)
MATCH (r:Run {id: $run_id})
RETURN r.summary AS summary
