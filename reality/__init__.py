"""reality: fact-grounded reality checks for LLM fine-tuning plans and training data.

The public API is small and lazy (importing ``reality`` loads nothing heavy)::

    from reality import check
    report = check("20B, 50GB, $500")
    report.verdict, report.estimates["cost_usd"].mid

The CLI (``reality ...``) is a thin shell over these functions.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "load_kb": "reality.knowledge",
    "check": "reality.calculators",
    "estimate": "reality.calculators",
    "parse_scenario": "reality.calculators",
    "Scenario": "reality.calculators",
    "extract_claims": "reality.validators",
    "validate_record": "reality.validators",
    "validate_files": "reality.validators",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'reality' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = ["__version__", *_LAZY]
