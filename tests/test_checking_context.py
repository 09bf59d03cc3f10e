"""What a figure is about: tables, side runs, other formats and other plans (R301-R307).

Each test pairs the context that makes a figure something other than the planned run's
(which must pass) with the same figure said of the run (which must be rejected), so that
neither half can pass by checking nothing. Expected values come from the calculators.
"""

import pytest

from reality.validators.config import ValidateConfig
from reality.validators.runner import validate_record

calculators = pytest.importorskip("reality.calculators")
claims_mod = pytest.importorskip("reality.validators.claims")

CLAIMS_ONLY = ValidateConfig(select=["R3"])
PLAN = "QLoRA on a 7B model with 5k examples for 3 epochs on one A100 40GB"


def est(key, text=PLAN):
    return calculators.check(text).estimates[key]


def errors_in(rec):
    return [(f.rule, f.field, f.quote) for f in validate_record(rec, CLAIMS_ONLY) if f.severity == "error"]


def extract(text):
    return [(c.kind, c.text) for c in claims_mod.extract_claims(text)]


def test_a_second_limit_chained_to_a_policy_threshold_is_not_an_estimate():
    gpu_h = est("gpu_hours")
    far = f"{gpu_h.high * 40:.0f}"
    policy = {"prompt": f"I plan {PLAN}.",
              "chosen": f"Our policy: any training run over $500 or over {far} GPU-hours gets pre-approval."}
    assert errors_in(policy) == []
    claim = {"prompt": f"I plan {PLAN}.", "chosen": f"The training run needs about {far} GPU-hours."}
    assert [r for r, _, _ in errors_in(claim)] == ["R301"]


def test_time_a_crash_costs_is_not_the_runs_length():
    minutes = f"{est('wall_hours').low * 60 / 8:.0f} minutes"
    lost = {"prompt": f"I plan {PLAN}.",
            "chosen": f"Save a checkpoint regularly. A crash then costs you {minutes}, not the whole run."}
    assert errors_in(lost) == []
    run = {"prompt": f"I plan {PLAN}.", "chosen": f"The whole run takes {minutes}."}
    assert [r for r, _, _ in errors_in(run)] == ["R301"]


def test_weights_in_a_named_format_are_checked_at_that_format():
    # a 70B model being fine-tuned with QLoRA: its bf16 weights are still ~140 GB on disk and on load
    plan = "QLoRA on Llama 3.1 70B with 5k examples for 2 epochs on one A100 80GB"
    ok = {"prompt": f"I plan {plan}.",
          "chosen": "Pre-quantise once: loading 140 GB of bf16 weights on every restart wastes rental time."}
    assert errors_in(ok) == []
    bad = dict(ok, chosen="Pre-quantise once: loading 30 GB of bf16 weights on every restart wastes rental time.")
    assert [r for r, _, _ in errors_in(bad)] == ["R301"]


def test_adapter_and_checkpoint_file_sizes_are_not_gpu_memory():
    ok = {"prompt": f"I plan {PLAN}.",
          "chosen": "LoRA wins operationally: one GPU and adapters of ~100 MB instead of 14 GB checkpoints."}
    assert errors_in(ok) == []
    bad = {"prompt": f"I plan {PLAN}.", "chosen": "Training needs ~100 MB of GPU memory."}
    assert [r for r, _, _ in errors_in(bad)] == ["R301"]


def test_a_budget_table_checks_the_run_rows_and_warns_on_the_rest():
    cost = est("cost_usd")
    table = ("| Item | Cost |\n|---|---|\n| Data cleaning (10 h x $90) | $900 |\n"
             "| Training runs (3 iterations) | ~{runs} |\n| Account management | $300 |\n| **Total** | **~$1,300** |\n")
    three = f"${cost.mid * 3:,.0f}"
    rec = {"prompt": f"I plan {PLAN}.", "chosen": table.format(runs=three)}
    found = validate_record(rec, CLAIMS_ONLY)
    assert [f for f in found if f.severity == "error"] == []
    # the non-run rows and the total they feed are unverifiable here: warnings, not passes
    assert {f.quote for f in found if f.rule == "R307"} >= {"$300", "~$1,300"}
    bad = {"prompt": rec["prompt"], "chosen": table.format(runs=f"${cost.high * 3 * 8:,.0f}")}
    assert [r for r, _, _ in errors_in(bad)] == ["R301"]


def test_a_generic_cost_column_does_not_tie_a_row_to_the_run_but_a_named_one_does():
    cost = est("cost_usd")
    far = f"${cost.high * 20:,.0f}"
    generic = {"prompt": f"I plan {PLAN}.", "chosen": f"| Item | Cost |\n|---|---|\n| Office move | {far} |\n"}
    assert errors_in(generic) == []
    named = {"prompt": f"I plan {PLAN}.", "chosen": f"| Item | Training cost |\n|---|---|\n| This plan | {far} |\n"}
    assert [r for r, _, _ in errors_in(named)] == ["R301"]
    gpu_row = {"prompt": f"I plan {PLAN}.", "chosen": f"| Option | Cost |\n|---|---|\n| A100 40GB | {far} |\n"}
    assert [r for r, _, _ in errors_in(gpu_row)] == ["R301"]


def test_a_serving_row_label_or_monthly_header_is_not_the_training_cost():
    cost = est("cost_usd")
    far = f"~${cost.high * 50:,.0f}"
    rec = {"prompt": f"I plan {PLAN}.",
           "chosen": f"| Option | Monthly cost |\n|---|---|\n| 7B model on one L4, 24/7 | {far} |\n"}
    assert errors_in(rec) == []


def test_a_pilot_subset_is_that_runs_data_and_a_pilot_column_is_a_side_run():
    full = "QLoRA on Mistral 7B with 40k examples for 1 epoch on one L4"
    wall_full, wall_pilot = est("wall_hours", full), est("wall_hours", full.replace("40k", "4k"))
    prompt = (f"I'm QLoRA fine-tuning Mistral 7B on 40k examples, 1 epoch, on a GCP L4. Last week I did a pilot on a "
              f"4k-example subset and it took about {wall_pilot.mid:.1f} hours. Now the full run's ETA says "
              f"{wall_full.mid:.0f} hours.")
    chosen = (f"| | Pilot (4k) | Full (40k) |\n|---|---|---|\n| Wall time | ~{wall_pilot.mid:.1f} h | "
              f"~{wall_full.mid:.0f} h |\n\nYour numbers are in range.")
    assert errors_in({"prompt": prompt, "chosen": chosen}) == []
    wrong = prompt.replace(f"says {wall_full.mid:.0f} hours", f"says {wall_full.high * 8:.0f} hours")
    assert [(r, f) for r, f, _ in errors_in({"prompt": wrong, "chosen": chosen})] == [("R305", "prompt")]


def test_a_smoke_test_on_a_few_hundred_examples_does_not_size_the_plan():
    plan = "LoRA on Llama 3.1 8B with 50k examples for 3 epochs on one A100 80GB"
    wall = est("wall_hours", plan)
    rec = {"prompt": f"I want {plan}. I also want a quick smoke test first.",
           "rejected": f"The run will finish in about {wall.mid:.0f} hours. Run a short smoke test on a few hundred "
                       "examples first to catch formatting problems."}
    assert errors_in(rec) == []


def test_a_figure_for_another_plan_named_after_a_contrast_word_is_not_this_ones():
    small = "LoRA on Llama 3.1 8B with 10k examples for 2 epochs on one H100"
    wall = est("wall_hours", small)
    rec = {"prompt": "Should I QLoRA Llama 3.3 70B or LoRA Llama 3.1 8B on 10k examples, 2 epochs, one H100?",
           "chosen": f"The 8B model is the cheaper choice. It trains in about {wall.mid:.1f} hours on an H100, while "
                     "the 70B QLoRA run will take several hours."}
    assert errors_in(rec) == []
    bad = dict(rec, chosen=rec["chosen"].replace(f"about {wall.mid:.1f} hours", f"about {wall.high * 9:.0f} hours"))
    assert [r for r, _, _ in errors_in(bad)] == ["R301"]


def test_a_total_over_the_epochs_is_checked_when_the_plan_is_given_in_tokens():
    rec = {"prompt": "QLoRA on Qwen2.5 3B with 1.3M tokens for 5 epochs on one A10G.",
           "chosen": "1.3M tokens over five epochs is about 6.5 million tokens in total."}
    assert errors_in(rec) == []
    bad = dict(rec, chosen="1.3M tokens over five epochs is about 65 million tokens in total.")
    assert [r for r, _, _ in errors_in(bad)] == ["R301"]


def test_time_spent_on_another_task_is_not_the_run():
    rec = {"prompt": f"I plan {PLAN}.", "chosen": "Spend the first couple of weeks generating and reviewing data."}
    assert errors_in(rec) == []
    run = {"prompt": f"I plan {PLAN}.", "chosen": "The training run takes a couple of weeks."}
    assert [r for r, _, _ in errors_in(run)] == ["R301"]


def test_the_prompts_open_method_is_the_chosen_responses_for_feasibility():
    rec = {"prompt": "Fine-tune Llama 3.1 8B on 20,000 emails, two passes, on a single rented A100 80GB. Budget?",
           "chosen": "With LoRA the model needs about 20-27 GB of GPU memory, so one A100 80GB is plenty."}
    assert [r for r, _, _ in errors_in(rec)] == []
    full = dict(rec, chosen="A full fine-tune on one A100 80GB works fine.")
    assert "R303" in [r for r, _, _ in errors_in(full)]


@pytest.mark.parametrize("text,expected", [
    ("we tune on 12k of their past campaign copy examples", [("dataset_examples", "12k of their past campaign copy examples")]),
    ("the team allocated a single GPU-hour", [("duration", "a single GPU-hour")]),
    ("roughly two GPU-hours", [("duration", "roughly two GPU-hours")]),
    ("a GPU hour costs $2", [("money", "$2")]),
    ("80,000 math word problems", [("dataset_examples", "80,000 math word problems")]),
    ("| 0.5B full | 11-14 GB |", [("model_size", "0.5B"), ("method", "full"), ("memory", "11-14 GB")]),
    ("we went full", []),
])
def test_extraction_of_counts_gpu_hours_and_table_methods(text, expected):
    assert extract(text) == expected


def test_a_gpu_name_ending_in_a_digit_ends_a_sentence():
    from reality.validators.structure import segment

    text = "I train on a GCP L4. Last week a pilot took an hour."
    st = segment(text)
    assert [text[s.start:s.end] for s in st.segments] == ["I train on a GCP L4.", "Last week a pilot took an hour."]


def test_what_a_hypothetical_target_would_need_is_not_an_estimate():
    rate = est("throughput_tokens_per_s")
    far = f"{rate.high * 20 / 1000:.0f}k tokens/s"
    hypothetical = {"prompt": f"I plan {PLAN}.", "chosen": f"Finishing in 5 minutes would require something like {far}."}
    assert errors_in(hypothetical) == []
    claim = {"prompt": f"I plan {PLAN}.", "chosen": f"Training runs at about {far}."}
    assert [r for r, _, _ in errors_in(claim)] == ["R301"]


def test_an_earlier_runs_figures_are_not_this_plans():
    tokens = est("tokens")
    far = f"~{tokens.high * 8 / 1e6:.0f}M tokens"
    past = {"prompt": f"I plan {PLAN}.", "chosen": f"That is well under the {far} in last month's SFT pass."}
    assert errors_in(past) == []
    now = {"prompt": f"I plan {PLAN}.", "chosen": f"This run processes {far} in total."}
    assert [r for r, _, _ in errors_in(now)] == ["R301"]


@pytest.mark.parametrize("sentence", [
    "That is about $3-4 of compute, against the {far} you spent on annotation.",
    "A new 4090 costs well over {far}.",
    "Bill a flat {far} 'model training' fee per client.",
])
def test_money_for_other_things_than_the_run(sentence):
    far = f"${est('cost_usd').high * 30:,.0f}"
    assert errors_in({"prompt": f"I plan {PLAN}.", "chosen": sentence.format(far=far)}) == []
    assert [r for r, _, _ in errors_in({"prompt": f"I plan {PLAN}.", "chosen": f"The run costs {far}."})] == ["R301"]


def test_a_count_of_things_per_month_is_a_rate_not_a_duration():
    rec = {"prompt": f"I plan {PLAN}.", "chosen": "With two cards, 10 clients a month is very manageable."}
    assert errors_in(rec) == []


def test_a_machines_hourly_price_is_the_price_of_all_its_gpus():
    plan = "LoRA on Llama 3 70B with 30k examples for 1 epoch on 8x H100"
    price = est("price_usd_per_gpu_hour", plan)
    node = f"${price.mid * 8:.0f}/hour"
    ok = {"prompt": f"I plan {plan}. Node time is charged at {node}.", "chosen": "That is a normal node rate."}
    assert errors_in(ok) == []
    per_gpu = {"prompt": f"I plan {plan}. Each GPU is charged at {node}.", "chosen": "That is a normal rate."}
    assert [r for r, _, _ in errors_in(per_gpu)] == ["R305"]


def test_an_moe_models_active_share_is_not_its_size():
    plan = "LoRA on Mixtral 8x7B with 50k examples for 2 epochs on 8x A100 80GB"
    rec = {"prompt": f"I plan {plan}.",
           "chosen": "Mixtral has 46.7B parameters, but about 12.9B are active per token. The bf16 weights are about 93 GB."}
    assert errors_in(rec) == []
    bad = dict(rec, chosen=rec["chosen"].replace("about 93 GB", "about 25 GB"))
    assert [r for r, _, _ in errors_in(bad)] == ["R301"]


def test_memory_components_named_by_an_item_label_or_in_a_list_with_adam_state():
    plan = "full DPO on Qwen2.5-3B with 15k pairs for 2 epochs on one A100 80GB"
    good = {"prompt": f"I plan {plan}.",
            "chosen": "1. **Gradients**: same size as the weights in bf16, another ~6.2 GB.\n"
                      "2. **Reference model**: a frozen copy for the log-probs, ~6.2 GB."}
    assert errors_in(good) == []
    # a sum that merely ends with a component is the whole, and is checked as the whole
    total = {"prompt": f"I plan {plan}.",
             "chosen": "The policy and reference together plus the activations come to about 6 GB."}
    assert [r for r, _, _ in errors_in(total)] == ["R301"]
    state = {"prompt": "I plan full DPO on Llama 3.1 8B with 60k pairs for 2 epochs on 8x H100.",
             "chosen": "The policy carries around 16 bytes per parameter, or ~128 GB for weights, gradients and AdamW state."}
    assert errors_in(state) == []


def test_tokens_per_example_said_in_the_prompt_size_the_plan():
    plan = "full fine-tune of TinyLlama 1.1B with 50k examples for 2 epochs on one RTX 3090"
    prompt = ("I'm planning a full fine-tune of TinyLlama 1.1B on my RTX 3090: 50k function/comment pairs, each around "
              "{tpe} tokens, so roughly {per_epoch} tokens per epoch. I want two epochs.")
    # 700 tokens each is 35M per epoch: right; 350M per epoch is ten times that, and the chosen goes along
    ok = {"prompt": prompt.format(tpe=700, per_epoch="35M"), "chosen": f"Fine. {plan} is a small job."}
    assert errors_in(ok) == []
    bad = {"prompt": prompt.format(tpe=700, per_epoch="350M"), "chosen": ok["chosen"]}
    assert [(r, f) for r, f, _ in errors_in(bad)] == [("R305", "prompt")]


def test_the_rejected_response_is_checked_against_the_prompts_method():
    plan = "full DPO on Qwen2.5-3B with 15k pairs for 2 epochs on one A100 80GB"
    vram = est("vram_per_gpu_gb", plan)
    rec = {"prompt": f"I plan {plan}.", "chosen": "Full DPO fits on the card.",
           "rejected": f"The whole run should need about {vram.low / 5:.0f} GB of VRAM.\n\nLater, try DPO with LoRA."}
    assert [(r, f) for r, f, _ in errors_in(rec)] == [("R301", "rejected")]


def test_an_adapters_size_in_megabytes_is_not_gpu_memory():
    rec = {"prompt": f"I plan {PLAN}.", "chosen": "Each LoRA adapter is a few hundred MB at most, so keep every version."}
    assert errors_in(rec) == []
    trained = {"prompt": f"I plan {PLAN}.", "chosen": "Only the adapters are trained, so the whole setup needs about 1 GB."}
    assert [r for r, _, _ in errors_in(trained)] == ["R301"]


@pytest.mark.parametrize("text,method", [
    ("**DPO-LoRA on one H100**", "dpo-lora"), ("run DPO with LoRA", "dpo-lora"), ("QLoRA DPO", "dpo-qlora"), ("DPO on it", "dpo"),
])
def test_dpo_with_adapters_is_one_method(text, method):
    found = [c.attrs.get("method") for c in claims_mod.extract_claims(text) if c.kind == "method"]
    assert found == [method]
