"""The validators in the loop: a record -> findings, through ``reality.validators``.

The generator needs only ``validate_record(record, ValidateConfig) -> list[Finding]``; this
adapter builds the ``ValidateConfig`` from the generator config (whatever fields it has)
and normalises findings to plain dicts so they can be fed back to the model and journaled.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from typing import Any

from reality.generator.config import GenConfig

Validator = Callable[[dict[str, Any]], list[dict[str, Any]]]


def finding_dict(f: Any) -> dict[str, Any]:
    if isinstance(f, dict):
        d = dict(f)
    else:
        d = {k: getattr(f, k, None) for k in ("rule", "severity", "message", "field", "quote", "expected")}
    d["severity"] = str(d.get("severity") or "error").lower()
    return {k: v for k, v in d.items() if v is not None}


def _make_config(ValidateConfig: Any, cfg: GenConfig) -> Any:
    wanted: dict[str, Any] = {
        "dataset": cfg.generation.dataset,
        "dataset_kind": cfg.generation.dataset,
        "kind": cfg.generation.dataset,
        # the generator validates each record as a pair (prompt, chosen, rejected) before the
        # writer shapes it into the mode's rows, so every paired mode is checked as dpo
        "mode": "sft" if cfg.generation.mode == "sft" else "dpo",
        "manifest": cfg.generation.manifest,
        "tolerance": cfg.validation.tolerance,
    }
    wanted.update(cfg.validation.options)
    names: set[str] | None = None
    if hasattr(ValidateConfig, "model_fields"):
        names = set(ValidateConfig.model_fields)
    elif dataclasses.is_dataclass(ValidateConfig):
        names = {f.name for f in dataclasses.fields(ValidateConfig)}
    else:
        try:
            params = inspect.signature(ValidateConfig).parameters
            if not any(p.kind == p.VAR_KEYWORD for p in params.values()):
                names = set(params)
        except (TypeError, ValueError):
            names = None
    kwargs = {k: v for k, v in wanted.items() if names is None or k in names}
    if cfg.generation.manifest and "manifest" in kwargs and cfg.source_path:
        from pathlib import Path

        mp = Path(cfg.generation.manifest)
        if not mp.is_absolute():
            kwargs["manifest"] = str(Path(cfg.source_path).parent / mp)
    try:
        return ValidateConfig(**kwargs)
    except TypeError:
        return ValidateConfig()


def make_validator(cfg: GenConfig) -> tuple[Validator | None, str | None]:
    """-> (validator, None) or (None, reason it is off)."""
    if not cfg.validation.enabled:
        return None, "disabled in config"
    try:
        from reality.validators import ValidateConfig, validate_record
    except ImportError as exc:
        return None, f"reality.validators not available ({exc})"
    vc = _make_config(ValidateConfig, cfg)
    kwargs: dict[str, Any] = {}
    try:  # one Validation object for the whole run (rules compiled once), when available
        from reality.validators.runner import Validation

        kwargs["validation"] = Validation(vc)
    except Exception:
        pass

    def run(record: dict[str, Any]) -> list[dict[str, Any]]:
        try:
            found = validate_record(record, vc, **kwargs)
        except TypeError:
            found = validate_record(record, vc)
        return [finding_dict(f) for f in found]

    return run, None


def errors_of(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in findings if f.get("severity") == "error"]


def describe(findings: list[dict[str, Any]]) -> str:
    lines = []
    for f in findings:
        line = f"- [{f.get('rule', '?')}] {f.get('message', '')}"
        if f.get("quote"):
            line += f' (you wrote: "{f["quote"]}")'
        exp = f.get("expected")
        if isinstance(exp, dict) and exp.get("low") is not None:
            line += f"; expected about {exp.get('low')}-{exp.get('high')} {exp.get('unit', '')}".rstrip()
        lines.append(line)
    return "\n".join(lines)
