"""The engine against published runs and VRAM measurements (tests/data/calibration)."""

import importlib.util
import math
from pathlib import Path

import pytest

from tests.calibration_cases import vram_cases

spec = importlib.util.spec_from_file_location("bench_calibration", Path(__file__).parents[1] / "bench" / "bench_calibration.py")
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def test_gpu_hours_within_2x_for_90_percent_and_better_than_rule_of_thumb():
    rows = bench.gpu_hour_rows()
    assert len(rows) >= 10
    within = [r for r in rows if 0.5 <= r["ratio"] <= 2]
    assert len(within) / len(rows) >= 0.9, [(r["id"], round(r["ratio"], 2)) for r in rows]
    ours = sum(abs(math.log(r["ratio"])) for r in rows)
    thumb = sum(abs(math.log(r["thumb_ratio"])) for r in rows)
    assert ours < thumb


@pytest.mark.parametrize("case", vram_cases(), ids=lambda c: c["id"])
def test_vram_measurements(case):
    assert case["fits_ok"], f"engine says fits={case['engine_fits']}, source says {case['fits']}"
    assert case["range_ok"], f"measured {case['measured']} GB outside [{case['low'] / 1.5:.1f}, {case['high'] * 1.5:.1f}]"
