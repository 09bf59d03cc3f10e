"""Dataset generator: grounded SFT / DPO / KTO / MO-DPO runs through litellm.

Nothing heavy is imported here; litellm loads on the first model call.

    from reality.generator import load_config, run
    result = run(load_config("examples/generate-dpo.toml"))
"""

from __future__ import annotations

from typing import Any

_LAZY = {
    "load_config": "reality.generator.config",
    "parse_config": "reality.generator.config",
    "ConfigError": "reality.generator.config",
    "GenConfig": "reality.generator.config",
    "run": "reality.generator.pipeline",
    "Generator": "reality.generator.pipeline",
    "RunResult": "reality.generator.pipeline",
    "estimate": "reality.generator.estimate",
    "bakeoff": "reality.generator.bakeoff",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'reality.generator' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = list(_LAZY)
