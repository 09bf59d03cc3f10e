"""End to end through litellm against the local stub: modes, judge, retries, budget, repair, cache."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # tests/stub_server.py, tests/generator_fixtures.py

from generator_fixtures import *  # noqa: E402,F403
from generator_fixtures import SECRET, read_rows, write_config  # noqa: E402

from reality.generator.config import load_config  # noqa: E402
from reality.generator.pipeline import Generator  # noqa: E402

TRL_COLUMNS = {
    ("sft", "prompt-completion"): ["prompt", "completion"],
    ("sft", "messages"): ["messages"],
    ("dpo", None): ["prompt", "chosen", "rejected"],
    ("kto", None): ["prompt", "completion", "label"],
    ("mo-dpo", None): ["prompt", "chosen", "rejected", "chosen_scores", "rejected_scores",
                       "chosen_score_total", "rejected_score_total", "preference_margin", "margin"],
}


def run_gen(path: Path, **kw):
    cfg = load_config(path)
    kw.setdefault("validator", None)
    kw.setdefault("grounder", None)
    kw.setdefault("progress", False)
    gen = Generator(cfg, **kw)
    return asyncio.run(gen.run_async())


@pytest.mark.parametrize(
    "mode,fmt,sft_format",
    [("sft", "standard", "prompt-completion"), ("sft", "conversational", "messages"), ("dpo", "standard", None),
     ("dpo", "conversational", None), ("kto", "standard", None), ("mo-dpo", "standard", None)],
)
def test_modes_load_with_datasets_and_have_trl_columns(tmp_path, stub, mode, fmt, sft_format):
    datasets = pytest.importorskip("datasets")
    gen = {"format": fmt} | ({"sft_format": sft_format} if sft_format else {})
    res = run_gen(write_config(tmp_path, stub, mode=mode, extra={"generation": gen}))
    assert res.stop_reason == "completed"
    ds = datasets.load_dataset("json", data_files=str(res.output), split="train")
    assert ds.column_names == TRL_COLUMNS[(mode, sft_format if mode == "sft" else None)]
    assert len(ds) == 6 * (2 if mode == "kto" else 1)
    row = ds[0]
    if mode == "kto":
        assert sorted(ds["label"]) == [False] * 6 + [True] * 6
    if fmt == "conversational" and mode == "dpo":
        assert row["prompt"][-1]["role"] == "user" and row["chosen"][0]["role"] == "assistant"
    if mode == "mo-dpo":
        assert row["preference_margin"] == pytest.approx(row["chosen_score_total"] - row["rejected_score_total"])
        assert row["margin"] == row["preference_margin"]
        assert set(row["chosen_scores"]) == {"factual_accuracy", "actionability", "clarity"}
        assert row["chosen_scores"]["clarity"]["reasoning"]
    prompts = [r["prompt"] if isinstance(r.get("prompt"), str) else json.dumps(r.get("prompt") or r.get("messages")) for r in read_rows(res.output)]
    assert len(set(prompts)) == 6  # de-duplicated prompts, one record each
    summary = json.loads(res.summary_path.read_text())
    assert summary["records_written"] == 6 and summary["columns"] == TRL_COLUMNS[(mode, sft_format if mode == "sft" else None)]


def test_personas_and_scenarios_sampled_with_seed(tmp_path, stub):
    path = write_config(tmp_path, stub, extra={"generation": {"num_subtopics": 4, "num_prompts_per_subtopic": 5}})
    run_gen(path)
    plan = [json.loads(x) for x in (tmp_path / "out" / "dataset.jsonl.state" / "plan.jsonl").read_text().splitlines()]
    scen = [p["scenario"] for p in plan]
    assert len(plan) == 20
    assert sorted(scen.count(s) for s in set(scen)) == [2, 4, 6, 8]  # exactly 40/30/20/10
    assert len({p["persona"] for p in plan}) >= 5
    prompt_requests = [r.text for r in stub.requests if "user prompt" in r.text]
    assert any("Solo developer" in t for t in prompt_requests)


def test_judge_filtering_runs_in_parallel_and_filters(tmp_path, stub):
    # one chosen answer scores low: only that pair is dropped
    stub.add_rule(match=lambda b: "RESPONSE" in json.dumps(b) and "Prompt 2:" in json.dumps(b), content='{"factual_accuracy": 1, "actionability": 1, "clarity": 1}', times=None)
    res = run_gen(write_config(tmp_path, stub, judge=True))
    s = res.summary
    assert s["judge_filtered"] == 1 and s["dropped"] == {"judge_filtered": 1}
    assert s["records_written"] == 5
    assert stub.count("<<<RESPONSE") == 12


def test_malformed_judge_json_is_tolerated(tmp_path, stub):
    judge = lambda b: "<<<RESPONSE" in json.dumps(b)  # noqa: E731
    stub.add_rule(match=lambda b: judge(b) and "Prompt 4:" in json.dumps(b), content="no json at all", times=None)
    stub.add_rule(match=judge, content="```json\n{factual_accuracy: 5, actionability: '5/5', clarity: 5,}\n```", times=3)
    stub.add_rule(match=judge, content="Sorry, I cannot rate this.", times=1)  # first attempt fails, retried
    res = run_gen(write_config(tmp_path, stub, judge=True, extra={"judge": {"max_rejected_score": 5.0}}))
    s = res.summary
    assert s["records_written"] == 5  # one bad judge output never drops the batch
    assert s["dropped"] == {"judge_unparseable": 1}


def test_429_retry_after_500_timeout_malformed_body(tmp_path, stub):
    stub.add_rule(status=429, headers={"Retry-After": "0.3"}, times=2, model="stub-main")
    stub.add_rule(status=500, times=2, model="stub-rejected")
    stub.add_rule(status=503, times=1, model="stub-rejected")
    stub.add_rule(raw="{not json", times=1, model="stub-main")
    stub.add_rule(hang=3, times=1, model="stub-rejected")
    res = run_gen(write_config(tmp_path, stub, extra={"runtime": {"request_timeout_seconds": 0.5}}))
    s = res.summary
    assert s["stop_reason"] == "completed" and s["records_written"] == 6
    main, rej = s["models"]["openai/stub-main"], s["models"]["openai/stub-rejected"]
    assert main["rate_limited"] == 2 and main["server_errors"] == 1
    assert rej["server_errors"] == 3 and rej["timeouts"] == 1
    assert s["retries"] == 7
    # 429s paused the model's limiter for Retry-After: the next request came >= 0.3 s later
    times = [r.t for r in stub.requests if r.model == "stub-main"]
    first_429 = next(r.t for r in stub.requests if r.status == 429)
    later = [t for t in times if t > first_429]
    assert later and min(later) - first_429 >= 0.25


def test_truncated_output_retried_then_dropped(tmp_path, stub):
    stub.add_rule(model="stub-main", content="cut off mid", finish_reason="length", times=1)
    stub.add_rule(match=lambda b: b["model"] == "stub-rejected" and "Prompt 4:" in json.dumps(b), content="cut", finish_reason="length", times=None)
    res = run_gen(write_config(tmp_path, stub, extra={"runtime": {"max_retries": 2}}))
    s = res.summary
    assert s["records_written"] == 5 and s["dropped"] == {"call_failed:truncated": 1}
    assert s["models"]["openai/stub-main"]["truncated"] == 1
    assert s["models"]["openai/stub-rejected"]["truncated"] == 3


def test_fatal_error_stops_the_run(tmp_path, stub):
    stub.add_rule(status=401, times=None, model="stub-rejected")
    res = run_gen(write_config(tmp_path, stub))
    assert res.stop_reason == "error" and res.exit_code == 1 and "AuthenticationError" in res.summary["error"]


def test_budget_cap_stops_cleanly_and_resume_finishes(tmp_path, stub):
    models = {"input_cost_per_mtok": 1000.0, "output_cost_per_mtok": 1000.0}
    extra = {"generation": {"budget_usd": 4.0, "concurrency": 2}, "models.main": models, "models.rejected": models}
    res = run_gen(write_config(tmp_path, stub, extra=extra))
    s = res.summary
    assert res.stop_reason == "budget" and res.exit_code == 3
    assert s["cost_usd"] <= 4.0
    assert 0 < s["records_written"] < 6
    rows_before = read_rows(res.output)
    # a bigger budget and --resume finish the run; the cache pays nothing twice
    path = write_config(tmp_path, stub, extra={**extra, "generation": {"budget_usd": 50.0, "concurrency": 2}})
    res2 = run_gen(path, resume=True)
    rows = read_rows(res2.output)
    assert res2.stop_reason == "completed" and len(rows) == 6 and rows[: len(rows_before)] == rows_before
    assert len({r["prompt"] for r in rows}) == 6


def test_repair_loop_feeds_findings_back(tmp_path, stub):
    calls = {"n": 0}

    def validator(rec):
        calls["n"] += 1
        out = []
        if "Prompt 1:" in rec["prompt"] and "REPAIRED" not in rec["chosen"]:
            out.append({"rule": "cost-within-2x", "severity": "error", "field": "chosen", "message": "cost $5 is 10x too low",
                        "quote": "$5", "expected": {"low": 50, "high": 150, "unit": "USD"}})
        if "Prompt 2:" in rec["prompt"]:
            out.append({"rule": "vram", "severity": "error", "field": "chosen", "message": "70B QLoRA does not fit 24 GB"})
        out.append({"rule": "style", "severity": "warning", "message": "fine"})
        return out

    stub.add_rule(match="automatic fact checker", handler=lambda b: "REPAIRED " + "word " * 270, times=None)
    stub.add_rule(match="automatic fact checker", model="stub-main", handler=lambda b: "still wrong", times=None)
    stub.rules.reverse()  # the generic rule applies except for Prompt 2 below
    stub.rules.clear()
    stub.add_rule(match=lambda b: "automatic fact checker" in json.dumps(b) and "Prompt 2:" in json.dumps(b), content="still wrong", times=None)
    stub.add_rule(match="automatic fact checker", handler=lambda b: "REPAIRED " + "word " * 270, times=None)
    res = run_gen(write_config(tmp_path, stub, extra={"validation": {"max_repair_attempts": 2}}), validator=validator)
    s = res.summary
    assert s["records_written"] == 5 and s["dropped"] == {"validation_failed": 1} and s["repaired"] == 1
    repair_texts = [r.text for r in stub.requests if "automatic fact checker" in r.text]
    assert len(repair_texts) == 1 + 2
    assert any("cost $5 is 10x too low" in t and "expected about 50-150 USD" in t for t in repair_texts)
    assert any(r["chosen"].startswith("REPAIRED") for r in read_rows(res.output))


def test_grounding_facts_reach_the_chosen_prompt(tmp_path, stub):
    facts = "- Cost: $50-$150 (best guess $90)\nSources: test"
    res = run_gen(write_config(tmp_path, stub, mode="sft"), grounder=lambda p: facts if "Prompt 0:" in p else "")
    chosen = [r.text for r in stub.requests if "You are Atlas" in r.text]
    assert sum(facts in t for t in chosen) == 1
    assert res.summary["grounded"] == 1


def test_grounding_facts_block_from_report():
    from types import SimpleNamespace as NS

    from reality.generator.grounding import facts_block

    est = lambda lo, mid, hi, u: NS(low=lo, mid=mid, high=hi, unit=u)  # noqa: E731
    report = NS(estimates={"vram_per_gpu_gb": est(20, 24.5, 30, "GB"), "gpu_hours": est(2, 3, 5, "GPU-hours"),
                           "wall_hours": est(2, 3, 5, "hours"), "cost_usd": est(5, 7.5, 12, "USD")},
                verdict="feasible", sources=["QLoRA paper arXiv:2305.14314"], findings=[])
    text = facts_block(report)
    assert "VRAM per GPU: 20-30 GB" in text and "$5-$12" in text and "feasible" in text and "2305.14314" in text


def test_cache_reuse_and_no_cache(tmp_path, stub):
    path = write_config(tmp_path, stub)
    run_gen(path)
    n = len(stub.requests)
    res = run_gen(path, overwrite=True)
    assert len(stub.requests) == n and res.summary["cache"]["hits"] > 0 and res.summary["cost_usd"] == 0
    run_gen(path, overwrite=True, cache=False)
    assert len(stub.requests) == 2 * n


def test_existing_output_needs_resume_or_overwrite(tmp_path, stub):
    from reality.generator.journal import StateError

    path = write_config(tmp_path, stub)
    run_gen(path)
    with pytest.raises(StateError, match="--resume"):
        run_gen(path)
    res = run_gen(path, resume=True)  # nothing left to do
    assert res.summary["records_written"] == 6 and len(read_rows(res.output)) == 6


def test_api_key_never_written(tmp_path, stub):
    run_gen(write_config(tmp_path, stub, judge=True))
    assert all(r.body.get("model") for r in stub.requests)
    for f in tmp_path.rglob("*"):
        if f.is_file():
            assert SECRET not in f.read_text("utf-8", errors="replace"), f


def test_rate_limit_window_compliance_including_retries(tmp_path, stub):
    window, rpm, provider_rpm = 0.5, 3, 5
    stub.add_rule(status=429, headers={"Retry-After": "0.05"}, times=3, model="stub-main")
    extra = {
        "generation": {"num_subtopics": 1, "num_prompts_per_subtopic": 8, "concurrency": 8},
        "runtime": {"rate_window_seconds": window},
        "models.main": {"requests_per_minute": rpm, "provider": "stubcloud"},
        "models.rejected": {"provider": "stubcloud"},
        "providers.stubcloud": {"requests_per_minute": provider_rpm},
    }
    res = run_gen(write_config(tmp_path, stub, extra=extra))
    assert res.summary["records_written"] == 8

    def max_in_window(times: list[float]) -> int:
        times = sorted(times)
        best = j = 0
        for i, t in enumerate(times):
            while times[j] <= t - window * 0.97:  # arrival jitter margin
                j += 1
            best = max(best, i - j + 1)
        return best

    main_times = [r.t for r in stub.requests if r.model == "stub-main"]
    all_times = [r.t for r in stub.requests]
    assert len(main_times) >= 8 + 1 + 1 + 3
    assert max_in_window(main_times) <= rpm
    assert max_in_window(all_times) <= provider_rpm


def test_bakeoff_table(tmp_path, stub, capsys):
    from reality.cli import main

    stub.add_rule(model="stub-fast", handler=lambda b: "short answer " * 50, times=None)
    path = write_config(tmp_path, stub, judge=True, extra={"bakeoff": {"candidates": [
        {"model": "openai/stub-main"}, {"model": "openai/stub-fast", "input_cost_per_mtok": 0.5}]}})
    assert main(["bakeoff", str(path), "--sample", "4", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["model"] for r in rows] == ["openai/stub-main", "openai/stub-fast"]
    assert rows[0]["avg_chosen_words"] == 275 and rows[1]["avg_chosen_words"] == 100
    assert rows[0]["judge_score"] == 5.0 and rows[1]["judge_score"] == 2.0
    assert rows[0]["examples"] == 4 and rows[0]["cost_per_example_usd"] > 0
    assert main(["bakeoff", str(path), "--sample", "2"]) == 0
    assert "bake-off on 2 prompts" in capsys.readouterr().out
