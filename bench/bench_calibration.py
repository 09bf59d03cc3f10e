"""Accuracy of the engine on published runs and VRAM measurements.

    python bench/bench_calibration.py

For every run in tests/data/calibration/training_runs.yaml whose inputs are known
(run_inputs.yaml), prints the engine's mid GPU-hours, the published figure and their ratio,
next to the plain rule of thumb (6 N D at 40% MFU on the same GPU's dense peak).
Then checks the VRAM measurements: fits / does-not-fit, and measured peaks within the
estimate's range widened by 1.5x.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT / "tests" / "data" / "calibration"

from reality.calculators import Scenario, estimate  # noqa: E402
from reality.knowledge import load_kb  # noqa: E402


def published_gpu_hours(run: dict) -> float | None:
    if run.get("gpu_hours"):
        return float(run["gpu_hours"])
    if run.get("wall_hours") and run.get("gpu_count"):
        return float(run["wall_hours"]) * run["gpu_count"]
    return None


def gpu_hour_rows() -> list[dict]:
    kb = load_kb()
    runs = {r["id"]: r for r in yaml.safe_load((DATA / "training_runs.yaml").read_text())["runs"]}
    inputs = yaml.safe_load((DATA / "run_inputs.yaml").read_text())["runs"]
    rows = []
    for run_id, fields in inputs.items():
        published_gpus = fields.get("published_gpus")
        fields = {k: v for k, v in fields.items() if k not in ("derived", "published_gpus")}
        report = estimate(Scenario(**fields), kb, suggest=False)
        run = dict(runs[run_id], gpu_count=published_gpus or runs[run_id]["gpu_count"])
        actual = published_gpu_hours(run)
        ours = report.estimates["gpu_hours"]
        r = report.resolved
        tokens = report.estimates["tokens"].mid
        thumb = 6 * r.params * tokens / (r.gpu.bf16_dense.value * 1e12 * 0.40) / 3600
        rows.append(
            {"id": run_id, "actual": actual, "low": ours.low, "mid": ours.mid, "high": ours.high,
             "ratio": ours.mid / actual, "thumb": thumb, "thumb_ratio": thumb / actual}
        )  # fmt: skip
    return rows


def vram_rows() -> list[dict]:
    """Measurements with enough inputs to estimate: model size, method, GPU (if fits is stated)."""
    from tests.calibration_cases import vram_cases

    return vram_cases()


def main() -> None:
    rows = gpu_hour_rows()
    print(f"{'run':36} {'published':>10} {'engine mid':>11} {'ratio':>6} {'in range':>8} {'6ND@40%':>9} {'ratio':>6}")
    for row in rows:
        in_range = row["low"] / 2 <= row["actual"] <= row["high"] * 2
        print(
            f"{row['id']:36} {row['actual']:10.4g} {row['mid']:11.4g} {row['ratio']:6.2f} {'yes' if in_range else 'no':>8} "
            f"{row['thumb']:9.4g} {row['thumb_ratio']:6.2f}"
        )

    def within2(key: str) -> int:
        return sum(0.5 <= r[key] <= 2 for r in rows)

    def log_err(key: str) -> float:
        import math

        return sum(abs(math.log(r[key])) for r in rows) / len(rows)

    n = len(rows)
    print(f"\nengine mid within 2x: {within2('ratio')}/{n} ({within2('ratio') / n:.0%}); mean |log ratio| {log_err('ratio'):.3f}")
    print(f"6ND@40% within 2x:    {within2('thumb_ratio')}/{n} ({within2('thumb_ratio') / n:.0%}); mean |log ratio| {log_err('thumb_ratio'):.3f}")

    print("\nVRAM measurements")
    ok_fit = ok_range = total_fit = total_range = 0
    for case in vram_rows():
        line = f"  {case['id']:42} est {case['low']:6.1f}-{case['high']:6.1f} GB (mid {case['mid']:6.1f})"
        if case["fits"] is not None:
            total_fit += 1
            ok_fit += case["fits_ok"]
            line += f"  fits={case['fits']} engine={case['engine_fits']} {'OK' if case['fits_ok'] else 'WRONG'}"
        if case["measured"] is not None:
            total_range += 1
            ok_range += case["range_ok"]
            line += f"  measured {case['measured']:.1f} GB {'in' if case['range_ok'] else 'OUT of'} 1.5x range"
        print(line)
    print(f"fits/does-not-fit right: {ok_fit}/{total_fit}; measured peaks within range x1.5: {ok_range}/{total_range}")


if __name__ == "__main__":
    main()
