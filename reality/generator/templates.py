"""Prompt templates with named variables, checked before the first request.

Syntax (a small, safe subset; nothing is ever evaluated):

- ``{{name}}`` or VellumForge2's ``{{.Name}}`` insert a variable. ``.CamelCase`` names are
  read as ``snake_case`` (``{{.MainTopic}}`` is ``main_topic``) and a few VellumForge2
  names are aliased (``{{.StoryText}}`` is ``response``, ``{{.SubTopic}}`` is ``sub_topic``,
  ``{{.ExcludeSubtopics}}`` is ``exclude``).
- ``{{if .Name}} ... {{else}} ... {{end}}`` includes text when the variable is truthy
  (not nested).

:func:`check_template` lists every variable a template uses and raises
:class:`TemplateError` for one that the template's role does not provide, so a typo stops
the run at start-up instead of failing every job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}", re.S)
_NAME = re.compile(r"^\.?([A-Za-z_][A-Za-z0-9_]*)$")
_IF = re.compile(r"^if\s+\.?([A-Za-z_][A-Za-z0-9_]*)$")

ALIASES = {
    "story_text": "response",
    "sub_topic": "sub_topic",
    "subtopic": "sub_topic",
    "exclude_subtopics": "exclude",
    "exclude_prompts": "exclude",
    "text": "response",
}

# Which variables each template may use.
VARIABLES: dict[str, frozenset[str]] = {
    "subtopics": frozenset({"main_topic", "num_subtopics", "is_retry", "exclude", "dataset_kind"}),
    "prompts": frozenset(
        {
            "main_topic",
            "sub_topic",
            "num_prompts",
            "slots",
            "prompt_words",
            "dataset_kind",
            "is_retry",
            "exclude",
            "features",
        }
    ),
    "chosen": frozenset(
        {
            "prompt",
            "main_topic",
            "sub_topic",
            "persona",
            "scenario",
            "facts",
            "features",
            "chosen_words",
            "rejected_words",
        }
    ),
    "rejected": frozenset(
        {"prompt", "main_topic", "sub_topic", "persona", "scenario", "features", "chosen_words", "rejected_words"}
    ),
    "judge": frozenset({"prompt", "response", "criteria", "format", "main_topic", "sub_topic"}),
    "repair": frozenset({"prompt", "response", "findings", "facts", "role", "target_words", "features"}),
}


class TemplateError(ValueError):
    """A template uses a variable its role does not provide, or is malformed."""


def _snake(name: str) -> str:
    s = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()
    return ALIASES.get(s, s)


@dataclass(frozen=True)
class _Part:
    kind: str  # "text" | "var" | "if" | "else" | "end"
    value: str


def _parse(source: str) -> list[_Part]:
    parts: list[_Part] = []
    pos = 0
    for m in _TOKEN.finditer(source):
        if m.start() > pos:
            parts.append(_Part("text", source[pos : m.start()]))
        inner = m.group(1)
        if inner == "end":
            parts.append(_Part("end", ""))
        elif inner == "else":
            parts.append(_Part("else", ""))
        elif (im := _IF.match(inner)) is not None:
            parts.append(_Part("if", _snake(im.group(1))))
        elif (nm := _NAME.match(inner)) is not None:
            parts.append(_Part("var", _snake(nm.group(1))))
        else:
            raise TemplateError(f"unsupported template expression {{{{{inner}}}}}")
        pos = m.end()
    if pos < len(source):
        parts.append(_Part("text", source[pos:]))
    depth = 0
    for p in parts:
        if p.kind == "if":
            depth += 1
            if depth > 1:
                raise TemplateError("nested {{if}} blocks are not supported")
        elif p.kind == "end":
            depth -= 1
            if depth < 0:
                raise TemplateError("{{end}} without {{if}}")
    if depth:
        raise TemplateError("{{if}} without {{end}}")
    return parts


def variables(source: str) -> set[str]:
    return {p.value for p in _parse(source) if p.kind in ("var", "if")}


def check_template(role: str, source: str) -> set[str]:
    """Raise TemplateError naming every unknown variable; return the variables used."""
    try:
        used = variables(source)
    except TemplateError as exc:
        raise TemplateError(f"template {role!r}: {exc}") from None
    allowed = VARIABLES[role]
    unknown = sorted(used - allowed)
    if unknown:
        raise TemplateError(
            f"template {role!r} uses unknown variable(s) {', '.join(unknown)}; "
            f"available: {', '.join(sorted(allowed))}"
        )
    return used


def render(source: str, values: dict[str, object]) -> str:
    out: list[str] = []
    active = [True]
    for p in _parse(source):
        if p.kind == "text":
            if active[-1]:
                out.append(p.value)
        elif p.kind == "var":
            if active[-1]:
                if p.value not in values:
                    raise TemplateError(f"missing template variable {p.value!r}")
                v = values[p.value]
                out.append("" if v is None else str(v))
        elif p.kind == "if":
            active.append(active[-1] and bool(values.get(p.value)))
        elif p.kind == "else":
            parent = active[-2] if len(active) > 1 else True
            active[-1] = parent and not active[-1]
        elif p.kind == "end":
            active.pop()
    return "".join(out)
