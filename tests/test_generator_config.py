"""Generator config: pydantic validation, helpful errors, templates checked at start-up, VellumForge2 configs."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # tests/stub_server.py, tests/generator_fixtures.py

from pathlib import Path

import pytest
from generator_fixtures import *  # noqa: F403
from generator_fixtures import toml_config, write_config

from reality.generator.config import ConfigError, load_config, parse_config
from reality.generator.templates import TemplateError, check_template, render

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.toml"))
BASE = {"models": {"main": {"model": "openai/x"}}}


def test_examples_load():
    assert EXAMPLES, "examples/*.toml are shipped"
    for path in EXAMPLES:
        cfg = load_config(path)
        assert cfg.models["main"].model


def test_unknown_key_named_with_suggestion():
    with pytest.raises(ConfigError) as exc:
        parse_config({**BASE, "generation": {"concurrencyy": 4}})
    msg = str(exc.value)
    assert "unknown key 'concurrencyy' in [generation]" in msg and "did you mean 'concurrency'" in msg


def test_unknown_model_key_and_wrong_type_reported_together():
    with pytest.raises(ConfigError) as exc:
        parse_config({"models": {"main": {"model": "openai/x", "temprature": 0.3}}, "generation": {"concurrency": "many"}})
    errors = exc.value.errors
    assert any("temprature" in e and "temperature" in e for e in errors)
    assert any(e.startswith("generation.concurrency") for e in errors)


def test_mo_dpo_needs_judge():
    with pytest.raises(ConfigError, match="mo-dpo.*judge"):
        parse_config({**BASE, "generation": {"mode": "mo-dpo"}})


def test_filtering_needs_judge_model():
    with pytest.raises(ConfigError, match="judge"):
        parse_config({**BASE, "judge": {"enabled": True, "min_chosen_score": 4}})


def test_api_key_in_config_refused():
    with pytest.raises(ConfigError, match="api_key_env"):
        parse_config({"models": {"main": {"model": "openai/x", "api_key": "sk-123"}}})


def test_bad_mode_value():
    with pytest.raises(ConfigError, match="generation.mode"):
        parse_config({**BASE, "generation": {"mode": "ppo"}})


def test_unknown_template_variable_is_a_config_error():
    with pytest.raises(ConfigError, match="unknown variable.*main_topicc"):
        parse_config({**BASE, "templates": {"chosen": "Answer {{prompt}} about {{main_topicc}}"}})


def test_templates_render_and_check():
    assert check_template("chosen", "{{.Prompt}} {{if facts}}F:{{facts}}{{else}}none{{end}}") == {"prompt", "facts"}
    assert render("{{.Prompt}}|{{if facts}}F:{{facts}}{{else}}none{{end}}", {"prompt": "p", "facts": ""}) == "p|none"
    assert render("{{if .IsRetry}}again {{end}}{{.MainTopic}}", {"is_retry": True, "main_topic": "m"}) == "again m"
    with pytest.raises(TemplateError):
        check_template("judge", "{{.Prompt}} {{.Bogus}}")
    with pytest.raises(TemplateError):
        check_template("chosen", "{{prompt | upper}}")


def test_vellumforge2_config(tmp_path: Path):
    text = '''
[provider_rate_limits]
nvidia = 40
[generation]
main_topic = "Fantasy"
dataset_mode = "mo-dpo"
num_subtopics = 4
num_prompts_per_subtopic = 2
concurrency = 16
over_generation_buffer = 0.1
enable_checkpointing = true
[judge_filtering]
enabled = true
use_explanations = false
min_chosen_score = 4.0
max_rejected_score = 3.0
[models.main]
base_url = "https://integrate.api.nvidia.com/v1"
model_name = "meta/llama-3.1-70b-instruct"
temperature = 0.7
rate_limit_per_minute = 40
top_k = -1
[models.rejected]
base_url = "http://localhost:8080/v1"
model_name = "phi-4-mini-instruct"
[models.judge]
enabled = true
base_url = "https://integrate.api.nvidia.com/v1"
model_name = "meta/llama-3.1-70b-instruct"
[prompt_templates]
chosen_system_prompt = "You are a writer."
chosen_generation = "Write a story: {{.Prompt}} ({{.MainTopic}}, {{.SubTopic}})"
rejected_generation = "Write a simple story: {{.Prompt}}"
judge_rubric = "PROMPT: {{.Prompt}} STORY: {{.StoryText}} Return ONLY valid JSON"
subtopic_generation = "{{.NumSubtopics}} subtopics of {{.MainTopic}} {{if .IsRetry}}not {{.ExcludeSubtopics}}{{end}}"
prompt_generation = "{{.NumPrompts}} prompts for {{.SubTopic}}"
[huggingface]
repo_id = ""
'''
    p = tmp_path / "config.toml"
    p.write_text(text)
    cfg = load_config(p)
    assert cfg.generation.mode == "mo-dpo" and cfg.generation.over_generation == 0.1
    assert cfg.models["main"].model == "openai/meta/llama-3.1-70b-instruct"
    assert cfg.models["main"].api_base.startswith("https://integrate")
    assert cfg.models["main"].requests_per_minute == 40
    assert cfg.models["main"].system_prompt == "You are a writer."
    assert cfg.providers["nvidia"].requests_per_minute == 40
    assert cfg.models["main"].provider == "nvidia"
    assert cfg.judge.min_chosen_score == 4.0
    assert any("top_k" in w for w in cfg.warnings)
    # the bug VellumForge2 had: a broken variable is an error at start-up, not a silent failure per job
    p.write_text(text.replace("{{.SubTopic}}", "{{.SubTopicc}}"))
    with pytest.raises(ConfigError, match="sub_topicc"):
        load_config(p)


def test_cli_unknown_variable_stops_before_first_request(tmp_path: Path, stub):
    from reality.cli import main

    cfg = write_config(tmp_path, stub, extra={"templates": {"rejected": "Answer {{prompt}} as {{persona}} {{moood}}"}})
    assert main(["generate", str(cfg), "--quiet"]) == 2
    assert stub.requests == []
    assert not (tmp_path / "out" / "dataset.jsonl").exists()


def test_cli_dry_run(tmp_path: Path, stub, capsys):
    import json

    from reality.cli import main

    cfg = write_config(tmp_path, stub, mode="dpo", judge=True, extra={"generation": {"budget_usd": 5.0}})
    assert main(["generate", str(cfg), "--dry-run", "--json"]) == 0
    est = json.loads(capsys.readouterr().out)
    assert est["records"] == 6
    # 6 records x (chosen + rejected + 2 judge) + subtopic and prompt calls
    assert est["calls"] == 6 * 4 + 1 + 2
    assert est["cost_usd"] > 0 and est["cost_usd_max"] >= est["cost_usd"]
    assert stub.requests == []
    assert main(["generate", str(cfg), "--dry-run"]) == 0
    assert "dry run" in capsys.readouterr().out


def test_toml_helper_roundtrip(tmp_path: Path):
    p = tmp_path / "c.toml"
    p.write_text(toml_config({"models.main": {"model": "openai/x"}, "generation": {"mode": "sft"}}))
    assert load_config(p).generation.mode == "sft"
