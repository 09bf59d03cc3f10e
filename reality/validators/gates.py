"""Record-level quality gates: dataset-mode schema and word counts.

Modes (the dataset-modes seed and TRL's dataset formats):

* ``sft``  — ``instruction``/``output`` (VellumForge2), or TRL ``prompt``/``completion``,
  ``text`` (language modelling) or ``messages`` (conversational language modelling);
* ``dpo``  — ``prompt``, ``chosen``, ``rejected`` (``prompt`` may be absent: TRL's implicit
  prompt, reported as a warning);
* ``kto``  — ``prompt``, ``completion``, ``label`` (a JSON boolean);
* ``mo-dpo`` — the dpo fields plus ``chosen_scores``/``rejected_scores`` (criterion ->
  ``{score, reasoning}``), ``chosen_score_total``, ``rejected_score_total``,
  ``preference_margin``.

Every text field may be a string (TRL "standard") or a list of ``{"role", "content"}``
messages (TRL "conversational"). ``main_topic``/``sub_topic`` are optional strings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Emit = Callable[..., None]

MODE_FIELDS: dict[str, tuple[str, ...]] = {
    "sft": ("instruction", "output"),
    "dpo": ("prompt", "chosen", "rejected"),
    "kto": ("prompt", "completion", "label"),
    "mo-dpo": (
        "prompt", "chosen", "rejected", "chosen_scores", "rejected_scores",
        "chosen_score_total", "rejected_score_total", "preference_margin",
    ),
}
_MO_DPO_MARKERS = ("chosen_scores", "rejected_scores", "chosen_score_total", "rejected_score_total", "preference_margin")
TEXT_TYPE = "a string or a list of {role, content} messages"


def detect_mode(record: Mapping[str, Any]) -> str | None:
    """The dataset mode a record's columns say it is in (``None`` if they say nothing)."""
    if any(k in record for k in _MO_DPO_MARKERS):
        return "mo-dpo"
    if "chosen" in record or "rejected" in record:
        return "dpo"
    if "label" in record and "completion" in record:
        return "kto"
    if any(k in record for k in ("instruction", "output", "completion", "text", "messages")):
        return "sft"
    return None


def _is_messages(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) > 0
        and all(isinstance(m, dict) and isinstance(m.get("role"), str) and isinstance(m.get("content"), str) for m in value)
    )


def text_of(value: Any, roles: tuple[str, ...] | None = None) -> str:
    """The text of a standard (string) or conversational (messages) field."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        parts = [
            m["content"] for m in value
            if isinstance(m, dict) and isinstance(m.get("content"), str) and (roles is None or m.get("role") in roles)
        ]
        return "\n\n".join(parts)
    return ""


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {str: "a string", bool: "a boolean", int: "a number", float: "a number", list: "a list", dict: "an object"}.get(
        type(value), type(value).__name__
    )


def texts(record: Mapping[str, Any], mode: str | None) -> dict[str, str]:
    """Role -> text for the gates and the claim checks: ``prompt``, ``chosen``, ``rejected``.

    SFT outputs and KTO completions with ``label: true`` count as ``chosen``; KTO
    completions with ``label: false`` as ``rejected``. A ``messages`` record is split into
    the turns before the last assistant message (prompt) and that message (chosen).
    """
    out: dict[str, str] = {}
    if "messages" in record and isinstance(record["messages"], list):
        msgs = record["messages"]
        last = max((i for i, m in enumerate(msgs) if isinstance(m, dict) and m.get("role") == "assistant"), default=None)
        if last is not None:
            out["prompt"] = text_of(msgs[:last], ("user", "system"))
            out["chosen"] = text_of([msgs[last]])
        else:
            out["prompt"] = text_of(msgs)
        return out
    prompt = record.get("prompt", record.get("instruction"))
    if prompt is not None:
        out["prompt"] = text_of(prompt, ("user", "system"))
    if mode == "kto" or ("completion" in record and "label" in record):
        if "completion" in record:
            key = "chosen" if record.get("label") is True else "rejected"
            out[key] = text_of(record["completion"], ("assistant",))
        return out
    for key, role in (("chosen", "chosen"), ("rejected", "rejected"), ("output", "chosen"), ("completion", "chosen")):
        if key in record and role not in out:
            out[role] = text_of(record[key], ("assistant",))
    if "text" in record and not out:
        out["text"] = text_of(record["text"])
    return out


def check_schema(record: Mapping[str, Any], mode: str, emit: Emit) -> None:
    """Emit schema observations for ``record`` against ``mode``."""
    record_mode = detect_mode(record)
    if record_mode is not None and record_mode != mode and not (mode == "mo-dpo" and record_mode == "dpo"):
        # A dpo file may not hold kto rows and vice versa; mo-dpo rows missing score fields
        # are reported field by field below instead.
        if not (mode == "dpo" and record_mode == "mo-dpo"):
            emit("schema.mode_mismatch", {"mode": mode, "record_mode": record_mode})
            return
    if record_mode is None:
        emit("schema.mode_mismatch", {"mode": mode, "record_mode": "no known mode (fields: "
                                       + ", ".join(sorted(map(str, record))[:8]) + ")"})
        return

    def need(name: str) -> bool:
        if name not in record:
            emit("schema.missing_field", {"mode": mode}, field=name)
            return False
        return True

    def text_field(name: str, required: bool = True) -> None:
        if name not in record:
            if required:
                emit("schema.missing_field", {"mode": mode}, field=name)
            return
        value = record[name]
        if isinstance(value, str):
            if not value.strip():
                emit("schema.empty_text", {}, field=name)
        elif _is_messages(value):
            if not text_of(value).strip():
                emit("schema.empty_text", {}, field=name)
        else:
            emit("schema.wrong_type", {"mode": mode, "expected": TEXT_TYPE, "got": _type_name(value)}, field=name)

    for optional in ("main_topic", "sub_topic"):
        if optional in record and not isinstance(record[optional], str):
            emit("schema.wrong_type", {"mode": mode, "expected": "a string", "got": _type_name(record[optional])},
                 field=optional)

    if mode == "sft":
        if "messages" in record:
            if not _is_messages(record["messages"]):
                emit("schema.wrong_type", {"mode": mode, "expected": "a list of {role, content} messages",
                                           "got": _type_name(record["messages"])}, field="messages")
        elif "text" in record and not any(k in record for k in ("instruction", "output", "prompt", "completion")):
            text_field("text")
        elif "instruction" in record or "output" in record:
            text_field("instruction")
            text_field("output")
        else:
            text_field("prompt")
            text_field("completion")
        return

    if mode == "kto":
        text_field("prompt")
        text_field("completion")
        if need("label") and not isinstance(record["label"], bool):
            emit("schema.wrong_type", {"mode": mode, "expected": "true or false", "got": _type_name(record["label"])},
                 field="label")
        return

    # dpo / mo-dpo
    if "prompt" in record:
        text_field("prompt")
    elif mode == "dpo":
        emit("schema.implicit_prompt", {"mode": mode}, field="prompt")
    else:
        emit("schema.missing_field", {"mode": mode}, field="prompt")
    text_field("chosen")
    text_field("rejected")
    if mode != "mo-dpo":
        return
    totals: dict[str, float] = {}
    for side in ("chosen", "rejected"):
        name = f"{side}_scores"
        if need(name):
            scores = record[name]
            if not isinstance(scores, dict) or not scores:
                emit("schema.wrong_type", {"mode": mode, "expected": "an object of criterion -> {score, reasoning}",
                                           "got": _type_name(scores)}, field=name)
            else:
                for criterion, entry in scores.items():
                    score = entry.get("score") if isinstance(entry, dict) else entry
                    where = f"{name}.{criterion}"
                    if isinstance(score, bool) or not isinstance(score, int | float):
                        emit("schema.wrong_type", {"mode": mode, "expected": "a number", "got": _type_name(score)},
                             field=f"{where}.score")
                    else:
                        emit("schema.score_range", {"score": float(score)}, field=f"{where}.score")
                    if isinstance(entry, dict) and "reasoning" in entry and not isinstance(entry["reasoning"], str):
                        emit("schema.wrong_type", {"mode": mode, "expected": "a string",
                                                   "got": _type_name(entry["reasoning"])}, field=f"{where}.reasoning")
        total_name = f"{side}_score_total"
        if need(total_name):
            value = record[total_name]
            if isinstance(value, bool) or not isinstance(value, int | float):
                emit("schema.wrong_type", {"mode": mode, "expected": "a number", "got": _type_name(value)}, field=total_name)
            else:
                totals[side] = float(value)
    if need("preference_margin"):
        margin = record["preference_margin"]
        if isinstance(margin, bool) or not isinstance(margin, int | float):
            emit("schema.wrong_type", {"mode": mode, "expected": "a number", "got": _type_name(margin)},
                 field="preference_margin")
        elif len(totals) == 2:
            emit("schema.score_total", {"margin": float(margin), "chosen_total": totals["chosen"],
                                        "rejected_total": totals["rejected"]}, field="preference_margin")


def word_count(text: str) -> int:
    """Whitespace-separated words (markdown markers such as ``**1.`` count as words)."""
    if text.isascii():
        # = len(text.split()) without building the words: map whitespace to " " and everything
        # else to "a", then count where a word starts
        marks = text.encode("ascii").translate(_WORD_MARKS)
        return marks.count(b" a") + marks.startswith(b"a")
    return len(text.split())


_WORD_MARKS = bytes(32 if chr(i).isspace() else 97 for i in range(256))


def check_words(parts: Mapping[str, str], emit: Emit) -> None:
    counts: dict[str, int] = {}
    for role in ("prompt", "chosen", "rejected"):
        if role in parts:
            counts[role] = word_count(parts[role])
            emit(f"words.{role}", {"words": counts[role]}, field=role)
    if "chosen" in counts and "rejected" in counts and counts["rejected"] > 0:
        emit("words.ratio", {"ratio": counts["chosen"] / counts["rejected"], "chosen_words": counts["chosen"],
                             "rejected_words": counts["rejected"]}, field="chosen")
