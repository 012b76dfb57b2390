"""The QUT toolkit's networks on its own test data (tests/data/coretweet_test_input.csv of
coordination-network-toolkit), with every edge worked out by hand from its SQL:
directed, weight = distinct messages of user_1 matched by another message of user_2 on the same
object within the window (inclusive), self-loops only with loops=True.

message user  object time | message user object time
0   uid0  rtid0  0        | 8   uid4  rtid4  40
1   uid1  rtid0  59       | 9   uid5  rtid4  41
2   uid2  rtid1  60       | 10  uid10 rtid5  42
3   uid3  rtid1  70       | 11  uid10 rtid5  52
4   uid2  rtid2  70       | 12  uid11 rtid6  42
5   uid3  rtid2  131      | 13  uid12 rtid6  300
6   uid4  rtid3  30       | 14  uid0  rtid0  1
7   uid5  rtid3  89
"""
import pandas as pd
import pytest

from coordgraph.analysis.methods.qut import qut_network

ROWS = [(0, "uid0", "rtid0", 0), (1, "uid1", "rtid0", 59), (2, "uid2", "rtid1", 60), (3, "uid3", "rtid1", 70),
        (4, "uid2", "rtid2", 70), (5, "uid3", "rtid2", 131), (6, "uid4", "rtid3", 30), (7, "uid5", "rtid3", 89),
        (8, "uid4", "rtid4", 40), (9, "uid5", "rtid4", 41), (10, "uid10", "rtid5", 42), (11, "uid10", "rtid5", 52),
        (12, "uid11", "rtid6", 42), (13, "uid12", "rtid6", 300), (14, "uid0", "rtid0", 1)]


@pytest.fixture
def shares():
    frame = pd.DataFrame(ROWS, columns=["content_id", "account_id", "object_id", "timestamp_share"])
    frame["content_id"] = frame["content_id"].astype(str)
    return frame[["object_id", "account_id", "content_id", "timestamp_share"]]


def edges(frame):
    return {(a, b): w for a, b, w in frame.itertuples(index=False)}


def test_co_retweet_window_60_with_loops(shares):
    # rtid0: uid0's messages 0 and 14 both meet uid1's 59 -> uid0->uid1 2, uid1->uid0 1; 0 and 14 meet each other
    # rtid3 (59 s) and rtid4 (1 s): uid4 <-> uid5 2 each; rtid2 61 s apart and rtid6 258 s: nothing
    want = {("uid0", "uid0"): 2, ("uid0", "uid1"): 2, ("uid1", "uid0"): 1, ("uid10", "uid10"): 2,
            ("uid2", "uid3"): 1, ("uid3", "uid2"): 1, ("uid4", "uid5"): 2, ("uid5", "uid4"): 2}
    assert edges(qut_network(shares, "co_retweet", 60, loops=True)) == want
    no_loops = {k: v for k, v in want.items() if k[0] != k[1]}
    assert edges(qut_network(shares, "co_retweet", 60)) == no_loops


def test_the_toolkits_own_node_counts(shares):
    # tests/test_graph_construction.py: (window, min weight, loops) -> nodes
    for (window, min_weight, loops), nodes in [((1, 1, False), 2), ((1, 1, True), 3), ((1, 2, False), 0),
                                               ((1, 2, True), 1), ((60, 1, False), 6), ((60, 1, True), 7)]:
        net = qut_network(shares, "co_retweet", window, min_edge_weight=min_weight, loops=loops)
        assert len(set(net.user_1) | set(net.user_2)) == nodes, (window, min_weight, loops)


def test_window_is_inclusive(shares):
    # at 59 s rtid3 (30 -> 89) still counts; at 58 s it does not, and only message 14 (1 -> 59) meets uid1
    assert edges(qut_network(shares, "co_retweet", 59))[("uid4", "uid5")] == 2
    got = edges(qut_network(shares, "co_retweet", 58))
    assert got[("uid4", "uid5")] == 1 and got[("uid0", "uid1")] == 1 and got[("uid1", "uid0")] == 1


def test_distinct_messages_and_duplicate_rows(shares):
    # message 9 repeated (same content, same object) counts once; a second object on message 8 adds
    # no message: uid4->uid5 stays at 2 distinct messages (6 and 8)
    extra = pd.DataFrame([("rtid4", "uid5", "9", 41), ("rtid9", "uid4", "8", 40), ("rtid9", "uid5", "9", 40)],
                         columns=shares.columns)
    got = edges(qut_network(pd.concat([shares, extra]), "co_link", 60))
    assert got[("uid4", "uid5")] == 2 and got[("uid5", "uid4")] == 2


def test_kind_column_selects_the_intent(shares):
    tagged = shares.assign(kind="retweets")
    tagged.loc[tagged.object_id == "rtid4", "kind"] = "urls"
    assert edges(qut_network(tagged, "co_retweet", 1)) == {}
    assert edges(qut_network(tagged, "co_link", 1)) == {("uid4", "uid5"): 1, ("uid5", "uid4"): 1}


def test_co_post_window_1(shares):
    # messages within 1 s of each other whatever the object: 8-9, 9-10, 9-12, 10-12, 1-2, 3-4 (and 0-14, a loop)
    pairs = [("uid4", "uid5"), ("uid5", "uid10"), ("uid5", "uid11"), ("uid10", "uid11"), ("uid1", "uid2"),
             ("uid3", "uid2")]
    want = {p: 1 for a, b in pairs for p in ((a, b), (b, a))}
    assert edges(qut_network(shares, "co_post", 1)) == want


def test_errors(shares):
    with pytest.raises(ValueError, match="network must be"):
        qut_network(shares, "co_tweet")
    assert qut_network(shares.iloc[:0], "co_retweet").empty


def test_undirected_layout_keeps_both_directions(shares):
    from coordgraph.analysis.methods.qut import directed_edges, undirected_edges

    # window 60 with loops: uid0->uid1 2 / uid1->uid0 1 -> one row (2, 2, 1, 0.5); loops uid0 and uid10 (2)
    net = qut_network(shares, "co_retweet", 60, loops=True)
    und = undirected_edges(net)
    rows = {(a, b): (w, int(f), int(r), s) for a, b, w, f, r, s in und.itertuples(index=False)}
    assert rows == {("uid0", "uid0"): (2, 2, 2, 1.0), ("uid0", "uid1"): (2, 2, 1, 0.5),
                    ("uid10", "uid10"): (2, 2, 2, 1.0), ("uid2", "uid3"): (1, 1, 1, 1.0),
                    ("uid4", "uid5"): (2, 2, 2, 1.0)}
    assert edges(directed_edges(und)) == edges(net)
    # a direction below min_edge_weight is missing (NA), not 0, and stays missing on the way back
    two = qut_network(shares, "co_retweet", 60, min_edge_weight=2)
    und = undirected_edges(two)
    assert und.loc[und.account_id == "uid0", "n_content_id_y"].isna().all()
    assert edges(directed_edges(und)) == {("uid0", "uid1"): 2, ("uid4", "uid5"): 2, ("uid5", "uid4"): 2}
