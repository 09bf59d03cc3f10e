"""Load, validate and cache the knowledge base.

Each YAML file maps section names (``gpus``, ``prices``, ...) to lists of entries; the
section decides the schema. Loading validates every entry once; the validated result is
written as a JSON snapshot in the user cache, keyed by a hash of the files, so the next
start skips YAML parsing of quantities and never imports pint.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from reality import units
from reality.knowledge import schema as s

SECTIONS: dict[str, type[s.Sourced]] = {
    "gpus": s.GPU,
    "prices": s.PriceRow,
    "models": s.Model,
    "method_memory": s.MethodMemory,
    "activations": s.ActivationModel,
    "memory_extra": s.MemoryExtra,
    "utilisation": s.Utilisation,
    "flops": s.FlopsModel,
    "scaling": s.ScalingEfficiency,
    "overheads": s.Overhead,
    "matmul_efficiency": s.MatmulEfficiency,
    "text_ratios": s.TextRatio,
    "defaults": s.Default,
    "misconceptions": s.Misconception,
    "seed_rows": s.SeedRow,
}
# Files in the data folder that are not knowledge sections (rules have their own schema).
NOT_SECTIONS = {"rules.yaml"}
SNAPSHOT_FORMAT = 1


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the knowledge base, located for a human."""

    file: str
    line: int | None
    entry: str | None
    message: str
    severity: str = "error"  # "error" | "warning"
    code: str = "schema"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        who = f" [{self.entry}]" if self.entry else ""
        return f"{where}:{who} {self.severity}: {self.message} ({self.code})"


class KnowledgeError(Exception):
    """The knowledge base does not load; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _norm(name: str) -> str:
    """Loose key for names: 'A100 80GB', 'a100-80gb' and 'A100_80G' compare equal."""
    name = name.lower().replace("nvidia", "").replace("geforce", "").replace("gib", "gb")
    name = re.sub(r"(\d)\s*g\b", r"\1gb", name)
    return re.sub(r"[^a-z0-9.]", "", name)


@dataclass
class KnowledgeBase:
    """The validated knowledge base. Sections are lists of entries in file order."""

    sections: dict[str, list[Any]]
    files: list[str]
    version: str
    locations: dict[str, tuple[str, int | None]] = field(default_factory=dict)  # id -> (file, line)

    def __post_init__(self) -> None:
        self._gpu_index = _alias_index(self.sections.get("gpus", []))
        self._model_index = _alias_index(self.sections.get("models", []))

    # Section accessors keep call sites short and typed.
    @property
    def gpus(self) -> list[s.GPU]:
        return self.sections.get("gpus", [])

    @property
    def models(self) -> list[s.Model]:
        return self.sections.get("models", [])

    @property
    def prices(self) -> list[s.PriceRow]:
        return self.sections.get("prices", [])

    def section(self, name: str) -> list[Any]:
        return self.sections.get(name, [])

    def gpu(self, name: str) -> s.GPU | None:
        """Find a GPU by id, name or alias, read loosely ("A100 80GB", "h100", "RTX 4090")."""
        return self._gpu_index.get(_norm(name))

    def model(self, name: str) -> s.Model | None:
        return self._model_index.get(_norm(name))

    def default(self, field_name: str) -> s.Default:
        for entry in self.section("defaults"):
            if entry.field == field_name:
                return entry
        raise KeyError(f"the knowledge base has no default for {field_name!r}")

    def by_id(self, entry_id: str) -> Any:
        for entries in self.sections.values():
            for entry in entries:
                if entry.id == entry_id:
                    return entry
        raise KeyError(entry_id)


def _alias_index(entries: Iterable[Any]) -> dict[str, Any]:
    index: dict[str, Any] = {}
    for entry in entries:
        for key in (entry.id, entry.name, *entry.aliases):
            index.setdefault(_norm(key), entry)
    return index


# ---------------------------------------------------------------------------- reading
def builtin_dir() -> Path:
    return Path(str(resources.files("reality.knowledge").joinpath("data")))


def _yaml_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.yaml") if p.name not in NOT_SECTIONS)


def _line_map(text: str) -> dict[tuple[str, int], tuple[int, dict[str, int]]]:
    """(section, index) -> (line of the entry, {field: line}) from YAML's node marks."""
    import yaml  # only when (re)validating files: a warm start reads the JSON snapshot

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    lines: dict[tuple[str, int], tuple[int, dict[str, int]]] = {}
    if not isinstance(root, yaml.MappingNode):
        return lines
    for key, value in root.value:
        if isinstance(value, yaml.SequenceNode):
            for i, item in enumerate(value.value):
                fields = {}
                if isinstance(item, yaml.MappingNode):
                    fields = {k.value: k.start_mark.line + 1 for k, _ in item.value}
                lines[(key.value, i)] = (item.start_mark.line + 1, fields)
    return lines


def read_file(path: Path) -> tuple[dict[str, list[Any]], list[Problem], dict[str, tuple[str, int | None]]]:
    """Validate one YAML file: its entries by section, its problems, and where each id is."""
    problems: list[Problem] = []
    entries: dict[str, list[Any]] = {}
    where: dict[str, tuple[str, int | None]] = {}
    import yaml

    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError) as exc:
        return {}, [Problem(name, None, None, f"cannot read: {exc}", code="read")], {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        return {}, [Problem(name, line, None, f"not valid YAML: {getattr(exc, 'problem', exc)}", code="yaml")], {}
    if data is None:
        return {}, [], {}
    if not isinstance(data, dict):
        return {}, [Problem(name, 1, None, "top level must be a mapping of section -> list", code="schema")], {}
    lines = _line_map(text)
    for section, items in data.items():
        model = SECTIONS.get(section)
        if model is None:
            known = ", ".join(SECTIONS)
            problems.append(Problem(name, None, None, f"unknown section {section!r} (known: {known})"))
            continue
        if not isinstance(items, list):
            problems.append(Problem(name, None, None, f"section {section!r} must be a list of entries"))
            continue
        for i, raw in enumerate(items):
            line, field_lines = lines.get((section, i), (None, {}))
            entry_id = raw.get("id") if isinstance(raw, dict) else None
            try:
                entry = model.model_validate(raw)
            except ValidationError as exc:
                for err in exc.errors():
                    loc = err["loc"]
                    field_name = str(loc[0]) if loc else None
                    msg = err["msg"].removeprefix("Value error, ")
                    label = ".".join(str(x) for x in loc) or "entry"
                    problems.append(
                        Problem(name, field_lines.get(field_name, line), entry_id, f"{label}: {msg}")
                    )
                continue
            entries.setdefault(section, []).append(entry)
            where[entry.id] = (name, line)
    return entries, problems, where


def _check_references(kb: KnowledgeBase) -> list[Problem]:
    problems = []
    ids: dict[str, str] = {}
    for section, entries in kb.sections.items():
        for entry in entries:
            if entry.id in ids:
                file, line = kb.locations.get(entry.id, ("?", None))
                problems.append(
                    Problem(file, line, entry.id, f"duplicate id (also in section {ids[entry.id]!r})", code="duplicate-id")
                )
            ids[entry.id] = section
    gpu_ids = {g.id for g in kb.gpus}
    for row in [*kb.prices, *kb.section("matmul_efficiency")]:
        if row.gpu not in gpu_ids:
            file, line = kb.locations.get(row.id, ("?", None))
            problems.append(Problem(file, line, row.id, f"refers to unknown gpu {row.gpu!r}", code="reference"))
    refs = [e for e in kb.section("matmul_efficiency") if e.reference]
    if kb.section("matmul_efficiency") and len(refs) != 1:
        file, line = kb.locations.get(kb.section("matmul_efficiency")[0].id, ("?", None))
        problems.append(Problem(file, line, "matmul_efficiency", f"needs exactly one reference entry, has {len(refs)}",
                                code="reference"))
    return problems


# ---------------------------------------------------------------------------- loading
def _fingerprint(files: list[Path]) -> str:
    digest = hashlib.sha256(f"format={SNAPSHOT_FORMAT}".encode())
    digest.update(Path(s.__file__).read_bytes())  # a schema change invalidates snapshots
    digest.update(Path(units.__file__).read_bytes())
    digest.update((builtin_dir() / "units.txt").read_bytes())
    for path in files:
        digest.update(str(path).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def load_files(files: list[Path]) -> tuple[KnowledgeBase, list[Problem]]:
    """Validate the given files from scratch (no snapshot); return the KB and all problems."""
    sections: dict[str, list[Any]] = {}
    problems: list[Problem] = []
    locations: dict[str, tuple[str, int | None]] = {}
    for path in files:
        entries, file_problems, where = read_file(path)
        problems += file_problems
        for section, items in entries.items():
            sections.setdefault(section, []).extend(items)
        locations.update(where)
    kb = KnowledgeBase(sections, [str(p) for p in files], _fingerprint(files), locations)
    problems += _check_references(kb)
    return kb, problems


def _snapshot_path(version: str) -> Path:
    return units.cache_dir() / f"kb-{version}.json"


def _read_snapshot(files: list[Path], version: str) -> KnowledgeBase | None:
    path = _snapshot_path(version)
    try:
        data = json.loads(path.read_text())
        sections = {
            name: [SECTIONS[name].model_validate(e, context={"trusted_snapshot": True}) for e in items]
            for name, items in data["sections"].items()
        }
        locations = {k: (v[0], v[1]) for k, v in data["locations"].items()}
    except (OSError, ValueError, KeyError, TypeError, ValidationError):
        return None
    return KnowledgeBase(sections, [str(p) for p in files], version, locations)


def _write_snapshot(kb: KnowledgeBase) -> None:
    data = {
        "sections": {n: [e.model_dump(mode="json") for e in items] for n, items in kb.sections.items()},
        "locations": kb.locations,
    }
    path = _snapshot_path(kb.version)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data))
        os.replace(tmp, path)  # atomic: a concurrent reader never sees half a file
    except OSError:
        pass  # a cache we cannot write only costs time


def load_yaml_cached(path: Path) -> Any:
    """``yaml.safe_load`` of a data file, memoised on disk as JSON keyed by the file's hash.

    Pure-Python YAML parsing costs ~0.1 s for the rules file; JSON loads in ~1 ms.
    """
    raw = path.read_bytes()
    cache = units.cache_dir() / f"yaml-{hashlib.sha256(raw).hexdigest()[:16]}.json"
    try:
        return json.loads(cache.read_text())
    except (OSError, ValueError):
        pass
    import yaml

    data = yaml.safe_load(raw)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, default=str))
        os.replace(tmp, cache)
    except OSError:
        pass
    return data


def kb_files(extra_dirs: Iterable[str | Path] = ()) -> list[Path]:
    files = _yaml_files(builtin_dir())
    for directory in extra_dirs:
        directory = Path(directory)
        files += [directory] if directory.is_file() else _yaml_files(directory)
    return files


@functools.cache
def _load_cached(extra_dirs: tuple[str, ...]) -> KnowledgeBase:
    files = kb_files(extra_dirs)
    version = _fingerprint(files)
    kb = _read_snapshot(files, version)
    if kb is not None:
        return kb
    kb, problems = load_files(files)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise KnowledgeError(errors)
    _write_snapshot(kb)
    return kb


def load_kb(extra_dirs: Iterable[str | Path] = ()) -> KnowledgeBase:
    """The knowledge base (built-in plus ``extra_dirs``), validated once and cached.

    Raises :class:`KnowledgeError` listing every problem if any entry is invalid.
    """
    return _load_cached(tuple(str(Path(d).resolve()) for d in extra_dirs))

