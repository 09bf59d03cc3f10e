"""Stream records out of JSONL, JSON arrays and Parquet, with line numbers.

Readers never raise for bad *content*: a malformed line, bytes that are not UTF-8, a line
over the size limit or a non-object record come out as a :class:`RawRecord` with a
``problem`` (the check that observed it and its values) so the runner can report it and go
on with the rest of the file. Only a file that cannot be read at all (missing, a folder,
no permission, Parquet without pyarrow) raises :class:`InputError` (exit code 2).

Memory stays flat: JSONL is read one line at a time with a bounded ``readline``, so even a
multi-gigabyte line is drained in chunks rather than loaded.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

_CHUNK = 1 << 20


class InputError(OSError):
    """A file that cannot be read at all."""


@dataclass(slots=True)
class RawRecord:
    file: str
    index: int
    line: int | None
    data: Any = None
    problem: tuple[str, dict[str, Any]] | None = None


def detect_format(path: str) -> str:
    """``jsonl`` | ``json`` | ``parquet`` from the name, sniffing the first byte when unsure."""
    if path == "-":
        return "jsonl"
    lower = path.lower()
    if lower.endswith((".parquet", ".pq")):
        return "parquet"
    if lower.endswith((".jsonl", ".ndjson", ".jsonlines")):
        return "jsonl"
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError:
        return "jsonl"  # the open in read_records reports the real problem
    if head.startswith(b"PAR1"):
        return "parquet"
    return "json" if head.startswith(b"[") else "jsonl"


def read_records(path: str, max_record_bytes: int = 1_000_000) -> Iterator[RawRecord]:
    """Yield the records of ``path`` in order ("-" reads JSONL from stdin)."""
    fmt = detect_format(path)
    if fmt == "parquet":
        yield from _read_parquet(path)
    elif fmt == "json":
        yield from _read_json_array(path, max_record_bytes)
    else:
        yield from _read_jsonl(path, max_record_bytes)


def _open(path: str) -> BinaryIO:
    if path == "-":
        return sys.stdin.buffer
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{path}: is a directory")
    try:
        return open(p, "rb")  # noqa: SIM115 - closed by the caller
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot open ({exc.strerror or exc})") from None


def _decode(raw: bytes) -> tuple[str | None, dict[str, Any] | None]:
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        bad = raw[exc.start : exc.start + 1].hex()
        return None, {"error": f"byte 0x{bad} at offset {exc.start}", "byte": exc.start}


def _parse(text: str) -> tuple[Any, dict[str, Any] | None]:
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, {"error": f"{exc.msg} at column {exc.colno}", "column": exc.colno}
    except RecursionError:
        return None, {"error": "nested too deeply", "column": 0}


def _type_name(value: Any) -> str:
    return {list: "an array", str: "a string", int: "a number", float: "a number", bool: "a boolean"}.get(
        type(value), "null" if value is None else type(value).__name__
    )


def _as_record(file: str, index: int, line: int | None, data: Any) -> RawRecord:
    if not isinstance(data, dict):
        return RawRecord(file, index, line, None, ("input.not_object", {"type": _type_name(data)}))
    return RawRecord(file, index, line, data)


def _read_jsonl(path: str, max_bytes: int) -> Iterator[RawRecord]:
    fh = _open(path)
    try:
        index = 0
        lineno = 0
        while True:
            try:
                raw = fh.readline(max_bytes + 1)
            except OSError as exc:
                raise InputError(f"{path}: read error ({exc})") from None
            if not raw:
                break
            lineno += 1
            size = len(raw)
            if size > max_bytes and not raw.endswith(b"\n"):
                while True:  # drain the rest of the over-long line without holding it
                    more = fh.readline(_CHUNK)
                    size += len(more)
                    if not more or more.endswith(b"\n"):
                        break
                yield RawRecord(path, index, lineno, None, ("input.too_large", {"size_mb": size / 1e6}))
                index += 1
                continue
            if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if not raw.strip():
                continue
            text, problem = _decode(raw)
            if problem is not None:
                yield RawRecord(path, index, lineno, None, ("input.encoding", problem))
            else:
                data, problem = _parse(text)  # type: ignore[arg-type]
                if problem is not None:
                    yield RawRecord(path, index, lineno, None, ("input.malformed_json", problem))
                else:
                    yield _as_record(path, index, lineno, data)
            index += 1
    finally:
        if fh is not sys.stdin.buffer:
            fh.close()


def _read_json_array(path: str, max_bytes: int) -> Iterator[RawRecord]:
    """A JSON array of records, element by element, with the line each element starts on.

    The whole file is read (an array has no line boundaries to stream on); elements are
    decoded one at a time so a bad element is reported and, where possible, skipped.
    """
    fh = _open(path)
    try:
        raw = fh.read()
    except OSError as exc:
        raise InputError(f"{path}: read error ({exc})") from None
    finally:
        fh.close()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    text, problem = _decode(raw)
    if problem is not None:
        line = raw[: problem["byte"]].count(b"\n") + 1
        yield RawRecord(path, 0, line, None, ("input.encoding", problem))
        return
    assert text is not None
    decoder = json.JSONDecoder()
    pos = text.index("[") + 1
    n = len(text)
    index = 0
    line = 1 + text.count("\n", 0, pos)
    last = pos

    def skip_ws(i: int) -> int:
        while i < n and text[i] in " \t\r\n":
            i += 1
        return i

    pos = skip_ws(pos)
    if pos < n and text[pos] == "]":
        return
    while pos < n:
        line += text.count("\n", last, pos)
        last = pos
        try:
            value, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            col = exc.pos - (text.rfind("\n", 0, exc.pos) + 1) + 1
            err_line = 1 + text.count("\n", 0, exc.pos)
            yield RawRecord(path, index, err_line, None,
                            ("input.malformed_json", {"error": f"{exc.msg} at line {err_line} column {col}", "column": col}))
            return  # cannot resynchronise inside an array reliably
        except RecursionError:
            yield RawRecord(path, index, line, None, ("input.malformed_json", {"error": "nested too deeply", "column": 0}))
            return
        if end - pos > max_bytes:
            yield RawRecord(path, index, line, None, ("input.too_large", {"size_mb": (end - pos) / 1e6}))
        else:
            yield _as_record(path, index, line, value)
        index += 1
        pos = skip_ws(end)
        if pos < n and text[pos] == ",":
            pos = skip_ws(pos + 1)
            continue
        if pos < n and text[pos] == "]":
            rest = text[pos + 1 :].strip()
            if rest:
                yield RawRecord(path, index, 1 + text.count("\n", 0, pos + 1), None,
                                ("input.malformed_json", {"error": "extra data after the closing ]", "column": 0}))
            return
        err_line = 1 + text.count("\n", 0, pos)
        yield RawRecord(path, index, err_line, None,
                        ("input.malformed_json", {"error": f"expected ',' or ']' at line {err_line}", "column": 0}))
        return
    yield RawRecord(path, index, line, None, ("input.malformed_json", {"error": "the array is not closed with ]", "column": 0}))


def _read_parquet(path: str) -> Iterator[RawRecord]:
    if not Path(path).is_file():
        _open(path)  # raises the right InputError
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(
            f"{path}: reading Parquet needs pyarrow; install it with `pip install 'finetune-reality[parquet]'`"
        ) from None
    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid / OSError for a bad file
        raise InputError(f"{path}: not a readable Parquet file ({exc})") from None
    index = 0
    for batch in pf.iter_batches(batch_size=1024):
        for row in batch.to_pylist():
            yield _as_record(path, index, None, row)
            index += 1
