// A live run: the alerts raised by coordgraph watch's rules, one (:Alert) node each, merged
// on (run_id, key) so a batch written again after a crash adds none twice.
// param: $run_id string - the live run
// param: $rows list<map> - {key: "batch:rule:subject", batch: int, rule: string, type:
//        community|component|watched_account, subject: account id (a network's smallest
//        member or the watched account), label: batch period (or null), raised_at: UTC ISO
//        time, newest_time: UNIX s UTC, metric, value (float), size (accounts), members:
//        JSON list of account ids (members or partners), message: one readable line}
UNWIND $rows AS r
MERGE (x:Alert {run_id: $run_id, key: r.key})
SET x.batch = r.batch, x.rule = r.rule, x.type = r.type, x.subject = r.subject, x.label = r.label,
    x.raised_at = r.raised_at, x.newest_time = r.newest_time, x.metric = r.metric, x.value = r.value,
    x.size = r.size, x.members = r.members, x.message = r.message
RETURN count(x) AS written
