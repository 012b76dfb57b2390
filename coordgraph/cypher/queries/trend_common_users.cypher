// Accounts that posted in both of two trends, and in either (for the Jaccard percentage).
// param: $a string - the first trend's name
// param: $b string - the second trend's name (different from $a)
MATCH (acc:Account)-[r:IN_TREND]->(t:Trend)
WHERE t.id IN [$a, $b]
WITH acc, count(r) AS trends
RETURN toInteger(sum(CASE WHEN trends = 2 THEN 1 ELSE 0 END)) AS common, count(acc) AS either
