"""Rules are data: schema, the shipped rules.yaml, select / ignore / tuning, `reality rules`/`explain`."""

import pytest

from reality.validators.config import ConfigError, ValidateConfig, config_from_table, find_config, load_config
from reality.validators.rules import (
    CHECKS,
    RulesError,
    RuleSet,
    builtin_rules,
    find_rule,
    parse_rules,
    render_template,
)

RULE = """
- id: R901
  name: demo
  title: Demo
  severity: error
  applies_to: record
  check: words.prompt
  condition: "{cond}"
  params: {{min_words: 80}}
  message: "{{words}} words"
  fix: f
  docs: {{passing: p, failing: f}}
"""


def test_builtin_rules_load_and_are_complete():
    rules = builtin_rules()
    ids = [r.id for r in rules]
    assert len(ids) == len(set(ids)) >= 25
    for r in rules:
        assert r.check in CHECKS
        assert r.title and r.fix and r.docs.passing and r.docs.failing
        assert r.severity in ("error", "warning", "info")
        assert r.applies_to in ("scenario", "claim", "record", "dataset")
    # every family the issue asks for is there
    for rid in ("R001", "R101", "R201", "R202", "R203", "R204", "R301", "R302", "R303", "R401", "R403", "R501", "R502", "R505"):
        assert rid in ids


def test_every_check_used_by_the_code_has_a_rule():
    used = {r.check for r in builtin_rules()}
    assert used == set(CHECKS)


def test_rule_with_forbidden_condition_is_refused():
    with pytest.raises(RulesError, match="only min"):
        parse_rules(RULE.format(cond="__import__('os').system('id')"))
    with pytest.raises(RulesError, match="not allowed"):
        parse_rules(RULE.format(cond="words.__class__"))
    with pytest.raises(RulesError, match="unknown name"):
        parse_rules(RULE.format(cond="secret > 1"))
    assert parse_rules(RULE.format(cond="words < min_words"))[0].fires({"words": 10})


def test_bad_message_placeholder_and_bad_yaml():
    bad = RULE.format(cond="words < 1").replace('"{words} words"', '"{words.__class__}"')
    with pytest.raises(RulesError, match="placeholder"):
        parse_rules(bad)
    with pytest.raises(RulesError, match="not valid YAML"):
        parse_rules("- id: [")
    with pytest.raises(RulesError, match="twice"):
        parse_rules(RULE.format(cond="words < 1") + RULE.format(cond="words < 2"))


def test_yaml_with_python_tags_is_not_executed():
    with pytest.raises(RulesError):
        parse_rules("- !!python/object/apply:os.system ['echo pwned']")


def test_render_template_only_fills_names():
    assert render_template("{a} and {b!r} and {c:.1f}", {"a": 1200, "b": "x", "c": 2.345}) == "1,200 and “x” and 2.3"
    assert render_template("{a.__class__}", {"a": 1}) == "{a.__class__}"


def test_select_ignore_severity_params():
    rs = RuleSet.build(select=["R2"], ignore=["R204"], severity={"R201": "warning"},
                       params={"R202": {"min_words": 10}})
    assert set(rs.all) == {"R201", "R202", "R203"}
    assert rs.all["R201"].severity == "warning"
    assert rs.all["R202"].params["min_words"] == 10
    rs = RuleSet.build(ignore=["near-duplicate"])  # names work too
    assert "R502" not in rs.all
    with pytest.raises(RulesError, match="unknown rule"):
        RuleSet.build(ignore=["R999"])
    with pytest.raises(ValueError, match="no parameter"):
        RuleSet.build(params={"R201": {"nonsense": 1}})


def test_rules_for_dataset_kind():
    features = RuleSet.build(dataset="features")
    reality = RuleSet.build(dataset="reality")
    assert features.active("features.unknown_feature") and not reality.active("features.unknown_feature")
    assert reality.active("claims.range") and not features.active("claims.range")


def test_config_from_pyproject_and_reality_toml(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.reality]\ndataset = "features"\ntolerance = 3\nignore = ["R204"]\n'
        '[tool.reality.words]\nprompt = [50, 150]\nratio = [1.5, 2.5]\n'
        '[tool.reality.severity]\nR302 = "info"\n'
        '[tool.reality.rules.R502]\nthreshold = 0.9\n'
        '[tool.reality.mix]\nscenario = {"basic usage" = 0.5, troubleshooting = 0.5}\n'
    )
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    assert find_config(sub) == tmp_path / "pyproject.toml"
    cfg = load_config(start=sub)
    assert cfg.dataset == "features" and cfg.effective_tolerance == 3
    rules = cfg.rules
    assert "R204" not in rules.all
    assert rules.all["R201"].params["min_words"] == 50
    assert rules.all["R502"].params["threshold"] == 0.9
    assert rules.all["R302"].severity == "info"
    assert rules.all["R505"].params["targets"] == {"basic usage": 0.5, "troubleshooting": 0.5}
    # reality.toml nearer wins
    (sub / "reality.toml").write_text('dataset = "reality"\n')
    assert find_config(sub) == sub / "reality.toml"
    assert load_config(start=sub).dataset == "reality"


def test_pyproject_without_tool_reality_is_skipped(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname='x'\n")
    assert find_config(tmp_path) is None or find_config(tmp_path) != tmp_path / "pyproject.toml"


@pytest.mark.parametrize(
    "table, match",
    [
        ({"bogus": 1}, "unknown key"),
        ({"dataset": "other"}, "dataset must be"),
        ({"mode": "ppo"}, "unknown mode"),
        ({"words": {"prompt": [120, 80]}}, "min <= max"),
        ({"select": ["R999"]}, "unknown rule"),
        ({"severity": {"R201": "fatal"}}, "severity"),
        ({"mix": {"scenario": {"a": 0.5, "b": 0.2}}}, "add up"),
        ({"tolerance": "2"}, "number"),
    ],
)
def test_bad_config_is_a_config_error(table, match):
    with pytest.raises(ConfigError, match=match):
        config_from_table(table, source="reality.toml")


def test_bad_toml(tmp_path):
    p = tmp_path / "reality.toml"
    p.write_text("dataset = [")
    with pytest.raises(ConfigError, match="TOML"):
        load_config(p)


def test_cli_tolerance_overrides_config():
    cfg = ValidateConfig(tolerance=3).updated(tolerance=1.5)
    assert cfg.rules.all["R301"].params["tolerance"] == 1.5
    assert cfg.rules.all["R305"].params["tolerance"] == 1.5


def test_find_rule_by_id_or_name():
    assert find_rule("r301").name == "claim-out-of-range"
    assert find_rule("near-duplicate").id == "R502"
    assert find_rule("R999") is None
