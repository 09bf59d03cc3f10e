"""Rich rendering of a check report: the plan, the estimates, the verdict, the arithmetic."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from reality.calculators import Report, fmt

ROWS = (
    ("vram_per_gpu_gb", "VRAM per GPU", "gb"),
    ("tokens", "tokens (all epochs)", "num"),
    ("throughput_tokens_per_s", "tokens/s per GPU", "num"),
    ("gpu_hours", "GPU-hours", "num"),
    ("wall_hours", "wall time", "hours"),
    ("price_usd_per_gpu_hour", "price per GPU-hour", "money"),
    ("cost_usd", "cost", "money"),
)
COLOUR = {"feasible": "green", "infeasible": "red", "unknown": "yellow"}


def render(report: Report, console: Console | None = None) -> None:
    console = console or Console()
    r = report.resolved
    model = r.model.name if r.model else f"{fmt.num(r.params)}-parameter model"
    console.print(
        f"[bold]Plan[/]: {r.method} of {model} on {report.gpus} x {r.gpu.name}, "
        f"seq {r.seq_len}, micro-batch {r.micro_batch}, {r.epochs:g} epoch(s)"
        + (f", budget {fmt.money(report.scenario.budget_usd)}" if report.scenario.budget_usd else "")
        + (f", deadline {fmt.hours(report.scenario.deadline_hours)}" if report.scenario.deadline_hours else "")
    )
    table = Table(show_header=True, header_style="bold")
    for column in ("estimate", "low", "mid", "high"):
        table.add_column(column, justify="right" if column != "estimate" else "left")
    for key, label, kind in ROWS:
        e = report.estimates.get(key)
        if e is None:
            continue
        f = {"gb": lambda v: f"{v:,.1f} GB", "num": fmt.num, "hours": fmt.hours, "money": fmt.money}[kind]
        table.add_row(label, f(e.low), f(e.mid), f(e.high))
    console.print(table)
    colour = COLOUR[report.verdict]
    vram = report.estimates.get("vram_per_gpu_gb")
    margin = ""
    if report.fit == "fits" and vram is not None and vram.high > report.capacity_gb:
        # "fits" is judged on the mid estimate; say so when the high end does not
        margin = f"; the high estimate, {vram.high:,.1f} GB, does not: little headroom"
    console.print(f"[bold {colour}]Verdict: {report.verdict.upper()}[/]  "
                  f"(memory: {report.fit} in {report.capacity_gb:,.1f} GB{margin})")
    for finding in report.findings:
        style = "red" if finding.severity == "error" else "yellow"
        console.print(f"  [{style}]{finding.severity}[/] {finding.rule}: {finding.message}")
    console.print("\n[bold]How it adds up[/]")
    for step in report.steps:
        console.print(f"  [cyan]{step.label}[/]: {step.formula}\n      = [bold]{step.result}[/]")
    if report.suggestions:
        console.print("\n[bold]What would work instead[/]")
        for s in report.suggestions:
            console.print(f"  - {s}")
    if report.assumptions:
        console.print("\n[bold]Assumptions[/]")
        for a in report.assumptions:
            console.print(f"  - {a}", style="dim")
    console.print("\n[bold]Sources[/]")
    for s in report.sources:
        console.print(f"  - {s}", style="dim", highlight=False)
