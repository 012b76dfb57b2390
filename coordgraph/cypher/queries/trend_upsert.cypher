// Store or refresh one trend's statistics on its (:Trend) node (docs/trends.md). Statistics
// given as null are removed; the hourly volume replaces the stored one. Re-running with the
// same values changes nothing, so a stream's accumulator can save after every batch.
// param: $trend string - the trend's name: '#tag', 'obj:ID,ID' or a keyword
// param: $stats map - statistic name -> number, string or null (keys of trend_stats)
// param: $hour_ts list<int> - start of each UTC hour, UNIX seconds, first to last post
// param: $hour_posts list<int> - posts of the trend in each of those hours
// param: $updated int - when the statistics were computed, UNIX seconds UTC
MERGE (t:Trend {id: $trend})
SET t += $stats, t.hour_ts = $hour_ts, t.hour_posts = $hour_posts, t.updated = $updated
RETURN t.id AS trend
