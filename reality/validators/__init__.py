"""Validators: claim extraction, the rule layer, quality gates, dataset checks -> findings.

Exports are lazy so that importing this package stays cheap (no pint, sympy or litellm;
the claim extractor and the calculators load on first use)::

    from reality.validators import extract_claims, Claim              # claims.py
    from reality.validators import validate_record, validate_files, ValidateConfig, Finding
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "extract_claims": "reality.validators.claims",
    "Claim": "reality.validators.claims",
    "Finding": "reality.validators.findings",
    "RecordResult": "reality.validators.findings",
    "Summary": "reality.validators.findings",
    "ValidateConfig": "reality.validators.config",
    "ConfigError": "reality.validators.config",
    "load_config": "reality.validators.config",
    "validate_record": "reality.validators.runner",
    "validate_files": "reality.validators.runner",
    "Validation": "reality.validators.runner",
    "Rule": "reality.validators.rules",
    "RuleSet": "reality.validators.rules",
    "builtin_rules": "reality.validators.rules",
    "compile_condition": "reality.conditions",
    "ConditionError": "reality.conditions",
    "InputError": "reality.validators.readers",
    "ManifestError": "reality.validators.features",
    "load_manifest": "reality.validators.features",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'reality.validators' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = sorted(_LAZY)
