"""Numeric claims checked against the calculators (R301-R305).

Expected values are taken from the calculators themselves (``estimate``), so these tests
state the contract — a claim at the estimate passes, one several times off fails — and keep
holding when the knowledge base is recalibrated.
"""

from dataclasses import dataclass, field

import pytest

from reality.validators.checking import ClaimChecker, Plan, plan_from
from reality.validators.config import ValidateConfig
from reality.validators.rules import RuleSet
from reality.validators.runner import Emitter, validate_record

calculators = pytest.importorskip("reality.calculators")
claims_mod = pytest.importorskip("reality.validators.claims")

CLAIMS_ONLY = ValidateConfig(select=["R3"])
PLAN = "QLoRA on a 7B model with 5k examples for 3 epochs on one A100 40GB"


def est(key, text=PLAN):
    report = calculators.check(text)
    return report.estimates[key]


def money(x):
    return f"${x:,.0f}" if x >= 10 else f"${x:.2f}"


def hours(x):
    return f"{x:.1f} hours"


def rules(findings):
    return sorted(f.rule for f in findings)


def test_claims_at_the_estimate_pass_and_far_off_fail():
    cost, wall = est("cost_usd"), est("wall_hours")
    good = {"prompt": f"I plan {PLAN}. What will it cost?",
            "chosen": f"{PLAN} costs about {money(cost.mid)} and takes roughly {hours(wall.mid)}."}
    assert [f for f in validate_record(good, CLAIMS_ONLY) if f.severity == "error"] == []
    bad = dict(good, chosen=f"{PLAN} costs about {money(cost.high * 6)} and takes roughly {hours(wall.mid)}.")
    errors = [f for f in validate_record(bad, CLAIMS_ONLY) if f.severity == "error"]
    assert rules(errors) == ["R301"]
    f = errors[0]
    assert f.field == "chosen" and "$" in f.quote and f.span is not None
    assert bad["chosen"][f.span[0]:f.span[1]] == f.quote
    assert f.expected["unit"] == "USD" and f.expected["low"] == pytest.approx(cost.low)
    assert f.sources, "a rejected claim names its sources"


def test_wrong_claim_in_rejected_is_caught_too():
    cost = est("cost_usd")
    rec = {"prompt": f"I plan {PLAN}. What will it cost?",
           "chosen": f"{PLAN} costs about {money(cost.mid)}.",
           "rejected": f"That usually costs around {money(cost.high * 10)} for {PLAN}."}
    errors = [f for f in validate_record(rec, CLAIMS_ONLY) if f.severity == "error"]
    assert [(f.rule, f.field) for f in errors] == [("R301", "rejected")]


def test_tolerance_is_configurable():
    cost = est("cost_usd")
    rec = {"prompt": f"I plan {PLAN}.", "chosen": f"It costs about {money(cost.high * 3)} for {PLAN}."}
    assert "R301" in rules(validate_record(rec, CLAIMS_ONLY))
    assert "R301" not in rules(validate_record(rec, CLAIMS_ONLY.updated(tolerance=4)))


def test_unverifiable_claim_is_a_warning_not_a_pass():
    rec = {"prompt": "How long does fine-tuning take?", "chosen": "It usually takes 1-2 hours and costs about $20."}
    found = validate_record(rec, CLAIMS_ONLY)
    assert rules(found) == ["R302", "R302"]
    assert all(f.severity == "warning" and "could not be checked" in f.message for f in found)


def test_impossible_plan_accepted_vs_corrected():
    prompt = ("I want to fine-tune a 20B model on 50GB of text with a $500 budget in 3 days on one A100 80GB. "
              "Can you give me a plan?")
    report = calculators.check("20B model, 50GB of text, $500 budget, 3 days, one A100 80GB")
    assert report.verdict == "infeasible"
    along = {"prompt": prompt, "chosen": "Great plan! 1. **Prepare the data.** 2. **Launch training.** 3. **Evaluate.**"}
    assert "R303" in rules(validate_record(along, CLAIMS_ONLY))
    cost = report.estimates["cost_usd"]
    fixes = {"prompt": prompt,
             "chosen": f"Unfortunately this is not realistic: a 20B model on 50GB of text would cost about "
                       f"{money(cost.mid)}, far more than $500. Start with a 7B LoRA on a 1GB subset instead."}
    found = validate_record(fixes, CLAIMS_ONLY)
    assert "R303" not in rules(found) and "R304" not in rules(found)
    vague = {"prompt": prompt, "chosen": "Unfortunately this is not realistic. Try something smaller."}
    found = rules(validate_record(vague, CLAIMS_ONLY))
    assert "R303" not in found and "R304" in found


def test_prompt_misconception_needs_correcting():
    cost = est("cost_usd")
    prompt = f"A friend said {PLAN} costs about {money(cost.high * 20)}. Is that right?"
    left = {"prompt": prompt, "chosen": "Sounds about right, plan for that."}
    assert "R305" in rules(validate_record(left, CLAIMS_ONLY))
    corrected = {"prompt": prompt, "chosen": f"Actually, {PLAN} costs about {money(cost.mid)}."}
    assert "R305" not in rules(validate_record(corrected, CLAIMS_ONLY))


def test_budget_in_prompt_is_a_constraint_not_a_claim():
    rec = {"prompt": f"I have a budget of $40,000 for {PLAN}.", "chosen": "Here is how to set it up."}
    assert "R305" not in rules(validate_record(rec, CLAIMS_ONLY))


# ------------------------------------------------------------------ with fakes: the mechanics
@dataclass
class FakeClaim:
    kind: str
    low: float
    high: float
    span: tuple
    text: str
    unit: str = ""
    subject: str | None = None
    role: str | None = None
    attrs: dict = field(default_factory=dict)
    qualifiers: frozenset = frozenset()


@dataclass
class FakeEst:
    low: float
    mid: float
    high: float
    unit: str = "USD"
    sources: tuple = ("fake source",)


class FakeReport:
    def __init__(self):
        self.estimates = {"cost_usd": FakeEst(10, 20, 30)}
        self.sources = ["fake kb"]
        self.verdict = "feasible"
        self.findings = []
        self.gpus = 1


class FakeKB:
    def gpu(self, name):
        return None


def test_estimate_is_cached_per_scenario():
    calls = []

    def fake_estimate(scenario):
        calls.append(scenario)
        return FakeReport()

    def extract(text):
        if "$" not in text:
            return [FakeClaim("model_size", 7e9, 7e9, (0, 2), "7B")]
        i = text.index("$")
        return [FakeClaim("model_size", 7e9, 7e9, (0, 2), "7B"),
                FakeClaim("money", 100, 100, (i, i + 4), text[i:i + 4], unit="USD")]

    checker = ClaimChecker(extract=extract, estimate_fn=fake_estimate, kb=FakeKB(), scenario_cls=lambda **kw: kw)
    rs = RuleSet.build(select=["R3"])
    outs = []
    for _ in range(50):
        out = []
        checker.check_record({"prompt": "7B plan", "chosen": "7B at $100 total"}, Emitter(rs, out))
        outs.append(out)
    assert len(calls) == 1
    assert all(rules(o) == ["R301"] for o in outs)
    assert "3.3x" in outs[0][0].message  # 100 vs high 30


def test_plan_from_reads_claims():
    claims = [FakeClaim("model_size", 7e9, 7e9, (0, 2), "7B"), FakeClaim("method", 0, 0, (3, 8), "QLoRA", attrs={"method": "qlora"}),
              FakeClaim("dataset_examples", 5000, 5000, (9, 11), "5k"), FakeClaim("epochs", 3, 3, (12, 20), "3 epochs"),
              FakeClaim("method", 0, 0, (21, 24), "DPO", attrs={"method": "dpo"})]
    plan = plan_from(claims, "x" * 30, FakeKB(), constraints=False)
    assert (plan.params, plan.full_method, plan.examples, plan.epochs) == (7e9, "dpo-qlora", 5000, 3)
    assert Plan(method="full").full_method == "full"
