"""Fixtures for the generator tests (import them into a test module with ``from generator_fixtures import *``).

``stub`` is a fresh :class:`stub_server.StubServer` per test; ``write_config`` writes a TOML
config that points every model at it, with fast retries and a dummy API key from the
environment (no real provider, no network beyond 127.0.0.1).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from stub_server import StubServer

SECRET = "sk-test-SECRET-not-for-logs-42"

__all__ = ["stub", "write_config", "read_rows", "SECRET", "toml_config", "dummy_key"]


@pytest.fixture
def dummy_key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("STUB_API_KEY", SECRET)
    monkeypatch.setenv("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    return SECRET


@pytest.fixture
def stub(dummy_key: str):
    server = StubServer(latency=0.0).start()
    try:
        yield server
    finally:
        server.stop()


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(v)


def toml_config(sections: dict[str, dict[str, Any]]) -> str:
    out = []
    for name, body in sections.items():
        out.append(f"[{name}]")
        for k, v in body.items():
            out.append(f"{k} = {_toml_value(v)}")
        out.append("")
    return "\n".join(out)


def write_config(tmp_path: Path, stub: StubServer, *, mode: str = "dpo", judge: bool = False,
                 extra: dict[str, dict[str, Any]] | None = None, models: tuple[str, ...] | None = None) -> Path:
    model = lambda name: {  # noqa: E731
        "model": f"openai/stub-{name}", "api_base": stub.base_url, "api_key_env": "STUB_API_KEY",
        "max_output_tokens": 600, "input_cost_per_mtok": 1.0, "output_cost_per_mtok": 2.0, "temperature": 0.5,
    }
    sections: dict[str, dict[str, Any]] = {
        "generation": {"mode": mode, "num_subtopics": 2, "num_prompts_per_subtopic": 3, "concurrency": 8,
                       "seed": 7, "output": "out/dataset.jsonl"},
        "models.main": model("main"),
    }
    roles = models if models is not None else (("rejected",) if mode != "sft" else ()) + (("judge",) if judge or mode == "mo-dpo" else ())
    for r in roles:
        sections[f"models.{r}"] = model(r)
    if judge:
        sections["judge"] = {"enabled": True, "min_chosen_score": 4.0, "max_rejected_score": 3.0}
    sections["runtime"] = {"backoff_base_seconds": 0.01, "backoff_max_seconds": 0.05, "request_timeout_seconds": 5,
                           "retry_after_cap_seconds": 2}
    for name, body in (extra or {}).items():
        sections.setdefault(name, {}).update(body)
    path = tmp_path / "gen.toml"
    path.write_text(toml_config(sections), "utf-8")
    return path


def read_rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in Path(path).read_text("utf-8").splitlines() if line.strip()]
