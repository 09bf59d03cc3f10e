"""VRAM measurements from tests/data/calibration/vram_measurements.yaml as engine scenarios.

Each case says which measurement it reproduces and, where the source leaves a setting out,
what we assume. Used by tests/test_calibration.py and bench/bench_calibration.py.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from reality.calculators import Scenario, estimate
from reality.knowledge import load_kb

DATA = Path(__file__).parent / "data" / "calibration"
GIB = 2**30 / 1e9

# measurement id -> scenario fields (gpu: the GPU the source used, or one of the same memory size)
CASES: dict[str, dict] = {
    "qlora-llama65b-full16-requirement": {"model": "llama-1-65b", "method": "full", "gpu": "h100-sxm", "gpus": 1},
    # 48 GB GPU: L40S has the same 48 GB; micro-batch 4 and 528 tokens from the repo script.
    "qlora-llama65b-qlora-48gb": {"model": "llama-1-65b", "method": "qlora", "gpu": "l40s", "gpus": 1,
                                  "micro_batch": 4, "seq_len": 528},
    # 24 GB consumer GPU; sequence 528 (source 16 + target 512) and micro-batch 1 assumed from the scripts.
    "qlora-llama33b-qlora-24gb": {"model": "llama-1-33b", "method": "qlora", "gpu": "rtx-4090", "gpus": 1,
                                  "micro_batch": 1, "seq_len": 528},
    "peft-t0-3b-full": {"params": 3e9, "method": "full", "gpu": "a100-80gb", "gpus": 1, "seq_len": 512, "micro_batch": 1},
    "peft-t0-3b-lora": {"optimizer": "adamw-fp32", "params": 3e9, "method": "lora", "gpu": "a100-80gb", "gpus": 1, "seq_len": 512, "micro_batch": 1},
    "peft-t0-3b-lora-ds-offload": {"params": 3e9, "method": "lora", "gpu": "a100-80gb", "gpus": 1, "offload": "optimizer",
                                   "seq_len": 512, "micro_batch": 1},
    "peft-mt0-xxl-12b-full": {"params": 12e9, "method": "full", "gpu": "a100-80gb", "gpus": 1, "seq_len": 512, "micro_batch": 1},
    "peft-mt0-xxl-12b-lora": {"optimizer": "adamw-fp32", "params": 12e9, "method": "lora", "gpu": "a100-80gb", "gpus": 1, "seq_len": 512, "micro_batch": 1},
    "peft-mt0-xxl-12b-lora-ds-offload": {"params": 12e9, "method": "lora", "gpu": "a100-80gb", "gpus": 1, "offload": "optimizer",
                                         "seq_len": 512, "micro_batch": 1},
    "peft-bloomz-7b1-full": {"params": 7.1e9, "method": "full", "gpu": "a100-80gb", "gpus": 1, "seq_len": 512, "micro_batch": 1},
    "peft-bloomz-7b1-lora": {"optimizer": "adamw-fp32", "params": 7.1e9, "method": "lora", "gpu": "a100-80gb", "gpus": 1, "seq_len": 512, "micro_batch": 1},
    "peft-bloomz-7b1-lora-ds-offload": {"params": 7.1e9, "method": "lora", "gpu": "a100-80gb", "gpus": 1, "offload": "optimizer",
                                        "seq_len": 512, "micro_batch": 1},
    # torchtune single-device full recipe: paged 8-bit AdamW with the optimizer step in backward.
    "torchtune-8b-full-4090": {"model": "llama-3.1-8b", "method": "full", "optimizer": "paged-adamw-8bit",
                               "gpu": "rtx-4090", "gpus": 1, "micro_batch": 2, "seq_len": 2048},
    # RTX A6000 (48 GB) is not in the knowledge base; the L40S has the same 48 GB.
    "torchtune-8b-full-a6000": {"model": "llama-3.1-8b", "method": "full", "optimizer": "paged-adamw-8bit",
                                "gpu": "l40s", "gpus": 1, "micro_batch": 2, "seq_len": 2048},
    "torchtune-8b-lora-4090": {"model": "llama-3.1-8b", "method": "lora", "gpu": "rtx-4090", "gpus": 1,
                               "micro_batch": 2, "seq_len": 2048},
    "torchtune-8b-lora-a6000": {"model": "llama-3.1-8b", "method": "lora", "gpu": "l40s", "gpus": 1,
                                "micro_batch": 2, "seq_len": 2048},
    "torchtune-8b-qlora-4090": {"model": "llama-3.1-8b", "method": "qlora", "gpu": "rtx-4090", "gpus": 1,
                                "micro_batch": 2, "seq_len": 2048},
    "torchtune-70b-full-8xa100": {"model": "llama-3.1-70b", "method": "full", "offload": "all", "gpu": "a100-80gb",
                                  "gpus": 8, "micro_batch": 2, "seq_len": 2048},
    "torchtune-70b-lora-8xa100": {"model": "llama-3.1-70b", "method": "lora", "gpu": "a100-80gb", "gpus": 8,
                                  "micro_batch": 2, "seq_len": 2048},
    "torchtune-405b-qlora-8xa100": {"model": "llama-3.1-405b", "method": "qlora", "gpu": "a100-80gb", "gpus": 8,
                                    "micro_batch": 2, "seq_len": 2048},
}  # fmt: skip


def vram_cases() -> list[dict]:
    kb = load_kb()
    measurements = {m["id"]: m for m in yaml.safe_load((DATA / "vram_measurements.yaml").read_text())["measurements"]}
    out = []
    for case_id, fields in CASES.items():
        m = measurements[case_id]
        report = estimate(Scenario(**fields), kb, suggest=False)
        vram = report.estimates["vram_per_gpu_gb"]
        if case_id == "qlora-llama65b-full16-requirement":
            measured = None  # a lower bound on the total ("more than 780 GB"): checked as fits=false only
        elif m["peak_vram_gb"] is None:
            measured = None
        else:
            measured = float(m["peak_vram_gb"]) * (GIB if "GiB" in str(m["vram_unit"]) else 1.0)
        engine_fits = report.fit == "fits"
        out.append(
            {
                "id": case_id,
                "low": vram.low,
                "mid": vram.mid,
                "high": vram.high,
                "fits": m["fits"],
                "engine_fits": engine_fits,
                "fits_ok": m["fits"] is None or engine_fits == m["fits"],
                "measured": measured,
                "range_ok": measured is None or vram.low / 1.5 <= measured <= vram.high * 1.5,
            }
        )
    return out
