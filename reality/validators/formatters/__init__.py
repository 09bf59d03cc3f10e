"""Output formats of ``reality validate``: text (rich), json, github, sarif.

Each formatter has ``start()``, ``record(result)`` (called in input order, as records are
validated) and ``finish(summary)``; they write to a text stream, so output streams and
memory stays flat (SARIF keeps only the findings, never the records).
"""

from __future__ import annotations

import importlib
from typing import IO, Any

FORMATS = {
    "text": "reality.validators.formatters.text:TextFormatter",
    "json": "reality.validators.formatters.json_format:JsonFormatter",
    "github": "reality.validators.formatters.github:GithubFormatter",
    "sarif": "reality.validators.formatters.sarif:SarifFormatter",
}


def get_formatter(name: str, stream: IO[str], **options: Any) -> Any:
    module_name, cls_name = FORMATS[name].split(":")
    return getattr(importlib.import_module(module_name), cls_name)(stream, **options)
