"""Crash-safe output: an append-only dataset file plus an append-only progress journal.

Commit protocol for one record (rows of the dataset, in TRL's columns only):

1. append the rows to the dataset file, flush, fsync;
2. append ``{"id", "status": "ok", "end": <dataset size after the rows>, ...}`` to the
   journal, flush, fsync.

A record counts as written only once its journal line is on disk. On ``--resume`` the
journal is read up to its last complete line (a torn last line is cut off), and the
dataset file is truncated to the ``end`` of the last committed record, which removes any
rows written after it (a record whose journal line never made it, or a torn row). Every
committed id is skipped, everything else is generated again: after ``kill -9`` at any
moment, no record is lost and none is duplicated -- and the rows need no id column.

Dropped records are journaled too (``"status": "dropped"`` with the reason) so that a
resume does not pay for them again. The state directory also holds the prompt plan
(written atomically once, before the first record) and the config fingerprint.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


class StateError(RuntimeError):
    pass


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


class Store:
    def __init__(self, output: Path, *, fsync: bool = True):
        self.output = Path(output)
        self.state_dir = self.output.with_name(self.output.name + ".state")
        self.journal_path = self.state_dir / "journal.jsonl"
        self.plan_path = self.state_dir / "plan.jsonl"
        self.meta_path = self.state_dir / "meta.json"
        self.fsync = fsync
        self.done: set[str] = set()
        self.dropped: dict[str, str] = {}
        self.rows_written = 0
        self._out: Any = None
        self._journal: Any = None
        self.end = 0

    # -- opening -------------------------------------------------------------------------
    def exists(self) -> bool:
        return self.journal_path.exists() or self.output.exists()

    def open(self, *, resume: bool, overwrite: bool, fingerprint: str) -> None:
        if resume:
            if not self.journal_path.exists() and not self.meta_path.exists():
                if self.output.exists():
                    raise StateError(f"{self.output} exists but has no journal in {self.state_dir}: cannot resume it")
                resume = False  # nothing to resume: a fresh start
            else:
                meta = self._read_meta()
                if meta.get("fingerprint") not in (None, fingerprint):
                    raise StateError(
                        "the config changed since this run started (modes, templates, models or prompts differ); "
                        "resume with the original config or start again with --overwrite"
                    )
        elif self.exists() and not overwrite:
            raise StateError(f"{self.output} already exists: use --resume to continue it or --overwrite to start again")
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.output.parent.mkdir(parents=True, exist_ok=True)
        if not resume:
            for p in (self.journal_path, self.plan_path, self.output):
                if p.exists():
                    p.unlink()
            atomic_write(self.meta_path, json.dumps({"fingerprint": fingerprint, "output": self.output.name}))
            self.end = 0
        else:
            self._recover()
        self._out = open(self.output, "ab")
        self._journal = open(self.journal_path, "ab")

    def _read_meta(self) -> dict[str, Any]:
        try:
            return json.loads(self.meta_path.read_text("utf-8"))
        except (OSError, ValueError):
            return {}

    def _recover(self) -> None:
        end = 0
        good = 0  # bytes of the journal made of complete, parseable lines
        rows = 0
        if self.journal_path.exists():
            data = self.journal_path.read_bytes()
            pos = 0
            while True:
                nl = data.find(b"\n", pos)
                if nl == -1:
                    break
                line = data[pos:nl]
                try:
                    entry = json.loads(line)
                except ValueError:
                    break
                pos = nl + 1
                good = pos
                rid = entry.get("id")
                if entry.get("status") == "ok":
                    self.done.add(rid)
                    self.dropped.pop(rid, None)
                    end = int(entry["end"])
                    rows += int(entry.get("rows", 0))
                elif entry.get("status") == "dropped":
                    self.dropped[rid] = entry.get("reason", "")
            if good < len(data):
                with open(self.journal_path, "r+b") as fh:
                    fh.truncate(good)
                    fh.flush()
                    os.fsync(fh.fileno())
        size = self.output.stat().st_size if self.output.exists() else 0
        if size < end:
            raise StateError(f"{self.output} is shorter than its journal says ({size} < {end} bytes): it was edited")
        if size > end:
            with open(self.output, "r+b") as fh:
                fh.truncate(end)
                fh.flush()
                os.fsync(fh.fileno())
        self.end = end
        self.rows_written = rows

    # -- plan ----------------------------------------------------------------------------
    def load_plan(self) -> list[dict[str, Any]] | None:
        if not self.plan_path.exists():
            return None
        return [json.loads(line) for line in self.plan_path.read_text("utf-8").splitlines() if line.strip()]

    def save_plan(self, items: list[dict[str, Any]]) -> None:
        atomic_write(self.plan_path, "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items))

    # -- commits -------------------------------------------------------------------------
    def _sync(self, fh: Any) -> None:
        fh.flush()
        if self.fsync:
            os.fsync(fh.fileno())

    def commit(self, rid: str, rows: list[dict[str, Any]], meta: dict[str, Any] | None = None) -> None:
        if rid in self.done:  # never write a record twice
            return
        blob = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")
        self._out.write(blob)
        self._sync(self._out)
        self.end += len(blob)
        entry = {"id": rid, "status": "ok", "end": self.end, "rows": len(rows)}
        if meta:
            entry["meta"] = meta
        self._journal.write((json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8"))
        self._sync(self._journal)
        self.done.add(rid)
        self.rows_written += len(rows)

    def drop(self, rid: str, reason: str, meta: dict[str, Any] | None = None) -> None:
        entry = {"id": rid, "status": "dropped", "reason": reason}
        if meta:
            entry["meta"] = meta
        self._journal.write((json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8"))
        self._sync(self._journal)
        self.dropped[rid] = reason

    def close(self) -> None:
        for fh in (self._out, self._journal):
            if fh is not None:
                try:
                    fh.close()
                except OSError:
                    pass
        self._out = self._journal = None
