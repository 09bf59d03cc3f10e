"""``--format text``: a readable report (rich when the stream is a terminal, plain otherwise).

Per record with findings: its verdict and location, then each finding with rule, severity,
message, the quoted span, the expected range and the sources. Accepted records without
findings are summarised in a count (``--show-all`` lists them too).
"""

from __future__ import annotations

from typing import IO

from reality.validators.findings import Finding, RecordResult, Summary
from reality.validators.rules import format_value

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


class TextFormatter:
    def __init__(self, stream: IO[str], show_all: bool = False, color: bool | None = None, **_: object):
        from rich.console import Console

        self.console = Console(file=stream, highlight=False, soft_wrap=True,
                               force_terminal=color if color is not None else None, no_color=color is False)
        self.show_all = show_all

    def start(self) -> None:
        pass

    def _finding(self, f: Finding) -> None:
        from rich.markup import escape

        where = f" [dim]{escape(f.field)}[/dim]" if f.field else ""
        self.console.print(f"  [{_STYLE.get(f.severity, '')}]{f.severity}[/] [bold]{f.rule}[/]{where}: {escape(f.message)}")
        if f.quote:
            self.console.print(f"      [dim]quote:[/] “{escape(f.quote)}”")
        if f.expected:
            e = f.expected
            self.console.print(
                f"      [dim]expected:[/] {format_value(float(e.get('low', 0)))}-{format_value(float(e.get('high', 0)))}"
                f" {escape(str(e.get('unit', '')))}"
            )
        for source in f.sources[:3]:
            self.console.print(f"      [dim]source:[/] {escape(source)}")
        if f.fix and f.severity == "error":
            self.console.print(f"      [dim]fix:[/] {escape(f.fix)}")

    def record(self, result: RecordResult) -> None:
        if not result.findings and not self.show_all:
            return
        from rich.markup import escape

        verdict = "[bold red]reject[/]" if result.verdict == "reject" else "[green]accept[/]"
        line = f":{result.line}" if result.line else ""
        self.console.print(f"{verdict} {escape(result.file)}{line} [dim](record {result.index})[/]")
        for f in result.findings:
            self._finding(f)

    def finish(self, summary: Summary) -> None:
        from rich.markup import escape

        if summary.dataset_findings:
            self.console.print("[bold]dataset[/]")
            for f in summary.dataset_findings:
                if f.file:
                    self.console.print(f"  [dim]{escape(f.file)}[/]")
                self._finding(f)
        style = "bold red" if summary.errors else "bold green"
        self.console.print(
            f"[{style}]{summary.records} records: {summary.accepted} accepted, {summary.rejected} rejected[/]"
            f" — {summary.errors} errors, {summary.by_severity.get('warning', 0)} warnings,"
            f" {summary.by_severity.get('info', 0)} info"
            + (f" [dim]({', '.join(f'{k} x{v}' for k, v in sorted(summary.by_rule.items()))})[/]" if summary.by_rule else "")
        )
