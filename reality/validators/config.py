"""Configuration of ``reality validate``: ``[tool.reality]`` in pyproject.toml or ``reality.toml``.

The nearest file going up from the working directory wins (``reality.toml`` before
``pyproject.toml`` in the same folder; a pyproject without ``[tool.reality]`` is skipped),
unless ``--config FILE`` names one. Command-line flags override the file.

Example (``reality.toml`` takes the same keys without the ``[tool.reality]`` prefix)::

    [tool.reality]
    dataset = "reality"          # or "features"
    mode = "dpo"                 # sft | dpo | kto | mo-dpo; auto-detected when absent
    manifest = "features.yaml"   # for dataset = "features"
    tolerance = 2.0              # claims may be this many times off the estimate
    select = ["R"]               # rule ids, id prefixes ("R2") or names
    ignore = ["R204", "near-duplicate"]

    [tool.reality.words]         # word-count gates, [min, max]
    prompt = [80, 120]
    chosen = [250, 300]
    rejected = [140, 160]
    ratio = [1.8, 2.0]

    [tool.reality.mix]           # target shares; persona / scenario read from these fields
    scenario = { "basic usage" = 0.4, troubleshooting = 0.3, failure = 0.2, "edge case" = 0.1 }
    persona_field = "persona"
    scenario_field = "scenario"

    [tool.reality.severity]
    R302 = "info"

    [tool.reality.rules.R502]    # any rule parameter (see `reality explain R502`)
    threshold = 0.9
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reality.validators.rules import RulesError, RuleSet

DATASETS = ("reality", "features")
MODES = ("sft", "dpo", "kto", "mo-dpo")
_KEYS = {
    "dataset", "mode", "manifest", "tolerance", "select", "ignore", "extend-ignore", "severity",
    "rules", "words", "mix", "max-record-mb", "max_record_mb", "near-duplicate", "near_duplicate",
}
_WORD_RULES = {"prompt": "R201", "chosen": "R202", "rejected": "R203"}


class ConfigError(ValueError):
    """A configuration file or option that cannot be used (exit code 2)."""


@dataclass
class ValidateConfig:
    """Everything a validation run needs besides the input files."""

    dataset: str = "reality"
    mode: str | None = None
    manifest: str | None = None
    tolerance: float | None = None
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    persona_field: str = "persona"
    scenario_field: str = "scenario"
    source: str | None = None  # the config file used, if any
    _rules: RuleSet | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.dataset not in DATASETS:
            raise ConfigError(f"dataset must be one of {', '.join(DATASETS)}, not {self.dataset!r}")
        if self.mode is not None and self.mode not in MODES:
            raise ConfigError(f"unknown mode {self.mode!r}; choose one of {', '.join(MODES)}")
        if self.tolerance is not None and not (self.tolerance >= 1):
            raise ConfigError(f"tolerance must be a number >= 1, not {self.tolerance!r}")

    @property
    def rules(self) -> RuleSet:
        if self._rules is None:
            params = {k: dict(v) for k, v in self.params.items()}
            if self.tolerance is not None:
                for rid in ("R301", "R305", "R306"):
                    params.setdefault(rid, {})["tolerance"] = float(self.tolerance)
            try:
                self._rules = RuleSet.build(
                    dataset=self.dataset, select=self.select, ignore=self.ignore,
                    severity=self.severity, params=params,
                )
            except RulesError as exc:
                where = f" (in {self.source})" if self.source else ""
                raise ConfigError(f"{exc}{where}") from None
        return self._rules

    @property
    def effective_tolerance(self) -> float:
        rule = self.rules.get("R301")
        if rule is not None:
            return float(rule.params.get("tolerance", 2.0))
        return float(self.tolerance or 2.0)

    def updated(self, **changes: Any) -> ValidateConfig:
        data = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "_rules"}
        for key, value in changes.items():
            if value is None:
                continue
            if key in ("select", "ignore"):
                value = [*data[key], *value] if key == "ignore" else list(value)
            data[key] = value
        return ValidateConfig(**data)


def find_config(start: str | Path | None = None) -> Path | None:
    """The nearest ``reality.toml`` or ``pyproject.toml`` with ``[tool.reality]`` up from ``start``."""
    here = Path(start or Path.cwd()).resolve()
    for folder in [here, *here.parents]:
        candidate = folder / "reality.toml"
        if candidate.is_file():
            return candidate
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                data = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                continue
            if isinstance(data.get("tool"), dict) and "reality" in data["tool"]:
                return candidate
    return None


def _pair(value: Any, what: str) -> tuple[float, float]:
    if (
        not isinstance(value, list | tuple) or len(value) != 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        or value[0] > value[1]
    ):
        raise ConfigError(f"{what} must be [min, max] with min <= max, not {value!r}")
    return float(value[0]), float(value[1])


def _str_list(value: Any, what: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{what} must be a list of rule ids or names")
    return list(value)


def config_from_table(table: dict[str, Any], source: str | None = None) -> ValidateConfig:
    """Build a :class:`ValidateConfig` from the ``[tool.reality]`` table (or reality.toml)."""
    where = f" in {source}" if source else ""
    unknown = set(table) - _KEYS - {"generate", "check", "kb"}  # other commands' sections are fine
    if unknown:
        raise ConfigError(f"unknown key(s) {', '.join(sorted(unknown))}{where}")
    params: dict[str, dict[str, Any]] = {}
    rules_table = table.get("rules", {})
    if not isinstance(rules_table, dict):
        raise ConfigError(f"[rules] must be a table of rule ids{where}")
    severity: dict[str, str] = {}
    for rid, values in rules_table.items():
        if not isinstance(values, dict):
            raise ConfigError(f"[rules.{rid}] must be a table{where}")
        values = dict(values)
        if "severity" in values:
            severity[rid] = values.pop("severity")
        params[rid] = values
    sev_table = table.get("severity", {})
    if not isinstance(sev_table, dict):
        raise ConfigError(f"[severity] must map rule ids to error/warning/info{where}")
    severity.update({k: str(v) for k, v in sev_table.items()})

    words = table.get("words", {})
    if not isinstance(words, dict):
        raise ConfigError(f"[words] must be a table{where}")
    for key, value in words.items():
        if key in _WORD_RULES:
            lo, hi = _pair(value, f"words.{key}")
            params.setdefault(_WORD_RULES[key], {}).update(min_words=lo, max_words=hi)
        elif key == "ratio":
            lo, hi = _pair(value, "words.ratio")
            params.setdefault("R204", {}).update(min_ratio=lo, max_ratio=hi)
        else:
            raise ConfigError(f"unknown key words.{key}{where} (prompt, chosen, rejected, ratio)")

    mix = table.get("mix", {})
    if not isinstance(mix, dict):
        raise ConfigError(f"[mix] must be a table{where}")
    persona_field, scenario_field = "persona", "scenario"
    for key, value in mix.items():
        if key in ("persona", "scenario"):
            if not isinstance(value, dict) or not all(
                isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 1 for v in value.values()
            ):
                raise ConfigError(f"mix.{key} must map labels to shares between 0 and 1{where}")
            total = sum(value.values())
            if value and abs(total - 1) > 0.02:
                raise ConfigError(f"mix.{key} shares add up to {total:.2f}, not 1{where}")
            rid = "R504" if key == "persona" else "R505"
            params.setdefault(rid, {})["targets"] = {str(k).lower(): float(v) for k, v in value.items()}
        elif key == "max-deviation" or key == "max_deviation":
            for rid in ("R504", "R505"):
                params.setdefault(rid, {})["max_deviation"] = float(value)
        elif key == "persona_field" or key == "persona-field":
            persona_field = str(value)
        elif key == "scenario_field" or key == "scenario-field":
            scenario_field = str(value)
        else:
            raise ConfigError(f"unknown key mix.{key}{where}")
    for key in ("near-duplicate", "near_duplicate"):
        if key in table:
            params.setdefault("R502", {})["threshold"] = float(table[key])
    for key in ("max-record-mb", "max_record_mb"):
        if key in table:
            params.setdefault("R005", {})["max_record_mb"] = float(table[key])

    tolerance = table.get("tolerance")
    if tolerance is not None and (isinstance(tolerance, bool) or not isinstance(tolerance, int | float)):
        raise ConfigError(f"tolerance must be a number{where}")
    manifest = table.get("manifest")
    if manifest is not None and source:
        manifest = str(Path(source).parent / manifest) if not Path(manifest).is_absolute() else manifest
    cfg = ValidateConfig(
        dataset=str(table.get("dataset", "reality")),
        mode=table.get("mode"),
        manifest=manifest,
        tolerance=float(tolerance) if tolerance is not None else None,
        select=_str_list(table.get("select", []), "select"),
        ignore=_str_list(table.get("ignore", []), "ignore") + _str_list(table.get("extend-ignore", []), "extend-ignore"),
        severity=severity,
        params=params,
        persona_field=persona_field,
        scenario_field=scenario_field,
        source=source,
    )
    cfg.rules  # noqa: B018 - validate rule ids, severities and parameters now (ConfigError)
    return cfg


def load_config(path: str | Path | None = None, start: str | Path | None = None) -> ValidateConfig:
    """Load ``path`` (or the nearest config file); defaults when there is none."""
    if path is None:
        found = find_config(start)
        if found is None:
            return ValidateConfig()
        path = found
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file {p} not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {p}: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: not valid TOML: {exc}") from None
    if p.name == "pyproject.toml" or "tool" in data:
        table = data.get("tool", {}).get("reality", {}) if isinstance(data.get("tool"), dict) else {}
    else:
        table = data
    if not isinstance(table, dict):
        raise ConfigError(f"{p}: [tool.reality] must be a table")
    try:
        return config_from_table(table, source=str(p))
    except ConfigError:
        raise
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{p}: {exc}") from None
