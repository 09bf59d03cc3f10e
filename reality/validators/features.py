"""Features datasets: the feature manifest, and feature names / navigation paths in text.

A manifest is YAML: a list of features (or ``{features: [...]}``), each a mapping with
``name`` and optional ``path`` (a string like ``"Evaluation → Model Comparison Lab"`` or a
list of segments), ``aliases`` and ``children`` (nested features), or simply a path string::

    features:
      - name: Model Comparison Lab
        path: Evaluation → Model Comparison Lab
        aliases: [Comparison Lab]
      - Settings → API Keys

What counts as a mention in a response (documented heuristics):

* a navigation path: two or more capitalised segments joined by ``→``, ``->``, ``>``,
  ``»`` or ``›`` ("Go to Evaluation → Model Comparison Lab", "Settings > API Keys");
  markdown emphasis around segments is ignored. The path passes when its segments are a
  contiguous run of some manifest path (so "Model Comparison Lab" alone, or the full path,
  both pass), compared case-insensitively;
* a feature name: a run of two to five capitalised words ending in a UI noun (Lab,
  Dashboard, Manager, Studio, Panel, Tab, Page, Settings, ...), e.g. "the Model Comparison
  Lab"; leading verbs and articles ("Open the") are dropped. It passes when it is a
  manifest name, alias or path segment. Single generic words ("the dashboard") are not
  checked: generic references are what a rejected answer is supposed to use.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SEP = r"(?:→|->|⟶|➔|>|»|›)"
_WORD = r"[A-Z0-9][\w'&+\-]*"
_LINK = r"(?:of|and|the|for|to|in|on|&|a|an|by|with)"
_SEGMENT = rf"{_WORD}(?:[ ]+(?:{_WORD}|{_LINK}(?=[ ]+[A-Z0-9])))*"
PATH_RE = re.compile(rf"(?<![\w>\-])({_SEGMENT}(?:[ \t]*{SEP}[ \t]*{_SEGMENT})+)")
SPLIT_RE = re.compile(rf"[ \t]*{SEP}[ \t]*")
UI_NOUNS = (
    "Lab", "Dashboard", "Page", "Tab", "Panel", "Manager", "Studio", "Hub", "Center", "Centre", "Explorer",
    "Monitor", "Wizard", "Editor", "Builder", "View", "Console", "Library", "Playground", "Tracker", "Board",
    "Menu", "Settings", "Section", "Screen", "Workspace", "Viewer", "Inspector", "Analyzer", "Analytics",
    "Registry", "Catalog", "Gallery", "Queue", "Scheduler", "Designer", "Sandbox", "Portal", "Module",
)
NAME_RE = re.compile(
    r"\b((?:[A-Z][\w&\-]*[ ]+){1,4}(?:" + "|".join(UI_NOUNS) + r"))\b"
)
_LEADING = {
    "the", "open", "go", "click", "use", "navigate", "visit", "check", "in", "from", "on", "under", "then",
    "next", "select", "head", "launch", "try", "your", "our", "a", "an", "to", "into", "via", "within", "step",
    "first", "finally", "now", "tap", "enter", "access", "find", "start", "back", "return", "switch", "and", "or",
    "pro", "tip", "note", "inside",
}
_MARKDOWN = str.maketrans({"*": " ", "`": " ", "#": " "})


class ManifestError(ValueError):
    """The manifest cannot be used (not YAML, wrong shape); exit code 2."""


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().strip("\"'“”‘’.,:;!?()[]").lower())


@dataclass
class Manifest:
    paths: list[tuple[str, ...]] = field(default_factory=list)  # normalised segments
    names: set[str] = field(default_factory=set)  # normalised names, aliases and segments
    display: list[str] = field(default_factory=list)  # for suggestions

    def knows_name(self, name: str) -> bool:
        return _norm(name) in self.names

    def knows_path(self, segments: Iterable[str]) -> bool:
        segs = tuple(_norm(s) for s in segments)
        n = len(segs)
        for path in self.paths:
            for i in range(len(path) - n + 1):
                if path[i : i + n] == segs:
                    return True
        return False

    def suggest(self, text: str) -> str | None:
        match = difflib.get_close_matches(text, self.display, n=1, cutoff=0.6)
        return match[0] if match else None


def _segments(path: Any, where: str) -> list[str]:
    if isinstance(path, str):
        segs = [s for s in SPLIT_RE.split(path.strip()) if s.strip()]
    elif isinstance(path, list) and all(isinstance(s, str) for s in path):
        segs = [s for s in path if s.strip()]
    else:
        raise ManifestError(f"{where}: path must be a string like 'A → B' or a list of segments")
    if not segs:
        raise ManifestError(f"{where}: empty path")
    return [s.strip() for s in segs]


def parse_manifest(data: Any, origin: str = "manifest") -> Manifest:
    if isinstance(data, dict) and "features" in data:
        data = data["features"]
    if not isinstance(data, list) or not data:
        raise ManifestError(f"{origin}: expected a non-empty YAML list of features (or 'features:' with one)")
    m = Manifest()

    def add(entry: Any, parent: list[str], where: str) -> None:
        if isinstance(entry, str):
            segs = parent + _segments(entry, where)
            name = segs[-1]
            aliases: list[str] = []
            children: list[Any] = []
        elif isinstance(entry, dict):
            name = entry.get("name")
            if not isinstance(name, str) or not name.strip():
                raise ManifestError(f"{where}: every feature needs a 'name' (a string)")
            segs = _segments(entry["path"], where) if "path" in entry else [*parent, name.strip()]
            if "path" in entry and parent and segs[0] != parent[0]:
                segs = parent + segs
            if _norm(segs[-1]) != _norm(name):
                segs = [*segs, name.strip()]
            aliases = entry.get("aliases", []) or []
            if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
                raise ManifestError(f"{where}: aliases must be a list of strings")
            children = entry.get("children", []) or []
            if not isinstance(children, list):
                raise ManifestError(f"{where}: children must be a list")
        else:
            raise ManifestError(f"{where}: a feature is a mapping (name, path, aliases) or a path string")
        m.paths.append(tuple(_norm(s) for s in segs))
        for alias in aliases:
            m.paths.append(tuple(_norm(s) for s in [*segs[:-1], alias]))
            m.names.add(_norm(alias))
            m.display.append(alias)
        m.names.update(_norm(s) for s in segs)
        m.display.append(" → ".join(segs))
        m.display.append(segs[-1])
        for i, child in enumerate(children):
            add(child, segs, f"{where}.children[{i}]")

    for i, entry in enumerate(data):
        add(entry, [], f"{origin}: feature #{i + 1}")
    return m


def load_manifest(path: str | Path) -> Manifest:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ManifestError(f"manifest {p} not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"cannot read manifest {p}: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise ManifestError(f"manifest {p} is not valid YAML{where}: {getattr(exc, 'problem', None) or exc}") from None
    return parse_manifest(data, origin=str(p))


@dataclass(slots=True)
class Mention:
    text: str
    span: tuple[int, int]
    segments: tuple[str, ...]
    is_path: bool


def _strip_leading(words: list[str]) -> list[str]:
    while words and (words[0].lower().strip(":.,") in _LEADING or words[0].strip(":.,)").isdigit()):
        words = words[1:]
    return words


def mentions(text: str) -> list[Mention]:
    """Feature names and navigation paths mentioned in ``text`` (see the module docstring)."""
    clean = text.translate(_MARKDOWN)
    out: list[Mention] = []
    taken: list[tuple[int, int]] = []
    for m in PATH_RE.finditer(clean):
        raw = m.group(1)
        segs = [s.strip() for s in SPLIT_RE.split(raw) if s.strip()]
        first = _strip_leading(segs[0].split())
        if not first:
            continue
        segs[0] = " ".join(first)
        start = m.start(1) + raw.index(first[0])
        end = m.end(1)
        if any(not re.search(r"[A-Za-z]", s) for s in segs):  # "3 > 2" is arithmetic, not a path
            continue
        out.append(Mention(re.sub(r"[*`]+", "", text[start:end]).strip(), (start, end), tuple(segs), True))
        taken.append((start, end))
    for m in NAME_RE.finditer(clean):
        start, end = m.span(1)
        if any(a <= start < b or a < end <= b for a, b in taken):
            continue
        words = _strip_leading(m.group(1).split())
        if len(words) < 2:
            continue
        name = " ".join(words)
        start = end - len(name)
        out.append(Mention(name, (start, end), (name,), False))
    out.sort(key=lambda x: x.span)
    return out


def check_mentions(text: str, field_name: str, manifest: Manifest, emit: Callable[..., None]) -> None:
    for mention in mentions(text):
        ok = manifest.knows_path(mention.segments) if mention.is_path else manifest.knows_name(mention.text)
        if not ok:
            suggestion = manifest.suggest(mention.text)
            emit(
                "features.unknown_feature",
                {"name": mention.text, "suggestion": f" (did you mean “{suggestion}”?)" if suggestion else ""},
                field=field_name, span=mention.span, quote=mention.text,
            )


# Claim kinds a features dataset must not contain (the seed's exclusions).
FORBIDDEN_KINDS = frozenset({
    "money", "duration", "memory", "model_size", "dataset_tokens", "dataset_bytes", "dataset_examples",
    "throughput", "gpu",
})
KIND_LABELS = {
    "money": "cost", "duration": "duration", "memory": "hardware (memory)", "model_size": "parameter count",
    "dataset_tokens": "dataset size", "dataset_bytes": "dataset size", "dataset_examples": "dataset size",
    "throughput": "throughput", "gpu": "hardware (GPU)",
}
