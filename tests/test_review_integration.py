"""merge + review with the real engine (claim extractor, validators, knowledge base)."""

from __future__ import annotations

import importlib.util
import json

import pytest

from reality.review.merge import MergeConfig, merge, report_json
from reality.review.page import build_page
from tests.test_review_fakes import DATA

HAVE_ENGINE = importlib.util.find_spec("reality.validators.runner") is not None and importlib.util.find_spec(
    "reality.validators.claims"
) is not None
pytestmark = pytest.mark.skipif(not HAVE_ENGINE, reason="reality.validators (claims, runner) not built yet")


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    from reality.review.engine import Engine

    # The fixture's records are short on purpose: silence the word-count gates (R2xx).
    cfg = tmp_path_factory.mktemp("cfg") / "reality.toml"
    cfg.write_text('ignore = ["R2"]\n')
    return Engine.default(config_path=str(cfg))


def test_real_engine_finds_the_contradiction_and_tags(engine):
    result = merge([str(DATA / "reality_a.jsonl"), str(DATA / "reality_b.jsonl")], MergeConfig(), engine)
    assert len(result.records) == 5 and len(result.dropped) == 2
    (c,) = result.crossref.contradictions
    recs = result.records
    assert recs[c.a.record]["chosen"][slice(*c.a.claim.span)] == "about 6 GB"
    assert recs[c.b.record]["chosen"][slice(*c.b.claim.span)] == "10-12 GB"
    assert c.a.claim.kind == "memory" and c.to_json()["attrs"]["method"] == "qlora"
    tags = [r["confidence"] for r in recs]
    # record 1: 6 GB vs 10-12 GB (contradiction); record 3: judge score 4.2 near 4.0; record 5: the other side
    assert tags[0] == "low" and tags[2] == "low" and tags[4] == "low"
    assert tags[3] == "high"  # no numeric claim, no finding
    assert recs[3]["confidence_reasons"] == ["no numeric claims to check; no findings"]
    report = report_json(result)
    assert report["engine"]["kb"]["version"] and report["engine"]["rules"]
    json.dumps(report)


def test_real_engine_page(engine, tmp_path):
    result = merge([str(DATA / "reality_a.jsonl"), str(DATA / "reality_b.jsonl")], MergeConfig(), engine)
    from reality.review.merge import dump_jsonl

    dump_jsonl(result.records, tmp_path / "m.jsonl")
    page = build_page(tmp_path / "m.jsonl", tmp_path / "r.html", engine)
    assert page.records == 5
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert '"verdict":"ok"' in text and '"kind":"memory"' in text


def test_real_engine_tags_medium_when_a_checked_claim_rests_on_a_stale_price(engine, tmp_path):
    # The A100 price rows include a 2024 quote (stale after 12 months); a cost claim checked
    # against them passes (R306 records its sources) but rests on that stale price.
    record = {
        "prompt": "I want to fine-tune a 7B model with QLoRA on 5k examples for 3 epochs on an A100. Cost?",
        "chosen": "Fine-tuning a 7B model with QLoRA on 5k examples for 3 epochs on an A100 costs about $3-6.",
        "rejected": "It is cheap.",
    }
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(record) + "\n")
    result = merge([str(path)], MergeConfig(), engine)
    (rec,) = result.records
    assert rec["confidence"] == "medium", rec["confidence_reasons"]
    assert any("stale price" in reason for reason in rec["confidence_reasons"])
