"""The judge parser never raises and reads what real judges return."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # tests/stub_server.py, tests/generator_fixtures.py

from hypothesis import given
from hypothesis import strategies as st

from reality.generator.judge import parse_judge
from reality.generator.prompts import allocate, parse_list

CRIT = ["accuracy", "clarity"]


def test_strict_json_with_reasoning():
    r = parse_judge('{"accuracy": {"score": 5, "reasoning": "ok"}, "clarity": {"score": 3, "reasoning": "meh"}}', CRIT)
    assert r.ok and r.total == 4.0 and r.scores["accuracy"]["reasoning"] == "ok"


def test_fenced_trailing_commas_bare_keys_fractions():
    r = parse_judge("Here you go:\n```json\n{accuracy: '4/5', clarity: 4.5,}\n```", CRIT)
    assert r.ok and r.scores["accuracy"]["score"] == 4.0 and r.scores["clarity"]["score"] == 4.5


def test_wrapped_and_out_of_range():
    r = parse_judge('{"scores": {"accuracy": 9, "clarity": 0}}', CRIT)
    assert r.scores["accuracy"]["score"] == 5.0 and r.scores["clarity"]["score"] == 1.0


def test_partial_and_garbage():
    r = parse_judge('{"accuracy": {"score": "n/a"}, "clarity": 4}', CRIT)
    assert r.ok and r.missing == ["accuracy"] and r.total == 4.0
    assert not parse_judge("I cannot evaluate this.", CRIT).ok
    assert not parse_judge("", CRIT).ok


def test_truncated_json_and_regex_fallback():
    assert parse_judge('{"accuracy": {"score": 4, "reasoning": "fine"}, "clarity": {"score": 2, "reas', CRIT).ok
    r = parse_judge("accuracy: 4\nclarity = 5", CRIT)
    assert r.total == 4.5


@given(st.text(max_size=300))
def test_never_raises(text):
    r = parse_judge(text, CRIT)
    assert r.total is None or 1.0 <= r.total <= 5.0


def test_parse_list_and_allocation():
    import random

    assert parse_list('```json\n["a", "b"]\n```') == ["a", "b"]
    assert parse_list('{"items": ["a", "b"]}') == ["a", "b"]
    assert parse_list("1. a\n2. b") == ["a", "b"]
    mix = allocate({"basic": 40, "trouble": 30, "failure": 20, "edge": 10}, 100, random.Random(1))
    assert [mix.count(k) for k in ("basic", "trouble", "failure", "edge")] == [40, 30, 20, 10]
    assert allocate({"a": 1, "b": 1}, 5, random.Random(1)) == allocate({"a": 1, "b": 1}, 5, random.Random(1))
