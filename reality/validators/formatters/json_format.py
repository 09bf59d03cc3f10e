"""``--format json``: DESIGN.md's interface, streamed.

``{"records": [{"file", "index", "line", "verdict": "accept"|"reject", "findings": [...]}],
"summary": {...}}`` — one entry per input record (a malformed line is a record whose
finding says so), in input order. Findings that belong to no single record (an empty file,
the persona / scenario mix) are in ``summary.dataset_findings``.
"""

from __future__ import annotations

import json
from typing import IO

from reality.validators.findings import RecordResult, Summary


class JsonFormatter:
    def __init__(self, stream: IO[str], **_: object):
        self.stream = stream
        self.first = True

    def start(self) -> None:
        self.stream.write('{"records": [')

    def record(self, result: RecordResult) -> None:
        self.stream.write(("\n" if self.first else ",\n") + _RECORD_ENCODER.encode(result.to_dict()))
        self.first = False

    def finish(self, summary: Summary) -> None:
        self.stream.write('\n], "summary": ' + json.dumps(summary.to_dict(), ensure_ascii=False, default=_default)
                          + "}\n")


def _default(value: object) -> object:
    return str(value)


# = json.dumps(..., ensure_ascii=False, allow_nan=False, default=_default), without building an
# encoder for every record
_RECORD_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, default=_default)
