"""`coordgraph detect --method qut|cosine` on the QUT toolkit's test data (edges worked by hand in
test_qut.py and test_cosine.py): files, columns, summary, one-line errors."""
import json

import pandas as pd
from typer.testing import CliRunner

from coordgraph.cli import app
from tests.analysis.test_qut import ROWS

runner = CliRunner()


def _csv(tmp_path):
    frame = pd.DataFrame(ROWS, columns=["content_id", "account_id", "object_id", "timestamp_share"])
    path = tmp_path / "shares.csv"
    frame[["object_id", "account_id", "content_id", "timestamp_share"]].to_csv(path, index=False)
    return path


def test_qut_run_directory(tmp_path):
    out = tmp_path / "qut"
    res = runner.invoke(app, ["detect", str(_csv(tmp_path)), "--out", str(out), "--method", "qut",
                              "--time-window", "60", "--param", "min_edge_weight=2"])
    assert res.exit_code == 0, res.output
    # window 60 weights >= 2: uid0->uid1 2, uid4->uid5 2, uid5->uid4 2 (test_qut); uid1->uid0 (1) is below
    directed = pd.read_csv(out / "directed_edges.csv")
    assert list(directed.columns) == ["user_1", "user_2", "weight"]
    assert set(map(tuple, directed.values.tolist())) == {("uid0", "uid1", 2), ("uid4", "uid5", 2), ("uid5", "uid4", 2)}
    # the run's edges: one per pair, both directions kept (n_content_id = lo -> hi, n_content_id_y = hi -> lo)
    edges = pd.read_csv(out / "edges.csv")
    assert list(edges.columns) == ["account_id", "account_id_y", "weight", "n_content_id", "n_content_id_y",
                                   "edge_symmetry_score", "weight_threshold"]
    rows = edges.astype(object).where(edges.notna(), None).values.tolist()
    assert rows == [["uid0", "uid1", 2, 2, None, 0.0, 1], ["uid4", "uid5", 2, 2, 2, 1.0, 1]]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["method"] == "qut" and summary["params"]["min_edge_weight"] == 2
    assert summary["params"]["network"] == "co_retweet" and summary["counts"]["edges"] == 2


def test_cosine_run_and_errors(tmp_path):
    out = tmp_path / "cos"
    res = runner.invoke(app, ["detect", str(_csv(tmp_path)), "--out", str(out), "--method", "cosine",
                              "--param", "tfidf=false", "--param", "min_features=1", "--param", "top_percentile=none"])
    assert res.exit_code == 0, res.output
    edges = pd.read_csv(out / "edges.csv")
    # one object per account except uid0 (rtid0 twice), uid2/uid3 (rtid1, rtid2), uid4/uid5 (rtid3, rtid4), uid10:
    # identical vectors: uid2-uid3 and uid4-uid5 (cos 1); uid0 and uid1 share only rtid0 (cos 1, both only rtid0);
    # uid11/uid12 share rtid6 (cos 1). Nothing else overlaps.
    assert set(map(tuple, edges[["account_id", "account_id_y"]].values.tolist())) == \
        {("uid0", "uid1"), ("uid2", "uid3"), ("uid4", "uid5"), ("uid11", "uid12")}
    assert (edges["weight"].round(12) == 1).all()
    bad = runner.invoke(app, ["detect", str(_csv(tmp_path)), "--out", str(out), "--method", "cosine",
                              "--param", "top_k=many"])
    assert bad.exit_code == 2 and "top_k" in bad.output
    bad = runner.invoke(app, ["detect", str(_csv(tmp_path)), "--out", str(out), "--method", "nope"])
    assert bad.exit_code == 2 and "--method" in bad.output
