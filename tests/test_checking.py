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


# ------------------------------------------------------------------ what a number is about
def errors_in(rec):
    return [(f.rule, f.field, f.quote) for f in validate_record(rec, CLAIMS_ONLY) if f.severity == "error"]


def mtok(x):
    return f"{x / 1e6:.0f}M tokens"


def test_token_counts_may_be_per_epoch_or_over_all_epochs():
    tokens = est("tokens")  # counts all epochs (DESIGN)
    per_epoch = tokens.mid / 3
    base = {"prompt": f"I plan {PLAN}."}
    for said in (f"Your 5k examples over 3 epochs come to about {mtok(tokens.mid)}.",
                 f"That is about {mtok(per_epoch)} per epoch, or {mtok(tokens.mid)} in total.",
                 f"The data is about {mtok(per_epoch)}."):  # ambiguous: either reading passes
        assert errors_in(dict(base, chosen=said)) == [], said
    wrong = errors_in(dict(base, chosen=f"Your 5k examples over 3 epochs come to about {mtok(tokens.mid * 8)}."))
    assert [r for r, _, _ in wrong] == ["R301"]


def test_sequence_lengths_and_tokens_per_example_are_not_dataset_sizes():
    rec = {"prompt": f"I plan {PLAN}. Is a 4096 tokens context worth it?",
           "chosen": "At roughly 760 tokens each, use 2048-token sequences; going to 4096 tokens doubles activation "
                     "memory, and examples above 1024 tokens are rare."}
    assert errors_in(rec) == []
    plan = plan_from(claims_mod.extract_claims(rec["chosen"] + " You have 5k examples."), rec["chosen"], None,
                     constraints=False)
    assert plan.tokens is None and plan.examples == 5000


def test_gpu_capacity_is_a_spec_not_a_requirement():
    prompt = "I'm doing a full fine-tune of a 3B model on my RTX 3090 with 20k examples for 2 epochs and it OOMs."
    vram = est("vram_per_gpu_gb", "full fine-tune of a 3B model on an RTX 3090 with 20k examples for 2 epochs")
    ok = {"prompt": prompt, "chosen": f"The run needs about {vram.mid:.0f} GB. Your 3090 has 24 GB, and an 8-bit "
                                      f"optimizer can squeeze LoRA onto 24 GB comfortably inside the card."}
    assert errors_in(ok) == []
    bad = dict(ok, chosen=f"The run needs about {vram.high * 4:.0f} GB. Your 3090 has 24 GB.")
    assert [q for r, _, q in errors_in(bad) if r == "R301"] == [f"about {vram.high * 4:.0f} GB"]
    needs = dict(ok, chosen="A full fine-tune of a 3B model needs 24 GB.")  # a requirement, though a card has 24 GB
    assert [q for r, _, q in errors_in(needs) if r == "R301"] == ["24 GB"]


def test_numbers_not_about_the_training_run_are_not_checked_as_its_time_or_cost():
    wall = est("wall_hours")
    rec = {"prompt": f"I plan {PLAN}.",
           "chosen": "Save checkpoints every 30-45 minutes and every few hours copy them off the box. "
                     "Runs above 100 GPU-hours should need sign-off; jobs over 12 hours need approval. "
                     "Cleaning the data is often a few days of work. Set an alert if no new step is logged for "
                     "15 minutes. Test resuming before the real run: kill a 10-minute job on purpose. "
                     "A crash then limits any loss to a fraction of a day. You don't load a second copy of the model. "
                     f"The run itself takes about {hours(wall.mid)}."}
    assert errors_in(rec) == []
    wrong = dict(rec, chosen=rec["chosen"].replace(hours(wall.mid), hours(wall.high * 8)))
    assert [(r, q) for r, _, q in errors_in(wrong)] == [("R301", f"about {hours(wall.high * 8)}")]


def test_a_number_quoted_to_correct_it_is_not_a_claim():
    wall = est("wall_hours")
    rec = {"prompt": f"A tutorial says {PLAN} takes about {wall.high * 20:.0f} hours. Is that right?",
           "chosen": f"No: it takes roughly {hours(wall.mid)}, not {wall.high * 20:.0f} hours. "
                     f"And 3k tokens/s is too low for an A100 estimate."}
    found = rules(validate_record(rec, CLAIMS_ONLY))
    assert "R301" not in found and "R305" not in found


def test_budget_repeated_by_the_response_is_a_constraint():
    rec = {"prompt": f"I have $500 for {PLAN}.", "chosen": f"{PLAN} fits well within $500: a realistic plan for $500."}
    assert errors_in(rec) == []


def test_alternative_plan_is_checked_against_its_own_scenario():
    prompt = "Plan: full fine-tune of a 20B model on our 50GB corpus on one H100 with a $500 budget. Feasible?"
    alt = est("tokens", "LoRA on a 7B model on 1GB of text on one H100")
    rec = {"prompt": prompt,
           "chosen": f"Not within $500. Alternative: LoRA on a 7B model over a 1GB high-quality subset "
                     f"(about {alt.mid / 1e6:.0f}M tokens) on one H100."}
    assert [r for r, _, _ in errors_in(rec)] == []


def test_memory_of_one_component_is_compared_with_that_component():
    prompt = "LoRA on an 8B model with 10k examples for 2 epochs on an RTX 4090 keeps running out of memory."
    ok = {"prompt": prompt, "chosen": "The bf16 weights of an 8B model are about 16 GB; the total is roughly 20-26 GB."}
    assert errors_in(ok) == []
    bad = {"prompt": prompt, "chosen": "LoRA on an 8B model only uses about 4 GB for the weights and adapters."}
    assert [(r, q) for r, _, q in errors_in(bad)] == [("R301", "about 4 GB")]
    assert "weights" in [f for f in validate_record(bad, CLAIMS_ONLY) if f.rule == "R301"][0].message


def test_memory_said_per_gpu_is_not_compared_with_the_node_total():
    prompt = "LoRA on a 70B model across an 8xA100 80GB node with 20k examples for 2 epochs, bf16 base weights."
    ok = {"prompt": prompt, "chosen": "A 70B model in bf16 is about 140 GB of weights in total, sharded across the node."}
    assert errors_in(ok) == []
    bad = {"prompt": prompt, "chosen": "A 70B model in bf16 with LoRA comes to about 140 GB on each GPU."}
    assert [(r, q) for r, _, q in errors_in(bad)] == [("R301", "about 140 GB")]


def test_wrong_figure_in_the_prompt_is_caught_at_the_prompt_unless_corrected():
    wall, vram = est("wall_hours"), est("vram_per_gpu_gb")
    prompt = f"The tutorial says {PLAN} finishes in about {wall.high * 30:.0f} hours. How do I checkpoint it?"
    along = {"prompt": prompt, "chosen": f"The run uses about {vram.mid:.0f} GB. Save a checkpoint every 30 minutes."}
    found = [f for f in validate_record(along, CLAIMS_ONLY) if f.rule == "R305"]
    assert len(found) == 1 and found[0].field == "prompt"
    assert prompt[found[0].span[0]:found[0].span[1]] == f"about {wall.high * 30:.0f} hours"
    fixed = dict(along, chosen=f"It should take roughly {hours(wall.mid)}, so checkpoint every 30 minutes.")
    assert "R305" not in rules(validate_record(fixed, CLAIMS_ONLY))
    chatter = {"prompt": f"I'm two weeks into my first job and I plan {PLAN}.", "chosen": "Here is how."}
    assert "R305" not in rules(validate_record(chatter, CLAIMS_ONLY))


def test_impossible_plan_corrected_with_numbers_and_located_in_the_prompt():
    prompt = "I'm doing a full fine-tune of a 3B model on my RTX 3090 (24 GB) with 20k examples for 2 epochs."
    vram = est("vram_per_gpu_gb", "full fine-tune of a 3B model on an RTX 3090 with 20k examples for 2 epochs")
    fixed = {"prompt": prompt, "chosen": f"Nothing is broken: the run needs about {vram.mid:.0f} GB and the card has 24 GB."}
    assert "R303" not in rules(validate_record(fixed, CLAIMS_ONLY))
    along = {"prompt": prompt, "chosen": "Great, here is a step-by-step setup for tonight."}
    found = [f for f in validate_record(along, CLAIMS_ONLY) if f.rule == "R303"]
    assert len(found) == 1 and found[0].field == "prompt" and "3090" in found[0].quote


def test_ranges_with_two_units_and_prices_per_gpu():
    wall = est("wall_hours")
    rec = {"prompt": f"I plan {PLAN}.",
           "chosen": f"It takes {wall.low * 60:.0f} minutes to {wall.high:.1f} hours at $1.50-2.50 each per GPU-hour."}
    assert errors_in(rec) == []


def test_a_response_token_count_is_checked_when_the_prompt_gives_the_dataset():
    tokens = est("tokens")
    rec = {"prompt": f"I plan {PLAN}. How many tokens is that?",
           "chosen": f"About {mtok(tokens.mid)} over the 3 epochs.",
           "rejected": f"That's about {mtok(tokens.high * 15)} over three epochs."}
    assert [(r, f) for r, f, _ in errors_in(rec)] == [("R301", "rejected")]


def test_recurring_prices_and_time_saved_are_not_the_runs_cost_or_time():
    rec = {"prompt": f"I plan {PLAN}.",
           "chosen": "Hosting costs about $300 per month. If it saves 30 hours weekly of agent time, that's "
                     "$2,000 saved a month. Each step takes about 2 seconds, and serving latency is 200 ms per request."}
    assert errors_in(rec) == []


def test_repeating_a_cards_memory_as_a_requirement_is_still_checked_and_bookings_are_not_runs():
    prompt = "I have an RTX 4090 with 24 GB and want to QLoRA a 70B model on 5k examples. I reserved it for 3 days."
    rec = {"prompt": prompt, "chosen": "A 70B QLoRA run needs about 6 GB, so your card is fine."}
    assert ("R301", "chosen", "about 6 GB") in errors_in(rec)
    assert "R305" not in rules(validate_record(rec, CLAIMS_ONLY))  # "3 days" is a booking, not a run time


def test_component_in_front_of_a_parenthesis_and_shares_of_the_optimizer_states():
    prompt = "Full fine-tune of a 1B model on 10k examples for 3 epochs on an RTX 4090 uses about 20 GB. Why so much?"
    ok = {"prompt": prompt, "chosen": "It also stores bf16 gradients (about 2 GB), two AdamW moments in fp32 (about 8 GB) and "
                                      "an fp32 master copy of the weights (about 4 GB). Altogether roughly 18-22 GB."}
    assert errors_in(ok) == []
    bad = {"prompt": prompt, "chosen": "It also stores bf16 gradients (about 2 GB) and two AdamW moments in fp32 "
                                       "(about 90 GB). Altogether roughly 18-22 GB."}
    assert [(r, q) for r, _, q in errors_in(bad)] == [("R301", "about 90 GB")]


def test_duration_at_a_stated_throughput_is_checked_at_that_rate():
    prompt = "LoRA on a 7B model with 100k examples for one epoch on one H100, and I only get 3k tok/s."
    tokens = est("tokens", "LoRA on a 7B model with 100k examples for one epoch on one H100")
    at_3k = tokens.mid / 3000 / 3600
    fix = "Your 3k tokens per second is far too low for an H100. "
    ok = {"prompt": prompt, "chosen": fix + f"At 3k tokens per second it would take around {at_3k:.0f} hours."}
    assert errors_in(ok) == []
    bad = {"prompt": prompt, "chosen": fix + f"At 3k tokens per second it would take around {at_3k * 5:.0f} hours."}
    assert [r for r, _, _ in errors_in(bad)] == ["R301"]


def test_gigabytes_of_gpu_memory_is_an_amount_not_a_card():
    prompt = "QLoRA on a 70B model with 5k examples for 2 epochs on one H100 80GB."
    bad = {"prompt": prompt, "chosen": "QLoRA keeps it to about 46-80 GB.",
           "rejected": "Even with QLoRA it needs about 300 GB of GPU memory, so a single H100 will not be enough."}
    assert [(r, f, q) for r, f, q in errors_in(bad)] == [("R301", "rejected", "about 300 GB")]


def test_a_gpu_ruled_out_is_not_the_plan_and_the_answer_picks_among_the_prompts_gpus():
    plan_a10g = "LoRA on a 3.8B model with 2k examples for 4 epochs on one A10G"
    tput = est("throughput_tokens_per_s", plan_a10g)
    prompt = ("I assumed I'd need to rent an A100 for anything involving an LLM. Would an A10G be enough to "
              "LoRA a 3.8B model on 2k examples for 4 epochs?")
    claim = f"Expect about {tput.mid:,.0f} tokens per second."
    rec = {"prompt": prompt, "chosen": f"An A10G is plenty; you don't need an A100. {claim}"}
    assert errors_in(rec) == []
    bad = dict(rec, chosen=f"An A10G is plenty; you don't need an A100. Expect about {tput.high * 4:,.0f} tokens per second.")
    assert [r for r, _, _ in errors_in(bad)] == ["R301"]
    # the ruled-out card is not context for a claim next to it
    gpus = [c for c in claims_mod.extract_claims("You don't need an A100 here; an RTX 4090 works.") if c.kind == "gpu"]
    assert [bool(c.attrs.get("negated")) for c in gpus] == [True, False]


def test_budget_as_a_verb_in_a_response_is_an_estimate_and_under_is_not_a_constraint():
    cost = est("cost_usd")
    prompt = f"I plan {PLAN}. What should I put in the proposal?"
    for phrase in (f"budget at least {money(cost.high * 8)} for the run", f"it costs under {money(cost.low / 8)}"):
        rec = {"prompt": prompt, "chosen": f"For the proposal, {phrase}."}
        assert [r for r, _, _ in errors_in(rec)] == ["R301"], phrase
    ok = {"prompt": prompt, "chosen": f"For the proposal, budget about {money(cost.mid)}; with your $5,000 budget that leaves room."}
    assert errors_in(ok) == []


def test_people_time_a_test_run_and_a_price_per_hour_are_not_the_runs_length():
    prompt = f"I plan {PLAN}."
    rec = {"prompt": prompt,
           "chosen": "The real cost is people: about two days to clean and de-identify the data, and one day for "
                     "evaluation with the staff.\n\n**Pro Tip:** Before the full run, train for 50 steps and chat with "
                     "the adapter. If the template is wrong, you've found out in five minutes.",
           "rejected": "A cloud A100 is usually well under a few dollars an hour."}
    assert errors_in(rec) == []
    # the test-run context does not cross a paragraph
    far = dict(rec, chosen="Before the full run, train for 50 steps.\n\nThe whole run takes five minutes.")
    assert [q for _, _, q in errors_in(far)] == ["five minutes"]


def test_two_durations_joined_by_to_are_one_range():
    wall = est("wall_hours")
    [c] = [c for c in claims_mod.extract_claims("It finishes in a few hours to half a day.") if c.kind == "duration"]
    [few] = claims_mod.extract_claims("It finishes in a few hours.")
    assert (c.low, c.high, c.text) == (few.low, 12.0, "a few hours to half a day") and "range" in c.qualifiers
    rec = {"prompt": f"I plan {PLAN}.", "chosen": f"It takes {wall.mid:.0f} hours to half a day."}
    assert errors_in(rec) == []


def test_hourly_prices_written_per_named_gpu_or_as_a_rate_are_prices():
    cost = est("cost_usd")
    prompt = f"I plan {PLAN}."
    for phrase in ("At about $2-3.50 per L40S-hour", "At about $0.80 per A100-hour", "Billed per GPU per hour at roughly $2.50-4",
                   "At your $2 contract rate"):
        rec = {"prompt": prompt, "chosen": f"{phrase}, the run costs roughly {money(cost.mid)}."}
        assert errors_in(rec) == [], phrase
    [c] = [c for c in claims_mod.extract_claims("$1.50-2.50 per A100-hour") if c.kind == "price_rate"]
    assert c.unit == "USD/GPU-hour"


def test_counts_per_period_vocabularies_and_headroom_are_not_plan_figures():
    prompt = f"I plan {PLAN}."
    rec = {"prompt": prompt,
           "chosen": "How many runs a week do they launch? Gemma uses a 256k-token vocabulary. "
                     "Set max_memory to leave 15 GB free on GPU 0."}
    assert errors_in(rec) == []
    bad = dict(rec, chosen="The run needs about 900 GB.")
    assert [q for _, _, q in errors_in(bad)] == ["about 900 GB"]


def test_a_few_test_steps_peoples_tasks_and_a_person_acting_are_not_the_run():
    prompt = f"I plan {PLAN}."
    rec = {"prompt": prompt,
           "chosen": "**Pro Tip:** Before any long run, train 10 steps and print the peak memory. Thirty seconds of "
                     "testing tells you whether it fits.\n\n**Pro Tip:** Benchmark 100 steps at micro-batch 2 and 4. "
                     "It takes a few minutes.\n\n6. **Delivery date.** Data cleaning 2 days, client review 3 days.\n\n"
                     "When someone asks about 2 epochs, you can answer in ten seconds by scaling the tokens line."}
    assert errors_in(rec) == []
    # a step count alone does not make a run a test: the full run's length is still checked
    bad = dict(rec, chosen="Training 3,000 steps takes about 400 hours.")
    assert [q for _, _, q in errors_in(bad)] == ["about 400 hours"]


def test_thats_is_not_a_possessive_capacity():
    plan = "Full fine-tune of a 70B model on 2GB of text for one epoch on eight A100 80GB"
    vram = est("vram_per_gpu_gb", plan)
    rec = {"prompt": f"A consultant proposes a {plan}.",
           "chosen": f"The plan as written fails. Even split across eight GPUs, that's roughly {vram.low:.0f}-{vram.high:.0f} GB "
                     "per GPU, and each A100 holds 80 GB."}
    assert [r for r, _, _ in errors_in(rec)] == []  # the correction is seen: no R303
    wrong = dict(rec, chosen=f"Even split across eight GPUs, that's roughly {vram.high * 5:.0f} GB per GPU.")
    assert "R301" in [r for r, _, _ in errors_in(wrong)]


def test_named_models_without_a_size_and_moe_models_use_the_knowledge_base():
    [phi] = [c for c in claims_mod.extract_claims("a Phi-3 mini LoRA") if c.kind == "model_size"]
    assert phi.attrs["model"] == "phi-3-mini" and 3e9 < phi.low < 4.5e9
    [ex] = [c for c in claims_mod.extract_claims("on 60k maintenance-log examples") if c.kind == "dataset_examples"]
    assert ex.low == 60_000
    assert not [c for c in claims_mod.extract_claims("a 7B model examples") if c.kind == "dataset_examples"]
    moe = "Mixtral 8x7B QLoRA on 20k examples for 2 epochs on one H100"
    vram = est("vram_per_gpu_gb", moe)
    rec = {"prompt": f"We want {moe}.",
           "chosen": f"Unlike a dense 7B, all experts must sit in memory: expect about {vram.mid:.0f} GB of the H100's 80 GB."}
    assert errors_in(rec) == []


def test_peoples_time_other_tasks_and_conditions_are_not_the_run():
    prompt = f"I plan {PLAN}."
    rec = {"prompt": prompt,
           "chosen": "4. **Your time (same for both).**\n   - Data cleaning and formatting: ~12 hours ($1,800)\n"
                     "   - Evaluation and client review: ~6 hours ($900)\n\n"
                     "- **Evaluation:** building a test set and having your staff review answers. About 1-2 weeks.\n\n"
                     "Expect your ops lead to spend one to two weeks on this. Hold out 300 examples; scoring them takes "
                     "about five minutes. The progress bar is noisy during the first few minutes. It OOM'd a few minutes in, "
                     "and then we stopped. If memory stays flat below about 1 GB, raise the batch size.\n\n"
                     "**Pro Tip:** Run both options for 300 steps and compare eval loss. It takes well under an hour."}
    assert errors_in(rec) == []
    # the same figures said of the run are checked
    bad = {"prompt": prompt, "chosen": "The training run takes about two weeks and costs about $1,800."}
    assert sorted(q for _, _, q in errors_in(bad)) == ["about $1,800", "about two weeks"]


def test_a_table_row_that_states_the_hourly_rate_holds_costs_and_counts_travel_with_the_claim():
    cost = est("cost_usd")
    rec = {"prompt": f"I plan {PLAN}.",
           "chosen": "| | Plan |\n|---|---|\n"
                     f"| GPU cost ($1.50-2.50/GPU-hr) | ~{money(cost.mid)} |\n"}
    assert errors_in(rec) == []
    four = "LoRA on a 7B model with 20k examples for 2 epochs on 4x A100 80GB"
    wall4 = est("wall_hours", four)
    wall1 = est("wall_hours", "LoRA on a 7B model with 20k examples for 2 epochs on one A100 80GB")
    rec = {"prompt": "I plan LoRA on a 7B model with 20k examples for 2 epochs on one A100 80GB.",
           "chosen": f"2. **Four-GPU run.** Wall time drops to roughly {wall4.mid:.1f} hours.\n\n"
                     f"3. **A single A100 80GB.** Wall-clock: about {wall1.mid:.0f} hours."}
    assert errors_in(rec) == []


def test_far_off_time_or_money_not_said_to_be_the_runs_is_a_warning_not_an_error():
    wall = est("wall_hours")
    assert wall.high < 24 * 7 / 3  # a week is far off for this plan
    prompt = f"I plan {PLAN}."
    loose = {"prompt": prompt, "chosen": "Set Windows active hours and pause updates for a week."}
    found = validate_record(loose, CLAIMS_ONLY)
    assert [(f.rule, f.severity, f.quote) for f in found] == [("R307", "warning", "a week")]
    tied = {"prompt": prompt, "chosen": "The training run takes about a week."}
    assert [r for r, _, _ in errors_in(tied)] == ["R301"]
    # with R307 off, the unanchored figure is checked like any other
    strict = [f.rule for f in validate_record(loose, ValidateConfig(select=["R3"], ignore=["R307"]))]
    assert strict == ["R301"]


def test_budget_tables_in_responses_serving_exports_and_abbreviations():
    cost = est("cost_usd")
    prompt = f"I plan {PLAN}."
    # an itemised budget in a response holds estimates, checked like any other
    rec = {"prompt": prompt, "chosen": f"4. **Itemised budget.**\n\n| Line item | Amount |\n|---|---|\n"
                                      f"| GPU compute, main run | about {money(cost.high * 9)} |\n"}
    assert [r for r, _, _ in errors_in(rec)] == ["R301"]
    ok = {"prompt": prompt,
          "chosen": "Serving is the real cost: two H100s to serve (~140 GB of weights) at ~$3/GPU-hour is about $4,400 a "
                    "month around the clock. A Q4 GGUF export is around 400 MB. Tutorials train on 1-10k examples, "
                    "i.e. 1-7M tokens. At $1.50-2.50 per A100 80GB hour that is cheap."}
    assert errors_in(ok) == []


def test_a_heading_that_names_the_run_and_people_work_is_still_the_runs():
    wall = est("wall_hours")
    rec = {"prompt": f"I plan {PLAN}.",
           "chosen": f"3. **Training and evaluation.**\n   - The run takes about {wall.high * 6:.0f} hours."}
    assert [r for r, _, _ in errors_in(rec)] == ["R301"]
