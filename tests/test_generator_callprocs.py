"""``runtime.call_processes``: the HTTP attempts run in child processes; everything else stays the same.

Same stub, same failure injection as test_generator_e2e: retries, Retry-After, timeouts and
truncation must behave exactly as in-process; the API key reaches the provider but never a
file; a child that dies fails its calls instead of hanging the run; kill -9 of the parent
leaves no child behind.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # tests/stub_server.py, tests/generator_fixtures.py

from generator_fixtures import *  # noqa: E402,F403
from generator_fixtures import SECRET, read_rows, write_config  # noqa: E402

from reality.generator.callprocs import CallProcesses, RemoteCallError  # noqa: E402
from reality.generator.config import load_config  # noqa: E402
from reality.generator.pipeline import Generator  # noqa: E402

PROCS = {"call_processes": 2, "backoff_base_seconds": 0.01, "backoff_max_seconds": 0.05}


def run_gen(path: Path, **kw):
    gen = Generator(load_config(path), validator=None, grounder=None, progress=False, **kw)
    return asyncio.run(gen.run_async())


def test_modes_and_judge_through_call_processes(tmp_path, stub):
    res = run_gen(write_config(tmp_path, stub, mode="mo-dpo", judge=True,
                               extra={"runtime": PROCS, "judge": {"max_rejected_score": 5.0}}))
    s = res.summary
    assert s["stop_reason"] == "completed" and s["records_written"] == 6
    rows = read_rows(res.output)
    assert len(rows) == 6 and all(r["chosen"] and r["rejected"] and "chosen_scores" in r for r in rows)
    assert s["models"]["openai/stub-judge"]["calls"] == 12
    # the key came from the environment in the child and reached the provider ...
    assert stub.requests and all(r.authorization == f"Bearer {SECRET}" for r in stub.requests)
    # ... and no file of the run holds it
    for f in tmp_path.rglob("*"):
        if f.is_file():
            assert SECRET not in f.read_text("utf-8", errors="replace"), f


def test_retries_retry_after_timeouts_through_call_processes(tmp_path, stub):
    stub.add_rule(status=429, headers={"Retry-After": "0.3"}, times=2, model="stub-main")
    stub.add_rule(status=500, times=2, model="stub-rejected")
    stub.add_rule(raw="{not json", times=1, model="stub-main")
    stub.add_rule(hang=3, times=1, model="stub-rejected")
    stub.add_rule(model="stub-main", content="cut off mid", finish_reason="length", times=1)
    res = run_gen(write_config(tmp_path, stub, extra={"runtime": {**PROCS, "request_timeout_seconds": 0.5}}))
    s = res.summary
    assert s["stop_reason"] == "completed" and s["records_written"] == 6
    main, rej = s["models"]["openai/stub-main"], s["models"]["openai/stub-rejected"]
    assert main["rate_limited"] == 2 and main["server_errors"] == 1 and main["truncated"] == 1
    assert rej["server_errors"] == 2 and rej["timeouts"] == 1
    assert s["retries"] == 7
    first_429 = next(r.t for r in stub.requests if r.status == 429)
    later = [r.t for r in stub.requests if r.model == "stub-main" and r.t > first_429]
    assert later and min(later) - first_429 >= 0.25  # Retry-After paused the model's limiter


def test_fatal_error_is_classified_in_the_child(tmp_path, stub):
    stub.add_rule(status=401, times=None, model="stub-rejected")
    res = run_gen(write_config(tmp_path, stub, extra={"runtime": PROCS}))
    assert res.stop_reason == "error" and "AuthenticationError" in res.summary["error"]


def test_a_dead_child_fails_its_calls_instead_of_hanging(stub):
    async def go() -> None:
        procs = CallProcesses(1, {})
        await procs.start()
        try:
            procs.children[0].proc.kill()
            kw = {"model": "openai/stub-main", "api_base": stub.base_url, "max_retries": 0,
                  "messages": [{"role": "user", "content": "hi"}]}
            with pytest.raises(RemoteCallError) as err:
                await asyncio.wait_for(procs.attempt(kw, "STUB_API_KEY"), timeout=10)
            assert err.value.kind == "fatal"
        finally:
            await procs.close()

    asyncio.run(go())


def _callproc_pids(marker: str) -> list[int]:
    pids = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            cmd = (d / "cmdline").read_bytes()
            env = (d / "environ").read_bytes()
        except OSError:
            continue
        if b"reality.generator.callprocs" in cmd and marker.encode() in env:
            pids.append(int(d.name))
    return pids


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")
def test_kill9_of_the_parent_leaves_no_child_and_resume_completes(tmp_path, stub):
    stub.latency = 0.05
    cfg = write_config(tmp_path, stub, extra={
        "generation": {"num_subtopics": 3, "num_prompts_per_subtopic": 6, "concurrency": 4}, "runtime": PROCS})
    marker = f"REALITY_TEST_MARK={tmp_path.name}"
    env = {**os.environ, "REALITY_TEST_MARK": tmp_path.name}
    out = tmp_path / "out" / "dataset.jsonl"
    cmd = [sys.executable, "-m", "reality.cli", "generate", str(cfg), "--quiet"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    end = time.monotonic() + 60
    while time.monotonic() < end and proc.poll() is None and not (out.exists() and out.read_bytes().count(b"\n") >= 3):
        time.sleep(0.01)
    assert len(_callproc_pids(marker)) == 2
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    end = time.monotonic() + 15
    while _callproc_pids(marker) and time.monotonic() < end:
        time.sleep(0.05)
    assert _callproc_pids(marker) == []  # stdin closed with the parent: the children exited
    done = subprocess.run([*cmd, "--resume"], env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    rows = read_rows(out)
    assert len(rows) == 18 and len({r["prompt"] for r in rows}) == 18


def test_auto_uses_call_processes_only_at_high_concurrency(tmp_path, stub):
    from reality.generator.config import AUTO_PROCESSES_FROM, call_processes_for

    low = load_config(write_config(tmp_path, stub))  # concurrency 8
    assert low.runtime.call_processes == "auto" and call_processes_for(low) == 1
    high = load_config(write_config(tmp_path, stub, extra={"generation": {"concurrency": AUTO_PROCESSES_FROM}}))
    assert call_processes_for(high) == max(1, min(os.cpu_count() or 1, 4))
    fixed = load_config(write_config(tmp_path, stub, extra={"runtime": {"call_processes": 3}}))
    assert call_processes_for(fixed) == 3
