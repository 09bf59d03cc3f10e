"""Judge prompts and a tolerant parser for the judge's scores.

The parser never raises: it tries strict JSON, then the outermost ``{...}`` after stripping
code fences, then light repairs (trailing commas, single quotes, bare keys), and finally a
regex over ``criterion: score`` pairs. Scores such as ``"4/5"``, ``"4.5"`` or ``4`` are read;
anything outside 1-5 is clamped; a criterion whose score cannot be read is left out of the
average and reported, so one bad score affects one response, never a batch.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

SCORE_MIN, SCORE_MAX = 1.0, 5.0


@dataclass
class JudgeResult:
    scores: dict[str, dict[str, Any]] = field(default_factory=dict)  # criterion -> {"score", "reasoning"}
    missing: list[str] = field(default_factory=list)
    ok: bool = False

    @property
    def total(self) -> float | None:
        vals = [v["score"] for v in self.scores.values() if v.get("score") is not None]
        return round(sum(vals) / len(vals), 4) if vals else None


def criteria_block(criteria: dict[str, str]) -> str:
    return "\n".join(f"- {name}: {desc}" for name, desc in criteria.items())


def format_block(criteria: dict[str, str], explanations: bool) -> str:
    if explanations:
        body = ", ".join(f'"{c}": {{"score": 1-5, "reasoning": "one or two sentences"}}' for c in criteria)
    else:
        body = ", ".join(f'"{c}": 1-5' for c in criteria)
    return f"Return ONLY valid JSON, no markdown: {{{body}}}"


def _score(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        v = float(value)
    elif isinstance(value, str):
        m = re.search(r"(-?\d+(?:\.\d+)?)(?:\s*/\s*(\d+(?:\.\d+)?))?", value)
        if not m:
            return None
        v = float(m.group(1))
        if m.group(2):
            denom = float(m.group(2))
            if denom > 0 and denom != SCORE_MAX:
                v = v / denom * SCORE_MAX
    elif isinstance(value, dict):
        for k in ("score", "rating", "value"):
            if k in value:
                return _score(value[k])
        return None
    else:
        return None
    if v != v:  # NaN
        return None
    return min(SCORE_MAX, max(SCORE_MIN, v))


def _candidates(text: str) -> list[str]:
    out = [text]
    stripped = re.sub(r"```(?:json|JSON)?\s*", "", text).replace("```", "")
    out.append(stripped)
    start = stripped.find("{")
    end = stripped.rfind("}")
    if start != -1 and end > start:
        blob = stripped[start : end + 1]
        out.append(blob)
        fixed = re.sub(r",\s*([}\]])", r"\1", blob)  # trailing commas
        fixed = re.sub(r"(?<=[{,\s])([A-Za-z_][A-Za-z0-9_]*)\s*:", r'"\1":', fixed)  # bare keys
        out.append(fixed)
        out.append(fixed.replace("'", '"'))
    elif start != -1:  # truncated JSON: close it
        blob = stripped[start:]
        out.append(blob + "}" * max(1, blob.count("{") - blob.count("}")))
    return out


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def parse_judge(text: str, criteria: list[str] | None) -> JudgeResult:
    data: Any = None
    for cand in _candidates(text or ""):
        try:
            data = json.loads(cand)
            break
        except (ValueError, TypeError):
            continue
    found: dict[str, dict[str, Any]] = {}
    if isinstance(data, dict):
        if len(data) == 1 and isinstance(next(iter(data.values())), dict) and criteria and _norm(next(iter(data))) not in {_norm(c) for c in criteria}:
            inner = next(iter(data.values()))  # {"scores": {...}} wrapper
            if any(isinstance(v, (int, float, str, dict)) for v in inner.values()):
                data = inner
        for k, v in data.items():
            s = _score(v)
            reasoning = v.get("reasoning") or v.get("explanation") or "" if isinstance(v, dict) else ""
            if s is not None:
                found[_norm(k)] = {"score": s, "reasoning": str(reasoning)}
    if not found:  # regex fallback: "criterion": 4  /  criterion - score: 4
        for m in re.finditer(
            r'"?([A-Za-z_][A-Za-z0-9_ ]{1,40})"?\s*[:=]\s*\{?\s*(?:"?score"?\s*[:=]\s*)?"?(\d+(?:\.\d+)?)', text or ""
        ):
            name = _norm(m.group(1))
            if name in ("score", "reasoning"):
                continue
            s = _score(m.group(2))
            if s is not None:
                found.setdefault(name, {"score": s, "reasoning": ""})
    result = JudgeResult()
    if criteria:
        for c in criteria:
            key = _norm(c)
            if key in found:
                result.scores[c] = found[key]
            else:
                result.missing.append(c)
    else:
        result.scores = found
    result.ok = bool(result.scores)
    return result
