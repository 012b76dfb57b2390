// The stored statistics of one trend, or of every trend (docs/trends.md for each key).
// param: $trend string or null - a trend's name, or null for all trends
MATCH (t:Trend)
WHERE $trend IS NULL OR t.id = $trend
RETURN t.id AS trend, properties(t) AS stats
ORDER BY trend
