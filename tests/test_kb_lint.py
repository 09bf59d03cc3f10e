"""`reality kb lint`: the shipped KB passes; each kind of problem is caught with file:line."""

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from reality.calculators.kblint import lint
from reality.knowledge import KnowledgeError, load_kb

BROKEN = Path(__file__).parent / "fixtures" / "kb_broken"


def test_shipped_kb_has_no_errors_and_is_sourced():
    kb, problems = lint()
    assert [p for p in problems if p.severity == "error"] == []
    for entries in kb.sections.values():
        for entry in entries:
            assert entry.source and entry.as_of
            assert not entry.assumption or entry.reasoning


def test_coverage_of_the_issue():
    kb = load_kb()
    gpus = {g.id for g in kb.gpus}
    assert {"rtx-3080", "rtx-3090", "rtx-4090", "rtx-5090", "a10g", "l4", "l40s", "a100-40gb", "a100-80gb",
            "h100-pcie", "h100-sxm", "h200", "b200", "mi300x"} <= gpus  # fmt: skip
    assert all(any(p.gpu == g for p in kb.prices) for g in gpus)
    assert len(kb.models) >= 30 and len(kb.section("seed_rows")) == 35


@pytest.mark.parametrize(
    "fixture, line, needle",
    [
        ("bad_unit.yaml", 5, "cannot parse"),
        ("bad_dimension.yaml", 5, "must convert to GB"),
        ("unsourced.yaml", 2, "source"),
        ("undated.yaml", 2, "as_of"),
        ("duplicate.yaml", 2, "duplicate id"),
        ("non_monotone.yaml", 2, "memory than a smaller one"),
        ("bad_dims.yaml", 2, "do not match its dimensions"),
        ("not_yaml.yaml", 4, "not valid YAML"),
    ],
)
def test_each_broken_fixture_is_an_error_with_file_and_line(fixture, line, needle):
    _, problems = lint([BROKEN / fixture])
    mine = [p for p in problems if p.file.endswith(fixture) and p.severity == "error"]
    assert mine, problems
    assert any(needle in p.message and p.line == line for p in mine), [str(p) for p in mine]


def test_stale_price_is_a_warning_not_an_error():
    _, problems = lint([BROKEN / "stale_price.yaml"], today=dt.date(2026, 11, 22))
    stale = [p for p in problems if p.code == "stale-price" and p.entry == "test-price-stale"]
    assert stale and stale[0].severity == "warning" and stale[0].line == 2


def test_loading_a_broken_kb_raises_with_every_problem():
    with pytest.raises(KnowledgeError) as exc:
        load_kb([BROKEN / "bad_unit.yaml"])
    assert "bad_unit.yaml:5" in str(exc.value)


def test_cli_exit_codes_and_no_litellm():
    ok = subprocess.run([sys.executable, "-m", "reality.cli", "kb", "lint"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = subprocess.run([sys.executable, "-m", "reality.cli", "kb", "lint", str(BROKEN / "bad_unit.yaml")],
                         capture_output=True, text=True)  # fmt: skip
    assert bad.returncode == 1 and "bad_unit.yaml:5:" in bad.stdout
    code = "import sys; from reality.cli import main; main(['kb', 'lint']); print('litellm' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip().splitlines()[-1]
    assert out == "False"


def test_every_seed_row_gets_a_verdict_and_the_known_errors_are_off():
    from reality.calculators.kblint import seed_verdicts

    verdicts = {v["id"]: v for v in seed_verdicts(load_kb())}
    assert len(verdicts) == 35 and all(v["verdict"] in ("within", "off") for v in verdicts.values())
    # DESIGN: "70B QLoRA needs at least 24GB" -- the 4-bit weights alone are ~37-40 GB.
    assert verdicts["seed-vram-70b-qlora"]["verdict"] == "off"
    assert verdicts["seed-vram-70b-qlora"]["engine"]["low"] > 35
    assert verdicts["seed-vram-7b-qlora"]["verdict"] == "within"
