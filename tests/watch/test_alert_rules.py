"""Alert rules files: TOML and JSON read the same; mistakes name the file, the rule and the field."""
from __future__ import annotations

import json

import pytest

from coordgraph.live.alerts import RuleError, load_rules

TOML = """
[[rules]]
name = "big"
type = "community"
metric = "score"
above = 0.5

[[rules]]
type = "watched_account"
accounts = ["a1", 2]
"""


def test_toml_and_json_give_the_same_rules(tmp_path):
    (tmp_path / "r.toml").write_text(TOML)
    (tmp_path / "r.json").write_text(json.dumps({"rules": [
        {"name": "big", "type": "community", "metric": "score", "above": 0.5},
        {"type": "watched_account", "accounts": ["a1", 2]}]}))
    rules = load_rules(tmp_path / "r.toml")
    assert rules == load_rules(tmp_path / "r.json")
    assert rules[0] == {"name": "big", "type": "community", "metric": "score", "bound": "above", "value": 0.5}
    assert rules[1] == {"name": "rule 2", "type": "watched_account", "accounts": ["a1", "2"], "above_threshold": False}


@pytest.mark.parametrize("body, message", [
    ('[[rules]]\ntype = "clique"', r"rule 1 \(rule 1\): field 'type' must be one of"),
    ('[[rules]]\ntype = "component"\nmetric = "size"', "give exactly one of the fields 'above' or 'at_least'"),
    ('[[rules]]\nname = "x"\ntype = "community"\nmetric = "colour"\nabove = 1', r"rule 1 \(x\): field 'metric'"),
    ('[[rules]]\ntype = "component"\nat_least = "five"', "field 'at_least' must be a number"),
    ('[[rules]]\ntype = "watched_account"', "field 'accounts' must be a non-empty list"),
    ("rules = [", "not valid TOML"),
])
def test_mistakes_name_file_rule_and_field(tmp_path, body, message):
    path = tmp_path / "rules.toml"
    path.write_text(body)
    with pytest.raises(RuleError, match=message) as err:
        load_rules(path)
    assert str(path) in str(err.value)
