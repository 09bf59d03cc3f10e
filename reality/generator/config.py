"""The generator's TOML configuration, validated by pydantic with helpful errors.

``load_config(path)`` reads a native config (see ``examples/*.toml``) or a VellumForge2-style
``config.toml`` (``dataset_mode``, ``[models.*] base_url/model_name``,
``[provider_rate_limits]``, ``[judge_filtering]``, ``{{.Prompt}}`` placeholders), checks every
template against the variables its role provides, and returns a :class:`GenConfig`.
Every problem is reported at once, with its TOML location, as a :class:`ConfigError`.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from reality.generator import defaults
from reality.generator.templates import TemplateError, check_template

Mode = Literal["sft", "dpo", "kto", "mo-dpo"]


class ConfigError(ValueError):
    """The configuration cannot be used; ``errors`` holds one line per problem."""

    def __init__(self, errors: list[str], path: str | Path | None = None):
        self.errors = errors
        where = f"{path}: " if path else ""
        super().__init__(where + "invalid generator config:\n  " + "\n  ".join(errors))


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ModelConfig(_Model):
    """One model role (main, rejected, judge, topics)."""

    model: str = Field(description="litellm model name, e.g. 'openai/gpt-4o' or 'anthropic/claude-...'")
    api_base: str | None = None
    api_key_env: str | None = Field(None, description="name of the environment variable holding the key")
    provider: str | None = Field(None, description="rate-limit group; default: from the model prefix / host")
    enabled: bool = True
    temperature: float = Field(0.7, ge=0, le=2)
    top_p: float | None = Field(None, gt=0, le=1)
    max_output_tokens: int = Field(1024, gt=0)
    requests_per_minute: float | None = Field(None, gt=0)
    tokens_per_minute: float | None = Field(None, gt=0)
    input_cost_per_mtok: float | None = Field(None, ge=0, description="USD per million input tokens")
    output_cost_per_mtok: float | None = Field(None, ge=0, description="USD per million output tokens")
    timeout_seconds: float | None = Field(None, gt=0)
    max_retries: int | None = Field(None, ge=0)
    system_prompt: str | None = None
    extra_params: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _no_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for bad in ("api_key", "key", "token", "apikey"):
                if bad in data:
                    raise ValueError(
                        f"'{bad}' must not be written in the config: put the key in an environment "
                        "variable and name it with api_key_env"
                    )
        return data


class ProviderLimits(_Model):
    requests_per_minute: float | None = Field(None, gt=0)
    tokens_per_minute: float | None = Field(None, gt=0)


class GenerationConfig(_Model):
    mode: Mode = "dpo"
    format: Literal["standard", "conversational"] = "standard"
    sft_format: Literal["prompt-completion", "messages"] = "prompt-completion"
    dataset: Literal["reality", "features"] = "reality"
    manifest: str | None = Field(None, description="feature manifest (YAML/JSON) for the features dataset")
    main_topic: str = "Fine-tuning LLMs: real costs, hardware and timelines"
    num_subtopics: int = Field(8, ge=1, le=100_000)
    num_prompts_per_subtopic: int = Field(4, ge=1, le=10_000)
    subtopic_chunk_size: int = Field(30, ge=1)
    over_generation: float = Field(0.15, ge=0, le=1)
    limit: int | None = Field(None, ge=1, description="stop after this many prompts")
    concurrency: int = Field(32, ge=1, le=4096)
    include_topic_columns: bool = False
    system_prompt: str | None = None
    seed: int = 0
    output: str = "dataset.jsonl"
    budget_usd: float | None = Field(None, gt=0)


class PromptSource(_Model):
    source: Literal["hierarchy", "file", "hf"] = "hierarchy"
    path: str | None = None
    column: str = "prompt"
    split: str | None = None

    @model_validator(mode="after")
    def _path_needed(self) -> PromptSource:
        if self.source != "hierarchy" and not self.path:
            raise ValueError(f"prompts.source = {self.source!r} needs prompts.path")
        return self


class JudgeConfig(_Model):
    enabled: bool = False
    use_explanations: bool = False
    min_chosen_score: float | None = Field(None, ge=0, le=10)
    max_rejected_score: float | None = Field(None, ge=0, le=10)
    criteria: dict[str, str] = Field(default_factory=lambda: dict(defaults.CRITERIA))
    attempts: int = Field(2, ge=1, description="judge calls per response before giving up")
    on_error: Literal["drop", "keep"] = "drop"


class ValidationConfig(_Model):
    enabled: bool = True
    max_repair_attempts: int = Field(2, ge=0)
    tolerance: float = Field(2.0, gt=1)
    options: dict[str, Any] = Field(default_factory=dict, description="passed to ValidateConfig")


class Templates(_Model):
    subtopics: str = defaults.SUBTOPICS
    prompts: str = defaults.PROMPTS
    chosen: str | None = None  # default depends on the dataset kind
    rejected: str = defaults.REJECTED
    judge: str = defaults.JUDGE
    repair: str = defaults.REPAIR


class RuntimeConfig(_Model):
    request_timeout_seconds: float = Field(120, gt=0)
    max_retries: int = Field(5, ge=0)
    backoff_base_seconds: float = Field(1.0, ge=0)
    backoff_max_seconds: float = Field(60, ge=0)
    retry_after_cap_seconds: float = Field(120, ge=0)
    retry_truncated: bool = True
    rate_window_seconds: float = Field(60, gt=0, description="the 'minute' of the rate limits (tests shrink it)")
    burst_percent: float = Field(15, ge=0, le=100)
    cache: bool = True
    cache_dir: str | None = None
    fsync: bool = True
    call_processes: Literal["auto"] | Annotated[int, Field(ge=1, le=32)] = Field(
        "auto",
        description="processes making the HTTP calls (litellm costs ~3-4 ms CPU per call; at high concurrency "
        "2+ spread that over cores). 1 = in this process; auto = one per core (at most 4) from concurrency 32 up",
    )


# From this concurrency one event loop spends most of its time in litellm's per-call CPU
# (bench/bench_generate.py --pairs 640, 64 pairs in flight, 2 cores: 65-73% of the latency bound
# in one process, 88-89% with 2. The default 200 pairs are too few to tell them apart, and the
# call processes' start-up, ~2.5 s of importing litellm, is not in that figure).
AUTO_PROCESSES_FROM = 32


def call_processes_for(cfg: GenConfig) -> int:
    """``runtime.call_processes`` resolved: "auto" uses child processes only where one core would be the limit."""
    n = cfg.runtime.call_processes
    if n != "auto":
        return n
    if cfg.generation.concurrency < AUTO_PROCESSES_FROM:
        return 1
    return max(1, min(os.cpu_count() or 1, 4))


class GenConfig(_Model):
    generation: GenerationConfig = Field(default_factory=GenerationConfig)
    models: dict[str, ModelConfig]
    providers: dict[str, ProviderLimits] = Field(default_factory=dict)
    prompts: PromptSource = Field(default_factory=PromptSource)
    templates: Templates = Field(default_factory=Templates)
    judge: JudgeConfig = Field(default_factory=JudgeConfig)
    validation: ValidationConfig = Field(default_factory=ValidationConfig)
    runtime: RuntimeConfig = Field(default_factory=RuntimeConfig)
    personas: dict[str, float] = Field(default_factory=lambda: dict(defaults.PERSONAS))
    scenario_mix: dict[str, float] = Field(default_factory=lambda: dict(defaults.SCENARIO_MIX))
    words: dict[str, tuple[int, int]] = Field(default_factory=lambda: dict(defaults.WORDS))
    bakeoff: dict[str, Any] = Field(default_factory=dict)

    # set by load_config, not part of the file
    source_path: str | None = Field(None, exclude=True)
    warnings: list[str] = Field(default_factory=list, exclude=True)

    @field_validator("models")
    @classmethod
    def _roles(cls, v: dict[str, ModelConfig]) -> dict[str, ModelConfig]:
        unknown = sorted(set(v) - {"main", "rejected", "judge", "topics"})
        if unknown:
            raise ValueError(f"unknown model role(s) {unknown}; roles are main, rejected, judge, topics")
        if "main" not in v:
            raise ValueError("[models.main] is required")
        return v

    @field_validator("personas", "scenario_mix")
    @classmethod
    def _weights(cls, v: dict[str, float]) -> dict[str, float]:
        if not v or any(w < 0 for w in v.values()) or sum(v.values()) <= 0:
            raise ValueError("needs at least one entry with a positive weight")
        return v

    @model_validator(mode="after")
    def _cross(self) -> GenConfig:
        g = self.generation
        judge_model = self.models.get("judge")
        judge_on = judge_model is not None and judge_model.enabled
        if g.mode == "mo-dpo" and not judge_on:
            raise ValueError("mode 'mo-dpo' needs a judge: add an enabled [models.judge]")
        if self.judge.enabled and not judge_on:
            raise ValueError("[judge] enabled = true needs an enabled [models.judge]")
        if g.dataset == "features" and not g.manifest:
            self.warnings.append("dataset 'features' without generation.manifest: feature names are not checked")
        for key, (lo, hi) in self.words.items():
            if key not in defaults.WORDS:
                raise ValueError(f"words: unknown key {key!r} (prompt, chosen, rejected)")
            if lo > hi:
                raise ValueError(f"words.{key}: low {lo} > high {hi}")
        return self

    # -- helpers -----------------------------------------------------------------------
    @property
    def judge_active(self) -> bool:
        return self.generation.mode == "mo-dpo" or self.judge.enabled

    @property
    def paired(self) -> bool:
        return self.generation.mode != "sft"

    def model_for(self, role: str) -> ModelConfig:
        if role == "rejected":
            return self.models.get("rejected") or self.models["main"]
        if role == "topics":
            return self.models.get("topics") or self.models["main"]
        return self.models[role]

    def chosen_template(self) -> str:
        if self.templates.chosen:
            return self.templates.chosen
        return defaults.CHOSEN_FEATURES if self.generation.dataset == "features" else defaults.CHOSEN_REALITY

    def output_path(self) -> Path:
        out = Path(self.generation.output)
        if not out.is_absolute() and self.source_path:
            out = Path(self.source_path).parent / out
        return out

    def fingerprint(self) -> str:
        """Hash of everything that changes what a record looks like (for --resume)."""
        data = self.model_dump(mode="json", exclude={"runtime", "bakeoff"})
        data["generation"].pop("concurrency", None)
        data["generation"].pop("budget_usd", None)
        data["generation"].pop("limit", None)
        for m in data["models"].values():
            for k in ("requests_per_minute", "tokens_per_minute", "timeout_seconds", "max_retries", "api_key_env"):
                m.pop(k, None)
        data.pop("providers", None)
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


# -- VellumForge2 compatibility ----------------------------------------------------------

_VF2_MODEL_KEYS = {
    "base_url": "api_base",
    "model_name": "model",
    "rate_limit_per_minute": "requests_per_minute",
    "temperature": "temperature",
    "top_p": "top_p",
    "max_output_tokens": "max_output_tokens",
    "max_retries": "max_retries",
    "enabled": "enabled",
    "judge_timeout_seconds": "timeout_seconds",
    "api_key_env": "api_key_env",
}
_VF2_IGNORED_MODEL = {"top_k", "min_p", "context_size", "structure_temperature", "use_json_mode", "max_backoff_seconds"}
_VF2_GEN_KEYS = {
    "dataset_mode": "mode",
    "main_topic": "main_topic",
    "num_subtopics": "num_subtopics",
    "num_prompts_per_subtopic": "num_prompts_per_subtopic",
    "subtopic_chunk_size": "subtopic_chunk_size",
    "concurrency": "concurrency",
    "over_generation_buffer": "over_generation",
    "include_topic_columns": "include_topic_columns",
}
_VF2_IGNORED_GEN = {
    "max_exclusion_list_size",
    "disable_validation_limits",
    "enable_checkpointing",
    "checkpoint_interval",
    "resume_from_session",
}
_VF2_TEMPLATES = {
    "subtopic_generation": "subtopics",
    "prompt_generation": "prompts",
    "chosen_generation": "chosen",
    "rejected_generation": "rejected",
    "judge_rubric": "judge",
}


def looks_like_vf2(data: dict[str, Any]) -> bool:
    gen = data.get("generation") or {}
    models = data.get("models") or {}
    return (
        "dataset_mode" in gen
        or "provider_rate_limits" in data
        or "judge_filtering" in data
        or any(isinstance(m, dict) and ("model_name" in m or "base_url" in m) for m in models.values())
        or any(k in (data.get("prompt_templates") or {}) for k in _VF2_TEMPLATES)
    )


def from_vf2(data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Translate a VellumForge2 config dict into the native layout; return it and warnings."""
    warnings: list[str] = []
    out: dict[str, Any] = {}
    gen_in = dict(data.get("generation") or {})
    gen: dict[str, Any] = {}
    for k, v in gen_in.items():
        if k in _VF2_GEN_KEYS:
            gen[_VF2_GEN_KEYS[k]] = v
        elif k in _VF2_IGNORED_GEN:
            warnings.append(f"generation.{k} (VellumForge2) is not needed here and is ignored")
        else:
            gen[k] = v  # native key or a typo: pydantic reports it
    out["generation"] = gen
    models: dict[str, Any] = {}
    for role, m in (data.get("models") or {}).items():
        nm: dict[str, Any] = {}
        for k, v in (m or {}).items():
            if k in _VF2_MODEL_KEYS:
                nm[_VF2_MODEL_KEYS[k]] = v
            elif k in _VF2_IGNORED_MODEL:
                warnings.append(f"models.{role}.{k} (VellumForge2) is not supported and is ignored")
            else:
                nm[k] = v
        if "model" in nm and nm.get("api_base") and not str(nm["model"]).startswith(
            ("openai/", "anthropic/", "hosted_vllm/", "ollama/", "together_ai/", "nvidia_nim/")
        ):
            # An OpenAI-compatible endpoint, as VellumForge2 assumes.
            nm["model"] = "openai/" + str(nm["model"])
        models[role] = nm
    out["models"] = models
    prl = data.get("provider_rate_limits") or {}
    providers = {}
    for name, v in prl.items():
        if name == "provider_burst_percent":
            continue
        providers[name] = {"requests_per_minute": v}
        for m in models.values():
            host = str(m.get("api_base") or "")
            if name.lower() in host.lower() and "provider" not in m:
                m["provider"] = name
    if providers:
        out["providers"] = providers
    if "provider_burst_percent" in prl or "provider_burst_percent" in data:
        out.setdefault("runtime", {})["burst_percent"] = prl.get(
            "provider_burst_percent", data.get("provider_burst_percent")
        )
    jf = data.get("judge_filtering")
    if jf:
        out["judge"] = dict(jf)
    tpl_in = dict(data.get("prompt_templates") or {})
    tpl: dict[str, Any] = {}
    for k, v in tpl_in.items():
        if k in _VF2_TEMPLATES:
            tpl[_VF2_TEMPLATES[k]] = v
        elif k.endswith("_system_prompt"):
            role = {"chosen": "main", "rejected": "rejected", "judge": "judge"}.get(k.removesuffix("_system_prompt"))
            if role and role in models:
                models[role]["system_prompt"] = v
            elif role is None:
                warnings.append(f"prompt_templates.{k} is ignored")
        else:
            tpl[k] = v
    if tpl:
        out["templates"] = tpl
    # mo-dpo: the judge's own rubric lists the criteria; no default criteria text needed.
    for k in ("huggingface",):
        if k in data:
            warnings.append(f"[{k}] (VellumForge2) is not supported and is ignored")
    for k, v in data.items():
        if k not in {"generation", "models", "provider_rate_limits", "judge_filtering", "prompt_templates",
                     "huggingface", "provider_burst_percent"}:
            out[k] = v
    if "dataset" not in gen:
        warnings.append("VellumForge2 config: treated as a generic dataset without grounding (generation.dataset = 'features' semantics off)")
    return out, warnings


# -- loading -----------------------------------------------------------------------------

def _known_keys(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


def _format_errors(exc: ValidationError) -> list[str]:
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        if err["type"] == "extra_forbidden":
            parent_loc = err["loc"][:-1]
            key = str(err["loc"][-1])
            hint = _did_you_mean(parent_loc, key)
            where = ".".join(str(p) for p in parent_loc) or "top level"
            lines.append(f"unknown key '{key}' in [{where}]{hint}")
        elif err["type"] == "missing":
            lines.append(f"{loc}: required key is missing")
        else:
            msg = err["msg"].removeprefix("Value error, ")
            got = err.get("input")
            shown = "" if isinstance(got, dict) or got is None else f" (got {got!r})"
            lines.append(f"{loc}: {msg}{shown}" if loc else msg)
    return lines


def _did_you_mean(parent_loc: tuple, key: str) -> str:
    model: type[BaseModel] | None = GenConfig
    parts = [str(p) for p in parent_loc]
    i = 0
    while i < len(parts) and model is not None:
        part = parts[i]
        if model is GenConfig and part in ("models", "providers"):
            model = ModelConfig if part == "models" else ProviderLimits
            i += 2  # skip the role / provider name
            continue
        field = model.model_fields.get(part)
        ann = field.annotation if field else None
        model = ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None
        i += 1
    if model is None:
        return ""
    close = difflib.get_close_matches(key, _known_keys(model), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def parse_config(data: dict[str, Any], path: str | Path | None = None) -> GenConfig:
    warnings: list[str] = []
    if looks_like_vf2(data):
        data, warnings = from_vf2(data)
    # aliases that read naturally in TOML
    gen = data.get("generation")
    if isinstance(gen, dict) and "dataset_mode" in gen:
        gen["mode"] = gen.pop("dataset_mode")
    if "judge_filtering" in data and "judge" not in data:
        data["judge"] = data.pop("judge_filtering")
    if "prompt_templates" in data and "templates" not in data:
        data["templates"] = data.pop("prompt_templates")
    try:
        cfg = GenConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_errors(exc), path) from None
    cfg.source_path = str(path) if path else None
    cfg.warnings.extend(warnings)
    errors = check_templates(cfg)
    if errors:
        raise ConfigError(errors, path)
    return cfg


def check_templates(cfg: GenConfig) -> list[str]:
    errors = []
    t = cfg.templates
    pairs = [("subtopics", t.subtopics), ("prompts", t.prompts), ("chosen", cfg.chosen_template()), ("repair", t.repair)]
    if cfg.paired:
        pairs.append(("rejected", t.rejected))
    if cfg.judge_active:
        pairs.append(("judge", t.judge))
    for role, src in pairs:
        try:
            check_template(role, src)
        except TemplateError as exc:
            errors.append(str(exc))
    return errors


def load_config(path: str | Path) -> GenConfig:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ConfigError([f"cannot read config: {exc.strerror}"], path) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError([f"not valid TOML: {exc}"], path) from None
    return parse_config(data, p)
