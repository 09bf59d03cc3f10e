"""`reality check`: is this training plan possible, what does it need, and what would work instead."""

from __future__ import annotations

import argparse
import json
import re
import sys

DESCRIPTION = (
    "Check a training plan. Give it as text (\"20B, 50GB, $500\") and/or flags; flags win. "
    "Exit 0 feasible, 1 infeasible, 3 unknown, 2 unreadable input."
)
EXIT_INFEASIBLE, EXIT_USAGE, EXIT_UNKNOWN = 1, 2, 3


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("text", nargs="*", help="the plan in words, e.g. '7B qlora 5k examples A100 3 epochs'")
    p.add_argument("--params", help="model size, e.g. 7B")
    p.add_argument("--model", help="a model name from the catalogue, e.g. llama-3.1-8b")
    p.add_argument("--method", choices=["full", "lora", "qlora", "pretraining", "dpo-full", "dpo-lora", "dpo-qlora"])
    p.add_argument("--optimizer", choices=["adamw", "adamw-8bit", "adamw-bf16", "paged-adamw-8bit"])
    p.add_argument("--gpu", help="GPU type, read loosely: 'A100 80GB', 'h100', 'RTX 4090'")
    p.add_argument("--gpus", type=int, help="number of GPUs (default: the fewest that fit)")
    data = p.add_mutually_exclusive_group()
    data.add_argument("--tokens", help="dataset tokens per epoch, e.g. 1.2B")
    data.add_argument("--dataset", help="raw dataset size, e.g. 50GB")
    data.add_argument("--examples", help="number of examples, e.g. 5k")
    p.add_argument("--tokens-per-example", type=float)
    p.add_argument("--epochs", type=float)
    p.add_argument("--seq-len", type=int)
    p.add_argument("--micro-batch", type=int)
    p.add_argument("--checkpointing", choices=["none", "selective", "full"])
    p.add_argument("--budget", help="USD, e.g. 500 or 1.2k")
    p.add_argument("--deadline", help="e.g. 12h, 3d, 1w")
    p.add_argument("--price", type=float, help="USD per GPU-hour (overrides the knowledge base)")
    p.add_argument("--provider-class", choices=["marketplace", "specialist", "hyperscaler"])
    p.add_argument("--kb", action="append", default=[], metavar="DIR", help="extra knowledge-base directory")
    p.add_argument("--json", action="store_true", help="print the machine-readable result")


_SCALE = {"": 1, "k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}
_TIME = {"m": 1 / 60, "min": 1 / 60, "h": 1, "hr": 1, "d": 24, "day": 24, "days": 24, "w": 168, "week": 168}
_BYTES = {"kb": 1e-6, "mb": 1e-3, "gb": 1, "tb": 1e3, "gib": 2**30 / 1e9, "tib": 2**40 / 1e9}


def _amount(text: str, table: dict[str, float], what: str, default_unit: str = "") -> float:
    m = re.fullmatch(r"\s*\$?\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*", text.lower().replace(",", ""))
    if not m or (m.group(2) or default_unit) not in table:
        raise ValueError(f"cannot read {what} {text!r}")
    value = float(m.group(1)) * table[m.group(2) or default_unit]
    if value <= 0:
        raise ValueError(f"{what} must be positive, got {text!r}")
    return value


def overrides_from(args: argparse.Namespace):

    fields = {
        "model": args.model,
        "method": args.method,
        "optimizer": args.optimizer,
        "gpus": args.gpus,
        "tokens_per_example": args.tokens_per_example,
        "epochs": args.epochs,
        "seq_len": args.seq_len,
        "micro_batch": args.micro_batch,
        "checkpointing": args.checkpointing,
        "price_usd_per_gpu_hour": args.price,
        "provider_class": args.provider_class,
    }
    if args.params:
        fields["params"] = _amount(args.params, _SCALE, "--params")
    if args.tokens:
        fields["tokens"] = _amount(args.tokens, _SCALE, "--tokens")
    if args.examples:
        fields["examples"] = _amount(args.examples, _SCALE, "--examples")
    if args.dataset:
        fields["dataset_gb"] = _amount(args.dataset, _BYTES, "--dataset", "gb")
    if args.budget:
        fields["budget_usd"] = _amount(args.budget, _SCALE, "--budget")
    if args.deadline:
        fields["deadline_hours"] = _amount(args.deadline, _TIME, "--deadline", "h")
    return fields


def run(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from reality.calculators import Scenario, ScenarioError, check
    from reality.knowledge import KnowledgeError, load_kb

    try:
        kb = load_kb(args.kb)
        fields = overrides_from(args)
        if args.gpu:
            gpu = kb.gpu(args.gpu)
            if gpu is None:
                raise ScenarioError(f"unknown GPU {args.gpu!r}; known: {', '.join(g.name for g in kb.gpus)}")
            fields["gpu"] = gpu.id
        if args.model:
            model = kb.model(args.model)
            if model is None:
                raise ScenarioError(f"unknown model {args.model!r}; give --params instead")
            fields["model"] = model.id
        overrides = Scenario(**{k: v for k, v in fields.items() if v is not None})
        report = check(" ".join(args.text), overrides, kb)
    except (ScenarioError, ValueError, ValidationError) as exc:
        message = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
        print(f"reality check: {message}", file=sys.stderr)
        return EXIT_USAGE
    except KnowledgeError as exc:
        print(f"reality check: the knowledge base does not load:\n{exc}", file=sys.stderr)
        return EXIT_USAGE

    if args.json:
        json.dump(report.to_json(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        from reality.commands.check_render import render

        render(report)
    return {"feasible": 0, "infeasible": EXIT_INFEASIBLE}.get(report.verdict, EXIT_UNKNOWN)
