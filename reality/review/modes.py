"""Dataset modes (sft, dpo, kto, mo-dpo): their fields, detection and reading of JSONL files."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Mode:
    name: str
    required: tuple[str, ...]
    text: tuple[str, ...]  # text fields, in display order
    taught: tuple[str, ...]  # fields the model is trained to produce (cross-referenced)
    extra: tuple[str, ...] = ()  # mode-specific columns dropped when projecting to another mode


MODES: dict[str, Mode] = {
    "sft": Mode("sft", ("instruction", "output"), ("instruction", "output"), ("output",)),
    "dpo": Mode("dpo", ("prompt", "chosen", "rejected"), ("prompt", "chosen", "rejected"), ("chosen",)),
    "kto": Mode("kto", ("prompt", "completion", "label"), ("prompt", "completion"), ("completion",)),
    "mo-dpo": Mode(
        "mo-dpo",
        ("prompt", "chosen", "rejected", "chosen_scores", "rejected_scores"),
        ("prompt", "chosen", "rejected"),
        ("chosen",),
        ("chosen_scores", "rejected_scores"),  # per-criterion scores; totals stay as plain columns
    ),
}
# A merged file may be projected to a simpler mode: mo-dpo records are dpo records with scores.
PROJECTIONS = {("mo-dpo", "dpo")}

# Columns the merge adds; an input that already has them (a merged file) is re-tagged.
META = ("id", "provenance", "confidence", "confidence_reasons")


class InputError(Exception):
    """An input that cannot be merged: unreadable, not JSONL, or the wrong schema."""


def detect_mode(record: dict[str, Any]) -> str | None:
    keys = record.keys()
    if "chosen_scores" in keys and {"prompt", "chosen", "rejected"} <= keys:
        return "mo-dpo"
    if {"prompt", "chosen", "rejected"} <= keys:
        return "dpo"
    if {"prompt", "completion", "label"} <= keys:
        return "kto"
    if {"instruction", "output"} <= keys:
        return "sft"
    return None


def taught_fields(record: dict[str, Any], mode: Mode) -> tuple[str, ...]:
    """Fields whose claims the model learns: a KTO completion only when labelled desirable."""
    if mode.name == "kto" and record.get("label") is not True:
        return ()
    return mode.taught


def content_id(record: dict[str, Any], mode: Mode) -> str:
    """Stable id of a record's content (its text fields and, for KTO, the label)."""
    payload = [record.get(f) for f in mode.text]
    if mode.name == "kto":
        payload.append(record.get("label"))
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
    return hashlib.sha1(data).hexdigest()[:16]  # noqa: S324 - an identifier, not security


def read_jsonl(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, record) for each non-blank line; InputError names file:line on bad JSON."""
    try:
        handle = open(path, encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    with handle:
        try:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(f"{path}:{number}: not valid JSON: {exc.msg} (column {exc.colno})") from None
                if not isinstance(record, dict):
                    raise InputError(f"{path}:{number}: a record must be a JSON object, got {type(record).__name__}")
                yield number, record
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: not UTF-8 text: {exc.reason}") from None


def check_record(record: dict[str, Any], mode: Mode, where: str) -> None:
    missing = [f for f in mode.required if f not in record]
    if missing:
        raise InputError(f"{where}: {mode.name} record lacks {', '.join(missing)}")
    for f in mode.text:
        if not isinstance(record.get(f), str):
            raise InputError(f"{where}: field {f!r} must be a string, got {type(record.get(f)).__name__}")
    if mode.name == "kto" and not isinstance(record.get("label"), bool):
        raise InputError(f"{where}: field 'label' must be true or false")
