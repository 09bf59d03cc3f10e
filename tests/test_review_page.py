"""`reality review`: the self-contained page (in headless Chromium) and applying its decisions."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from collections import Counter

import pytest

from reality.cli import main
from reality.review.merge import MergeConfig, dump_jsonl, merge
from reality.review.modes import InputError
from reality.review.page import apply_decisions, build_page, render_html
from tests.test_review_fakes import DATA, fake_engine

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium not installed (apt-get install -y chromium chromium-driver)"
)

NASTY = {
    "prompt": "Does </script><script>window.pwned=1</script> break the page? <!-- and this",
    "chosen": "A 7B QLoRA run needs 6 GB 😀 of VRAM; the emoji before this sentence shifts UTF-16 offsets. " * 2,
    "rejected": "No.",
    "persona": "data scientist",
    "scenario": "edge case",
}


def read(path):
    return [json.loads(line) for line in open(path, encoding="utf-8")]


@pytest.fixture
def merged(tmp_path):
    nasty = tmp_path / "nasty.jsonl"
    nasty.write_text(json.dumps(NASTY, ensure_ascii=False) + "\n", encoding="utf-8")
    result = merge([str(DATA / "reality_a.jsonl"), str(DATA / "reality_b.jsonl"), str(nasty)], MergeConfig(), fake_engine())
    path = tmp_path / "merged.jsonl"
    dump_jsonl(result.records, path)
    return path


def run_selftest(page, tmp_path):
    cmd = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
        f"--user-data-dir={tmp_path / 'chromium-profile'}", "--virtual-time-budget=5000",
        "--dump-dom", page.as_uri() + "?selftest=1",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=90)
    m = re.search(r'<pre id="selftest-result">(.*?)</pre>', proc.stdout, re.S)
    assert m, f"no self-test result in the page; stderr tail: {proc.stderr[-2000:]}"
    return json.loads(html.unescape(m.group(1))), proc.stdout


# ----------------------------------------------------------------------------- page (no browser)
def test_page_is_self_contained_and_escapes_data(merged, tmp_path):
    out = tmp_path / "review.html"
    result = build_page(merged, out, fake_engine())
    assert result.records == 6
    text = out.read_text(encoding="utf-8")
    assert text.count("<script") == 2  # the data island and the inline code: nothing injected
    assert "window.pwned=1</script>" not in text
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text)  # no network
    assert "Content-Security-Policy" in text and "connect-src 'none'" in text
    data = json.loads(re.search(r'id="review-data">(.*?)</script>', text, re.S).group(1))
    rec = next(r for r in data["records"] if r["persona"] == "data scientist")
    chosen = rec["fields"]["chosen"]
    # spans are UTF-16 offsets: the second "6 GB" sits after one astral character
    spans = [(c["s"], c["e"]) for c in rec["claims"] if c["field"] == "chosen"]
    utf16 = chosen.encode("utf-16-le")
    assert [utf16[2 * s : 2 * e].decode("utf-16-le") for s, e in spans] == ["6 GB", "6 GB"]
    assert all(c["title"] for c in rec["claims"])


def test_render_html_never_rescans_inserted_text():
    payload = {"meta": {"title": "t __DATA__ /*__JS__*/"}, "records": []}
    text = render_html(payload)
    assert text.count("__DATA__") == 2 and "/*__CSS__*/" not in text  # in the title and its JSON copy only


# ----------------------------------------------------------------------------- apply
def _decisions(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_apply_accept_reject_edit_exactly(merged, tmp_path):
    recs = read(merged)
    d = _decisions(tmp_path / "d.jsonl", [
        {"id": recs[0]["id"], "hash": recs[0]["id"], "decision": "accept"},
        {"id": recs[1]["id"], "hash": recs[1]["id"], "decision": "reject"},
        {"id": recs[2]["id"], "hash": recs[2]["id"], "decision": "edited", "fields": {"chosen": "new ✓ 😀"}},
    ])
    out = tmp_path / "final.jsonl"
    r = apply_decisions(merged, d, out)
    assert (r.accepted, r.rejected, r.edited, r.undecided, r.written) == (1, 1, 1, 3, 5)
    final = read(out)
    expected = [dict(recs[0], review="accept"), dict(recs[2], chosen="new ✓ 😀", review="edited")]
    expected += [dict(x, review=None) for x in recs[3:]]
    assert final == expected
    apply_decisions(merged, d, out, undecided="drop", strip_meta=True)
    assert read(out) == [
        {k: v for k, v in recs[0].items() if k not in ("id", "provenance", "confidence", "confidence_reasons")},
        {k: v for k, v in dict(recs[2], chosen="new ✓ 😀").items() if k not in ("id", "provenance", "confidence", "confidence_reasons")},
    ]


def test_apply_refuses_bad_decisions(merged, tmp_path):
    rid = read(merged)[0]["id"]
    out = tmp_path / "f.jsonl"
    cases = [
        ({"id": "nope", "decision": "accept"}, "not in"),
        ({"id": rid, "decision": "maybe"}, "decision must be one of"),
        ({"id": rid, "decision": "edited"}, "needs 'fields'"),
        ({"id": rid, "decision": "edited", "fields": {"persona": "x"}}, "cannot edit 'persona'"),
        ({"id": rid, "hash": "0" * 16, "decision": "accept"}, "changed since it was reviewed"),
    ]
    for row, message in cases:
        with pytest.raises(InputError, match=message):
            apply_decisions(merged, _decisions(tmp_path / "d.jsonl", [row]), out)
    assert main(["review", "--apply", str(tmp_path / "d.jsonl"), str(merged), "-o", str(out)]) == 2


# ----------------------------------------------------------------------------- browser
@needs_chromium
def test_page_in_chromium_filters_marks_and_round_trip(merged, tmp_path, capsys):
    page = tmp_path / "review.html"
    assert main(["review", str(merged), "-o", str(page), "--no-engine"]) == 0  # CLI path renders too
    build_page(merged, page, fake_engine())
    result, dom = run_selftest(page, tmp_path)
    assert "fatal" not in result, result.get("fatal")
    assert result["errors"] == []
    recs = read(merged)
    assert result["rendered"] == result["total"] == len(recs) == 6
    assert result["injected"] is False  # record text shown as text, never run as script
    assert "window.pwned=1&lt;/script&gt;" in dom  # ... and visible to the reviewer
    assert result["plots"] == 4 + 3 and "plot-mix-scenario" in result["plot_ids"] and "plot-verdicts" in result["plot_ids"]
    assert result["marks"].get("ok", 0) >= 4  # claims highlighted, each with a title (checked in the page)

    # filters agree with the data
    assert result["filters"]["confidence"] == dict(Counter(r["confidence"] for r in recs))
    assert result["filters"]["persona"] == dict(Counter(r["persona"] for r in recs))
    assert result["filters"]["scenario"] == dict(Counter(r["scenario"] for r in recs))
    assert result["filters"]["rule"]["contradiction"] == sum("contradicts" in " ".join(r["confidence_reasons"]) for r in recs)
    assert result["combined"]["count"] == result["combined"]["dom"] >= 1
    assert result["filters"]["decision"] == {"undecided": 3, "accept": 1, "reject": 1, "edited": 1}
    assert result["download"] == {"scheme": "blob", "name": "merged.decisions.jsonl"}

    # the exported decisions round-trip exactly through --apply
    exported = result["export"]
    rows = [json.loads(line) for line in exported.splitlines()]
    assert [r["decision"] for r in rows] == ["accept", "reject", "edited"]
    assert [r["id"] for r in rows] == [x["id"] for x in recs[:3]]
    decisions = tmp_path / "decisions.jsonl"
    decisions.write_text(exported, encoding="utf-8")
    final = tmp_path / "final.jsonl"
    assert main(["review", "--apply", str(decisions), str(merged), "-o", str(final)]) == 0
    field = result["edit_field"]
    expected = [dict(recs[0], review="accept"), dict(recs[2], **{field: recs[2][field] + result["edit_suffix"]}, review="edited")]
    expected += [dict(r, review=None) for r in recs[3:]]
    assert read(final) == expected
    assert "1 accepted, 1 rejected, 1 edited" in capsys.readouterr().out
