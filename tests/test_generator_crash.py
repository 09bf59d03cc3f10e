"""kill -9 at arbitrary moments, then --resume: no record lost, none duplicated. Ctrl-C keeps what is done."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # tests/stub_server.py, tests/generator_fixtures.py

from generator_fixtures import *  # noqa: E402,F403
from generator_fixtures import read_rows, write_config  # noqa: E402


def _start(cfg: Path, *args: str) -> subprocess.Popen:
    env = dict(os.environ)
    return subprocess.Popen([sys.executable, "-m", "reality.cli", "generate", str(cfg), "--quiet", *args],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait_rows(path: Path, n: int, proc: subprocess.Popen, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end and proc.poll() is None:
        if path.exists() and path.read_bytes().count(b"\n") >= n:
            return
        time.sleep(0.005)


def test_kill9_then_resume_loses_and_duplicates_nothing(tmp_path, stub):
    stub.latency = 0.03
    cfg = write_config(tmp_path, stub, mode="kto", judge=True, extra={
        "generation": {"num_subtopics": 4, "num_prompts_per_subtopic": 6, "concurrency": 6},
        "judge": {"max_rejected_score": 5.0}})
    out = tmp_path / "out" / "dataset.jsonl"
    proc = _start(cfg)
    _wait_rows(out, 6, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # kill again, during a resume
    proc = _start(cfg, "--resume")
    _wait_rows(out, 20, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # Ctrl-C: graceful stop, exit 130, the journal stays consistent
    proc = _start(cfg, "--resume")
    _wait_rows(out, 30, proc)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(30) in (0, 130), proc.stderr.read().decode()[-3000:]
    proc = _start(cfg, "--resume")
    assert proc.wait(60) == 0, proc.stderr.read().decode()[-2000:]
    rows = read_rows(out)
    plan = [json.loads(x) for x in (tmp_path / "out" / "dataset.jsonl.state" / "plan.jsonl").read_text().splitlines()]
    assert len(plan) == 24
    assert len(rows) == 2 * 24  # kto: two rows per record, every record present once
    pairs = {(r["prompt"], r["label"]) for r in rows}
    assert len(pairs) == 48 and {p["prompt"] for p in plan} == {r["prompt"] for r in rows}
    summary = json.loads((tmp_path / "out" / "dataset.summary.json").read_text())
    assert summary["records_written"] == 24 and summary["rows_in_file"] == 48
