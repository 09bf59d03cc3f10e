"""`reality validate` end to end: formats, exit codes, bad input never gives a traceback."""

import json

import pytest

from reality.cli import main


def words(n, w="w"):
    return " ".join(f"{w}{i}" for i in range(n))


GOOD = {"prompt": words(100, "p"), "chosen": words(275, "c"), "rejected": words(150, "r")}


def write_jsonl(path, records):
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records), encoding="utf-8")
    return str(path)


def run(capsys, *argv):
    code = main(["validate", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_clean_file_exits_0(tmp_path, capsys):
    f = write_jsonl(tmp_path / "d.jsonl", [GOOD])
    code, out, _ = run(capsys, f, "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["records"] == [{"file": f, "index": 0, "line": 1, "verdict": "accept", "findings": []}]
    assert doc["summary"]["records"] == 1 and doc["summary"]["rejected"] == 0


def test_json_interface_one_entry_per_record_in_order(tmp_path, capsys):
    bad = dict(GOOD, prompt="too short")
    f = write_jsonl(tmp_path / "d.jsonl", [GOOD, "{not json", bad, "[1, 2]", GOOD | {"prompt": words(101, "z")}])
    code, out, _ = run(capsys, f, "--format", "json")
    assert code == 1
    doc = json.loads(out)
    recs = doc["records"]
    assert [r["index"] for r in recs] == [0, 1, 2, 3, 4]
    assert [r["line"] for r in recs] == [1, 2, 3, 4, 5]
    assert [r["verdict"] for r in recs] == ["accept", "reject", "reject", "reject", "accept"]
    assert recs[1]["findings"][0]["rule"] == "R001" and recs[1]["findings"][0]["line"] == 2
    f2 = recs[2]["findings"][0]
    assert set(f2) >= {"rule", "severity", "message", "field", "span", "quote", "expected", "sources", "file", "line", "index"}
    assert f2["rule"] == "R201" and f2["field"] == "prompt"
    assert recs[3]["findings"][0]["rule"] == "R003"
    assert set(doc["summary"]) >= {"records", "accepted", "rejected", "errors", "warnings", "by_rule", "exit_code"}


def test_non_utf8_line_rest_still_checked(tmp_path, capsys):
    p = tmp_path / "d.jsonl"
    p.write_bytes(json.dumps(GOOD).encode() + b"\n" + b'{"prompt": "caf\xe9"}\n' + json.dumps(GOOD | {"chosen": words(276)}).encode() + b"\n")
    code, out, _ = run(capsys, str(p), "--format", "json")
    doc = json.loads(out)
    assert code == 1
    assert [r["verdict"] for r in doc["records"]] == ["accept", "reject", "accept"]
    assert doc["records"][1]["findings"][0]["rule"] == "R002" and "0xe9" in doc["records"][1]["findings"][0]["message"]


def test_empty_file(tmp_path, capsys):
    p = tmp_path / "e.jsonl"
    p.write_text("\n\n")
    code, out, _ = run(capsys, str(p), "--format", "json")
    doc = json.loads(out)
    assert code == 1 and doc["records"] == []
    assert doc["summary"]["dataset_findings"][0]["rule"] == "R004"


def test_huge_line_is_a_finding_not_a_crash(tmp_path, capsys):
    big = dict(GOOD, chosen="word " * 1_000_000)  # ~5 MB line
    f = write_jsonl(tmp_path / "big.jsonl", [GOOD, big, GOOD | {"prompt": words(99)}])
    code, out, _ = run(capsys, f, "--format", "json")
    doc = json.loads(out)
    assert code == 1
    assert [r["verdict"] for r in doc["records"]] == ["accept", "reject", "accept"]
    assert doc["records"][1]["findings"][0]["rule"] == "R005"
    assert "MB" in doc["records"][1]["findings"][0]["message"]


def test_wrong_types_and_missing_fields(tmp_path, capsys):
    f = write_jsonl(tmp_path / "d.jsonl", [GOOD | {"chosen": 3}, {"prompt": GOOD["prompt"], "chosen": GOOD["chosen"]}])
    code, out, _ = run(capsys, f, "--format", "json", "--mode", "dpo")
    doc = json.loads(out)
    assert code == 1
    assert "R102" in [x["rule"] for x in doc["records"][0]["findings"]]
    assert "R101" in [x["rule"] for x in doc["records"][1]["findings"]]


def test_usage_errors_exit_2(tmp_path, capsys):
    f = write_jsonl(tmp_path / "d.jsonl", [GOOD])
    code, _, err = run(capsys, str(tmp_path / "missing.jsonl"))
    assert code == 2 and "no such file" in err
    code, _, err = run(capsys, str(tmp_path))
    assert code == 2 and "directory" in err
    code, _, err = run(capsys, f, "--mode", "ppo")
    assert code == 2 and "unknown mode" in err
    bad = tmp_path / "m.yaml"
    bad.write_text("features: [unclosed\n  - x: {")
    code, _, err = run(capsys, f, "--dataset", "features", "--manifest", str(bad))
    assert code == 2 and "not valid YAML" in err
    code, _, err = run(capsys, f, "--dataset", "features", "--manifest", str(tmp_path / "nope.yaml"))
    assert code == 2 and "not found" in err
    code, _, err = run(capsys, f, "--ignore", "R999")
    assert code == 2 and "unknown rule" in err
    code, _, err = run(capsys, f, "--tolerance", "0.5")
    assert code == 2
    cfg = tmp_path / "reality.toml"
    cfg.write_text("dataset = [")
    code, _, err = run(capsys, f, "--config", str(cfg))
    assert code == 2 and "TOML" in err


def test_unknown_format_is_argparse_usage_error(tmp_path, capsys):
    f = write_jsonl(tmp_path / "d.jsonl", [GOOD])
    with pytest.raises(SystemExit) as exc:
        main(["validate", f, "--format", "xml"])
    assert exc.value.code == 2


def test_json_array_with_lines(tmp_path, capsys):
    p = tmp_path / "d.json"
    p.write_text("[\n" + json.dumps(GOOD) + ",\n\n" + json.dumps(GOOD | {"prompt": "short"}) + "\n]\n")
    code, out, _ = run(capsys, str(p), "--format", "json")
    doc = json.loads(out)
    assert code == 1
    assert [(r["index"], r["line"], r["verdict"]) for r in doc["records"]] == [(0, 2, "accept"), (1, 4, "reject")]
    p.write_text("[\n" + json.dumps(GOOD) + ",\n{oops}\n]")
    code, out, _ = run(capsys, str(p), "--format", "json")
    doc = json.loads(out)
    assert [r["verdict"] for r in doc["records"]] == ["accept", "reject"]
    assert doc["records"][1]["findings"][0]["rule"] == "R001" and doc["records"][1]["line"] == 3


def test_parquet(tmp_path, capsys):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    p = tmp_path / "d.parquet"
    pq.write_table(pa.Table.from_pylist([GOOD, GOOD | {"prompt": "short"}]), p)
    code, out, _ = run(capsys, str(p), "--format", "json")
    doc = json.loads(out)
    assert code == 1
    assert [(r["index"], r["line"], r["verdict"]) for r in doc["records"]] == [(0, None, "accept"), (1, None, "reject")]


def test_github_format(tmp_path, capsys):
    f = write_jsonl(tmp_path / "d.jsonl", [GOOD, GOOD | {"prompt": "short, really: 100%"}])
    code, out, _ = run(capsys, f, "--format", "github")
    assert code == 1
    lines = [x for x in out.splitlines() if x.startswith("::")]
    assert lines and lines[0].startswith(f"::error file={f},line=2,title=R201")
    assert all("\n" not in x for x in lines)


def test_sarif_format(tmp_path, capsys):
    f = write_jsonl(tmp_path / "d.jsonl", [GOOD | {"prompt": "short"}])
    code, out, _ = run(capsys, f, "--format", "sarif")
    doc = json.loads(out)
    assert code == 1 and doc["version"] == "2.1.0"
    run_ = doc["runs"][0]
    assert run_["tool"]["driver"]["name"] == "reality"
    assert {r["id"] for r in run_["tool"]["driver"]["rules"]} >= {"R201", "R301"}
    res = run_["results"][0]
    assert res["ruleId"] == "R201" and res["level"] == "error"
    assert res["locations"][0]["physicalLocation"]["region"]["startLine"] == 1


def test_text_format(tmp_path, capsys):
    f = write_jsonl(tmp_path / "d.jsonl", [GOOD, GOOD | {"prompt": "short"}])
    code, out, _ = run(capsys, f)
    assert code == 1
    assert "reject" in out and "R201" in out and "1 accepted, 1 rejected" in out


def test_select_ignore_flags(tmp_path, capsys):
    f = write_jsonl(tmp_path / "d.jsonl", [GOOD | {"prompt": "short"}])
    code, out, _ = run(capsys, f, "--ignore", "R201,R5", "--format", "json")
    assert code == 0
    code, out, _ = run(capsys, f, "--select", "prompt-words", "--format", "json")
    assert code == 1 and json.loads(out)["summary"]["by_rule"] == {"R201": 1}


def test_config_file_is_used(tmp_path, capsys, monkeypatch):
    f = write_jsonl(tmp_path / "d.jsonl", [GOOD | {"prompt": words(10)}])
    (tmp_path / "reality.toml").write_text("[words]\nprompt = [5, 20]\n")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, f, "--format", "json")
    assert code == 0, out


def test_features_dataset_example_files(capsys):
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "examples"
    code, out, _ = run(capsys, str(root / "features_dataset.jsonl"), "--dataset", "features",
                       "--manifest", str(root / "features_manifest.yaml"), "--format", "json")
    doc = json.loads(out)
    verdicts = [r["verdict"] for r in doc["records"]]
    assert code == 1 and "accept" in verdicts and "reject" in verdicts
    rules = {x["rule"] for r in doc["records"] for x in r["findings"]}
    assert "R403" in rules and "R401" in rules


def test_rules_and_explain_commands(capsys):
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    assert "R301" in out and "claim-out-of-range" in out
    assert main(["rules", "--json"]) == 0
    assert any(r["id"] == "R201" for r in json.loads(capsys.readouterr().out))
    assert main(["explain", "R201"]) == 0
    out = capsys.readouterr().out
    assert "passes" in out and "fails" in out and "80" in out
    assert main(["explain", "nope"]) == 2


def test_import_is_light():
    import subprocess
    import sys

    code = ("import sys, reality.validators, reality.validators.runner, reality.validators.checking;"
            "bad=[m for m in ('litellm','sympy','pint') if m in sys.modules]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
