"""`reality merge`: schemas, duplicates with provenance, contradictions, confidence tags, card."""

from __future__ import annotations

import json
import random
import shutil
import time

import pytest
import yaml

from reality.cli import main
from reality.review.confidence import ConfidenceConfig, FactIndex
from reality.review.crossref import ClaimRef, cross_reference
from reality.review.dedup import find_duplicates
from reality.review.merge import MergeConfig, merge, report_json
from reality.review.modes import InputError
from tests.test_review_fakes import DATA, FakeClaim, fake_engine

A, B = str(DATA / "reality_a.jsonl"), str(DATA / "reality_b.jsonl")


def read(path):
    return [json.loads(line) for line in open(path, encoding="utf-8")]


# ----------------------------------------------------------------------------- duplicates
def test_duplicates_across_files_dropped_with_provenance():
    result = merge([A, B], MergeConfig(), fake_engine())
    assert [r["provenance"] for r in result.records] == [
        {"file": A, "line": 1}, {"file": A, "line": 2}, {"file": A, "line": 3}, {"file": A, "line": 4}, {"file": B, "line": 3},
    ]
    dropped = {(d["file"], d["line"]): d for d in result.dropped}
    assert set(dropped) == {(B, 1), (B, 2)}
    assert dropped[(B, 1)]["kind"] == "exact" and dropped[(B, 1)]["kept"]["line"] == 1
    assert f"of {A}:1" in dropped[(B, 1)]["reason"]
    assert dropped[(B, 2)]["kind"] == "near" and dropped[(B, 2)]["kept"] == {"file": A, "line": 2, "id": result.records[1]["id"]}
    assert 0.8 <= dropped[(B, 2)]["similarity"] < 1
    assert "near duplicate" in dropped[(B, 2)]["reason"]


def test_exact_only_keeps_near_duplicates():
    result = merge([A, B], MergeConfig(near_threshold=None), None)
    assert [(d["line"], d["kind"]) for d in result.dropped] == [(1, "exact")]


def test_near_duplicates_scale_and_thresholds():
    rng = random.Random(7)
    vocab = [f"w{i}" for i in range(3000)]
    base = [" ".join(rng.choice(vocab) for _ in range(120)) for _ in range(3000)]
    texts = list(base)
    for i in range(0, 3000, 100):  # 30 near copies: 2 words of 120 changed (Jaccard ~0.84)
        words = base[i].split()
        for j in (10, 100):
            words[j] = "changed"
        texts.append(" ".join(words))
    far = base[1].split()
    for j in range(0, 120, 15):  # 8 words changed: Jaccard ~0.5, not a duplicate
        far[j] = "other"
    texts.append(" ".join(far))
    texts.append(base[5].upper())  # exact modulo case
    start = time.perf_counter()
    dups = find_duplicates(texts, 0.8)
    elapsed = time.perf_counter() - start
    assert {(d.index, d.of, d.kind) for d in dups} == {(3000 + k, 100 * k, "near") for k in range(30)} | {(3031, 5, "exact")}
    assert elapsed < 10  # linear: a pairwise comparison of 3,031 texts would take far longer


# ----------------------------------------------------------------------------- schemas
def test_mixed_modes_are_a_clear_error(tmp_path):
    with pytest.raises(InputError, match=r"different modes .*features_sft.jsonl is sft"):
        merge([A, str(DATA / "features_sft.jsonl")])
    with pytest.raises(InputError, match="pass --mode dpo"):
        merge([A, str(DATA / "reality_modpo.jsonl")])
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"prompt": "p", "chosen": "c", "rejected": "r"}\n{"prompt": "p", "chosen": 3, "rejected": "r"}\n')
    with pytest.raises(InputError, match=r"bad.jsonl:2: field 'chosen' must be a string"):
        merge([str(bad)])
    bad.write_text('{"prompt": "p", "chosen": "c", "rejected": "r"}\nnot json\n')
    with pytest.raises(InputError, match=r"bad.jsonl:2: not valid JSON"):
        merge([str(bad)])


def test_projection_mo_dpo_to_dpo_and_column_union():
    result = merge([A, str(DATA / "reality_modpo.jsonl")], MergeConfig(mode="dpo"), None)
    assert result.mode == "dpo"
    cols = list(result.records[0])
    assert cols[:3] == ["prompt", "chosen", "rejected"]
    assert cols[-4:] == ["id", "provenance", "confidence", "confidence_reasons"]
    assert "chosen_scores" not in cols and "rejected_scores" not in cols
    assert result.records[-1]["preference_margin"] == 3.0 and result.records[0]["preference_margin"] is None
    assert all(list(r) == cols for r in result.records)  # one schema: missing columns are null
    assert "chosen_score_total" in cols  # a judge score the inputs carry is kept (and read by the tagger)


# ----------------------------------------------------------------------------- contradictions
def test_contradiction_reported_with_both_spans():
    result = merge([A, B], MergeConfig(), fake_engine())
    (c,) = result.crossref.contradictions
    recs = result.records
    a, b = c.a, c.b
    assert (recs[a.record]["provenance"]["line"], recs[b.record]["provenance"]["file"]) == (1, B)
    assert recs[a.record]["chosen"][slice(*a.claim.span)] == "6 GB"
    assert recs[b.record]["chosen"][slice(*b.claim.span)] == "10-12 GB"
    j = c.to_json()
    assert j["subject"] == "7b qlora" and j["kind"] == "memory"
    assert j["a"]["span"] == list(a.claim.span) and j["b"]["field"] == "chosen"
    for r in (recs[a.record], recs[b.record]):
        assert r["confidence"] == "low" and any(x.startswith("contradicts") for x in r["confidence_reasons"])


def _claim(low, high, subject="7b qlora", kind="memory", quals=frozenset()):
    return FakeClaim(kind, low, high, "GB", (0, 4), f"{low}-{high}", quals, subject)


def test_crossref_slack_qualifiers_and_same_record():
    refs = [
        ClaimRef(0, "a", "chosen", _claim(16, 16)),
        ClaimRef(1, "b", "chosen", _claim(17, 17)),  # within 10% slack: agrees
        ClaimRef(2, "c", "chosen", _claim(24, 24, quals=frozenset({"+"}))),  # "24 GB+" overlaps everything above
        ClaimRef(3, "d", "chosen", _claim(40, 40, subject="13b qlora")),  # another subject
        ClaimRef(0, "a", "chosen", _claim(30, 30)),  # same record as the first: not a pair with it
    ]
    got = {(c.a.record_id, c.b.record_id) for c in cross_reference(refs).contradictions}
    # 16 vs 17 agree (slack); 16 and 17 are below "24+"; 17 contradicts record a's other claim (30);
    # a's 16 and 30 are one record's; d is another subject.
    assert got == {("a", "c"), ("b", "c"), ("b", "a")}


def test_crossref_caps_pairs_per_group():
    refs = [ClaimRef(i, str(i), "chosen", _claim(2**i, 2**i)) for i in range(30)]
    res = cross_reference(refs, max_pairs_per_group=5)
    assert len(res.contradictions) == 5 and res.omitted == 30 * 29 // 2 - 5


# ----------------------------------------------------------------------------- confidence
def _write(path, recs):
    path.write_text("".join(json.dumps(r) + "\n" for r in recs))
    return str(path)


def test_tags_match_hand_worked_expectations(tmp_path):
    filler = " Keep a held-out split and compare checkpoints before the full run."
    recs = [
        {"prompt": "How much memory for 13B QLoRA?", "chosen": "A 13B model with QLoRA needs 12-14 GB of VRAM." + filler, "rejected": "Lots."},
        {"prompt": "Price?", "chosen": "At the old price a 7B QLoRA run costs $20-40." + filler, "rejected": "Cheap."},
        {"prompt": "Memory?", "chosen": "I am unsure, but it needs 20 GB." + filler, "rejected": "Some."},
        {"prompt": "Big one?", "chosen": "A 70B model with LoRA needs 400 GB." + filler, "rejected": "More."},
        {"prompt": "Judge?", "chosen": "Use the dashboard to start a job." + filler, "rejected": "Click.", "chosen_score_total": 4.2},
        {"prompt": "No numbers here?", "chosen": "Open Settings, then Datasets, and upload the file." + filler, "rejected": "Upload it."},
        {"prompt": "TOO SHORT", "chosen": "Open the Jobs page and press Start." + filler, "rejected": "Press start."},
        {"prompt": "Tight?", "chosen": "At the edge of range a 3B LoRA job needs 8 GB." + filler, "rejected": "8."},
    ]
    path = _write(tmp_path / "t.jsonl", recs)
    result = merge([path], MergeConfig(), fake_engine())
    got = [(r["confidence"], r["confidence_reasons"]) for r in result.records]
    assert got[0] == ("high", ["1 numeric claim checked against sourced, current facts, all in range"])
    assert got[1][0] == "medium" and got[1][1] == ["rests on stale price price-old (as of 2023-01-01)"]
    assert got[2][0] == "low" and "unverifiable" in got[2][1][0]
    assert got[3][0] == "low" and "out of range (R301)" in got[3][1][0]
    assert got[4] == ("low", ["judge score 4.2 near the threshold 4 (margin 0.5)"])
    assert got[5] == ("high", ["no numeric claims to check; no findings"])
    assert got[6] == ("medium", ["R201: prompt has 3 words"])
    assert got[7][0] == "low" and "borderline (expected 12-14.4 GB)" in got[7][1][0]
    assert result.confidence_counts == {"high": 2, "medium": 2, "low": 4}

    only_high = merge([path], MergeConfig(min_confidence="medium"), fake_engine())
    assert [r["confidence"] for r in only_high.records] == ["high", "medium", "high", "medium"]
    assert only_high.filtered == 4


def test_fact_index_from_kb_flags_stale_prices_and_assumptions():
    import datetime as dt
    from types import SimpleNamespace as NS

    kb = NS(
        prices=[NS(id="old", source="vendor page A", as_of=dt.date(2024, 1, 1)), NS(id="new", source="vendor page B", as_of=dt.date(2025, 10, 1))],
        sections={"defaults": [NS(id="guess", assumption=True, reasoning="no public figure")], "prices": []},
    )
    facts = FactIndex.from_kb(kb, today=dt.date(2025, 11, 25), stale_months=12)
    assert facts.flags("vendor page A")[0].startswith("stale price old")
    assert facts.flags("see old")[0] is not None  # ids are found inside longer source strings
    assert facts.flags("vendor page B") == (None, None)
    assert facts.flags("guess")[1] == "assumption guess: no public figure"
    assert ConfidenceConfig().stale_months == 12


# ----------------------------------------------------------------------------- CLI + card
def test_cli_merge_writes_output_report_and_card(tmp_path, capsys):
    for name in ("reality_a.jsonl", "reality_b.jsonl", "summary.json"):
        shutil.copy(DATA / name, tmp_path / name)
    out = tmp_path / "out" / "merged.jsonl"
    out.parent.mkdir()
    code = main(["merge", str(tmp_path / "reality_a.jsonl"), str(tmp_path / "reality_b.jsonl"), "-o", str(out), "--no-engine"])
    assert code == 0
    text = capsys.readouterr().out
    assert "dropped" in text and "reality_b.jsonl:1" in text and "exact duplicate" in text
    merged = read(out)
    assert len(merged) == 5
    assert [r["confidence"] for r in merged] == ["high", "high", "low", "high", "high"]  # judge score 4.2 < 4.5
    report = json.loads((tmp_path / "out" / "merged.jsonl.report.json").read_text())
    assert report["summary"]["duplicates_dropped"] == 2
    card = (tmp_path / "out" / "README.md").read_text()
    head = yaml.safe_load(card.split("---\n")[1])
    assert head["configs"][0]["data_files"][0]["path"] == "merged.jsonl"
    assert head["size_categories"] == ["n<1K"] and "dpo" in head["tags"]
    assert "| high | 4 | 4 |" in card and "| low | 1 | 1 |" in card and "| duplicates dropped | 2 |" in card
    assert "`gpt-4o (main)`" in card and "Spend: $1.84 for 123,456 tokens" in card


def test_cli_card_refuses_foreign_readme_and_usage_errors(tmp_path, capsys):
    (tmp_path / "README.md").write_text("# my project\n")
    code = main(["merge", A, "-o", str(tmp_path / "m.jsonl"), "--no-engine"])
    assert code == 2 and "not written by `reality merge`" in capsys.readouterr().err
    assert (tmp_path / "README.md").read_text() == "# my project\n"
    assert main(["merge", A, str(DATA / "features_sft.jsonl"), "-o", str(tmp_path / "x.jsonl"), "--no-engine"]) == 2
    assert "different modes" in capsys.readouterr().err
    assert main(["merge", str(tmp_path / "missing.jsonl"), "-o", str(tmp_path / "x.jsonl"), "--no-engine"]) == 2


def test_report_json_is_serialisable():
    result = merge([A, B], MergeConfig(), fake_engine())
    report = report_json(result)
    json.dumps(report)
    assert report["summary"]["contradictions"] == 1
    assert report["thresholds"]["near_duplicate_jaccard"] == 0.8
