"""``--format github``: GitHub Actions workflow commands (annotations on the PR diff).

One line per finding: ``::error file=data.jsonl,line=12,title=R301 claim-out-of-range::message``.
Info findings become ``::notice``. Properties and the message are escaped as the runner
requires (``%``, CR, LF; plus ``:`` and ``,`` in properties).
"""

from __future__ import annotations

from typing import IO

from reality.validators.findings import Finding, RecordResult, Summary

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(f: Finding) -> str:
    props = []
    if f.file:
        props.append(f"file={_prop(f.file)}")
    if f.line:
        props.append(f"line={f.line}")
    title = f"{f.rule} {f.title}" if f.title else f.rule
    props.append(f"title={_prop(title)}")
    where = f"record {f.index}" + (f", {f.field}" if f.field else "") if f.index is not None else ""
    message = f"{f.message}" + (f" [{where}]" if where else "")
    if f.fix:
        message += f"\nFix: {f.fix}"
    return f"::{_LEVEL.get(f.severity, 'warning')} {','.join(props)}::{_data(message)}"


class GithubFormatter:
    def __init__(self, stream: IO[str], **_: object):
        self.stream = stream

    def start(self) -> None:
        pass

    def record(self, result: RecordResult) -> None:
        for f in result.findings:
            self.stream.write(annotation(f) + "\n")

    def finish(self, summary: Summary) -> None:
        for f in summary.dataset_findings:
            self.stream.write(annotation(f) + "\n")
        self.stream.write(
            f"reality validate: {summary.records} records, {summary.rejected} rejected, "
            f"{summary.errors} errors, {summary.by_severity.get('warning', 0)} warnings\n"
        )
