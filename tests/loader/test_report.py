"""The load report: per-file counts that add up, JSON and rich forms, intent warnings."""
from __future__ import annotations

from rich.console import Console

from coordgraph.loader import read_posts
from coordgraph.loader.report import LoadReport

from .corpus.cases import gz, jl, v2


def test_report_per_file_and_totals(tmp_path):
    (tmp_path / "a.jsonl").write_bytes(jl(v2(1), v2(2), v2(1)) + b"{broken\n")
    (tmp_path / "b.jsonl.gz").write_bytes(gz(jl(*[v2(i, str(7000 + i * 37), text=f"post {i * 7919 % 1000}") for i in range(3, 400)]), 0.7))
    (tmp_path / "data_1.json").write_bytes(jl(v2(1)))  # an academictwitteR folder...
    (tmp_path / "query").write_bytes(b"#x lang:en\n")  # ...and the query it ran
    report = read_posts(tmp_path).stats.report.to_dict()
    files = {f["file"].rsplit("/", 1)[-1]: f for f in report["files"]}
    a = files["a.jsonl"]
    assert (a["records"], a["kept"], a["duplicates"], a["rejected"]) == (4, 2, 1, 1)
    assert a["rejected_by_reason"] == {"malformed JSON": 1}
    b = files["b.jsonl.gz"]
    assert b["lost_to_truncation"] == 1 and b["truncated"].startswith("truncated or corrupt gzip")
    assert b["records"] == b["kept"] > 0
    assert files["query"]["skipped"].startswith("academictwitteR query file")
    assert files["data_1.json"]["duplicates"] == 1
    for key in ("records", "kept", "duplicates", "rejected", "lost_to_truncation"):
        assert report[key] == sum(f[key] for f in report["files"])
    assert report["records"] == report["kept"] + report["duplicates"] + report["rejected"]


def test_intent_warning_and_rich_table():
    report = LoadReport()
    rep = report.file("x.jsonl", "twitter-v2")
    rep.records = rep.kept = 3
    report.skipped["urls: Twitter withheld/media-policy notice link"] = 2
    report.check_intents({"hashtags": 0, "urls": 5}, {"hashtags": 3, "urls": 9})
    assert report.warnings == ["intent 'hashtags' found nothing, but 3 posts have '#' in the text: "
                               "map a column with --map or check the input format"]
    console = Console(record=True, width=200)
    console.print(report.rich_table())
    text = console.export_text()
    assert "x.jsonl" in text and "twitter-v2" in text and "notice link (2)" in text
