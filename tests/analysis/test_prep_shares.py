"""prep_shares/read_shares: renaming, time parsing, clear errors, blank objects counted."""
import pandas as pd
import pytest

from coordgraph.analysis import ShareError, detect_groups, prep_shares, read_shares
from tests.fixtures_coortweet import TOY


def test_renames_and_parses_every_time_format():
    frame = pd.DataFrame({
        "url": ["x", "x", "x", "x"], "user": ["a", "b", "c", "d"], "post": ["1", "2", "3", "4"],
        "when": ["1609459210", "2021-01-01T00:00:10Z", "2021-01-01 00:00:10", "2021-01-01T01:00:10+01:00"],
    })
    shares = prep_shares(frame, object_id="url", account_id="user", content_id="post", timestamp_share="when")
    assert list(shares.columns) == ["object_id", "account_id", "content_id", "timestamp_share"]
    assert shares["timestamp_share"].tolist() == [1609459210] * 4  # CooRTweet T8: UTC epoch


def test_float_seconds_are_truncated():
    frame = pd.DataFrame({"object_id": ["x"], "account_id": ["a"], "content_id": ["1"], "timestamp_share": [5.9]})
    assert prep_shares(frame)["timestamp_share"].tolist() == [5]


def test_bad_time_names_the_column_and_row():
    frame = pd.DataFrame({"object_id": ["x", "y"], "account_id": ["a", "b"], "content_id": ["1", "2"],
                          "timestamp_share": ["100", "yesterday"]})
    with pytest.raises(ShareError, match=r"timestamp_share.*row 2 \('yesterday'\)"):
        prep_shares(frame)


def test_missing_column_is_named():
    with pytest.raises(ShareError, match="'account_id'"):
        prep_shares(pd.DataFrame({"object_id": [], "content_id": [], "timestamp_share": []}))


def test_blank_account_is_an_error():
    frame = pd.DataFrame({"object_id": ["x"], "account_id": [" "], "content_id": ["1"], "timestamp_share": [1]})
    with pytest.raises(ShareError, match="account_id.*row 1"):
        prep_shares(frame)


def test_blank_objects_are_dropped_and_counted():
    frame = pd.DataFrame({"object_id": ["", None, "  ", "u"], "account_id": list("abcd"),
                          "content_id": list("1234"), "timestamp_share": [1, 2, 3, 4]})
    with pytest.warns(UserWarning, match="dropped 3"):
        shares = prep_shares(frame)
    assert shares.attrs["dropped_blank_objects"] == 3 and shares["object_id"].tolist() == ["u"]
    # the empty URL never links posts
    assert detect_groups(prep_shares(frame.iloc[:2].assign(object_id=["u", "u"])), 10, 1).shape[0] == 1


def test_ids_stay_strings(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("object_id,account_id,content_id,timestamp_share\n"
                    "1234567890123456789,007,1,10\n1234567890123456789,8,2,12\n")
    shares = read_shares(path)
    assert shares["object_id"][0] == "1234567890123456789" and shares["account_id"][0] == "007"


def test_read_shares_reports_the_file(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("object_id,account_id,content_id\nx,a,1\n")
    with pytest.raises(ShareError, match="bad.csv.*timestamp_share"):
        read_shares(path)
    path.write_text("object_id,account_id,content_id,timestamp_share\nx,a,1,10\nx,b,2,soon\n")
    with pytest.raises(ShareError, match=r"bad.csv: column 'timestamp_share'.*line 3 \('soon'\)"):
        read_shares(path)


def test_read_shares_parquet_and_gzip_round_trip(tmp_path):
    shares = read_shares(TOY / "T1_input.csv")
    shares.to_parquet(tmp_path / "s.parquet")
    shares.to_csv(tmp_path / "s.csv.gz", index=False)
    for name in ("s.parquet", "s.csv.gz"):
        again = read_shares(tmp_path / name)
        assert again[["object_id", "account_id", "content_id", "timestamp_share"]].equals(shares)


@pytest.mark.parametrize("data, name", [
    (b'[{"id": 1, "text": "a, b, c"}]', "posts.json"),
    (b'\xef\xbb\xbf\n  {"data": [{"id": "1"}]}\n', "page.jsonl"),
    (None, "posts.jsonl.gz"),
])
def test_posts_given_as_a_share_table_are_named_json(tmp_path, data, name):
    """A posts file is not read as a CSV (one "column" per comma: a 10 MB array took 60 s and
    printed every one of its 50,000 fields): the error says JSON and how to make shares."""
    import gzip

    path = tmp_path / name
    path.write_bytes(gzip.compress(b'{"id": "1"}\n') if data is None else data)
    with pytest.raises(ShareError, match=r"is JSON \(posts\?\), not a share table.*coordgraph shares"):
        read_shares(path)


def test_missing_columns_message_lists_a_few_columns(tmp_path):
    """A wide table's error names its first 12 columns, shortened, and how many there are."""
    path = tmp_path / "wide.csv"
    header = [f"c{i}" for i in range(11)] + ["y" * 100] + [f"d{i}" for i in range(500)]
    path.write_text(",".join(header) + "\n" + ",".join("1" * len(header)) + "\n")
    with pytest.raises(ShareError) as err:
        read_shares(path)
    message = str(err.value)
    assert "'c10', '" + "y" * 40 + "'... and 500 more (512 columns)" in message
    assert "d0" not in message and len(message) < 600
