"""Vocabulary of the claim extractor: units, scales, number words, GPU and model names, cue words.

Everything here is plain data (and a few regex *fragments* built from it); the grammar that
combines them lives in :mod:`reality.validators.claims`. Conversion factors are exact SI
values resolved once at import, so no unit library runs while text is scanned.

Canonical units per claim kind (see ``docs/ARCHITECTURE.md``)::

    money USD | price_rate USD/GPU-hour | duration hour | memory GB (1e9 bytes)
    model_size parameter | dataset_tokens token | dataset_bytes GB | dataset_examples example
    throughput token/s | epochs epoch | gpu GPU (count) | method - | compute TFLOPS
"""

from __future__ import annotations

import re

CANONICAL_UNIT: dict[str, str] = {
    "money": "USD",
    "price_rate": "USD/GPU-hour",
    "duration": "hour",
    "memory": "GB",
    "model_size": "parameter",
    "dataset_tokens": "token",
    "dataset_bytes": "GB",
    "dataset_examples": "example",
    "throughput": "token/s",
    "epochs": "epoch",
    "gpu": "GPU",
    "method": "",
    "compute": "TFLOPS",
}

# ---------------------------------------------------------------------------- numbers
# Scale words and suffixes.  Attached one-letter suffixes are case sensitive on purpose:
# "8K" / "8k" = 8e3, "1.3M" / "1.3m" = 1.3e6, "7B" / "7b" = 7e9, "1T" = 1e12.
SCALE_WORDS: dict[str, float] = {
    "hundred": 1e2,
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
}
SCALE_SUFFIXES: dict[str, float] = {
    "k": 1e3,
    "K": 1e3,
    "m": 1e6,
    "M": 1e6,
    "mm": 1e6,
    "b": 1e9,
    "B": 1e9,
    "bn": 1e9,
    "T": 1e12,
}

# Number words -> (low, high).  "a few" and "several" are ranges and imply "approx".
NUMBER_WORDS: dict[str, tuple[float, float]] = {
    "a": (1, 1),
    "an": (1, 1),
    "one": (1, 1),
    "a single": (1, 1),
    "single": (1, 1),
    "two": (2, 2),
    "three": (3, 3),
    "four": (4, 4),
    "five": (5, 5),
    "six": (6, 6),
    "seven": (7, 7),
    "eight": (8, 8),
    "nine": (9, 9),
    "ten": (10, 10),
    "eleven": (11, 11),
    "twelve": (12, 12),
    "fifteen": (15, 15),
    "sixteen": (16, 16),
    "twenty": (20, 20),
    "thirty": (30, 30),
    "forty": (40, 40),
    "fifty": (50, 50),
    "sixty": (60, 60),
    "ninety": (90, 90),
    "a hundred": (100, 100),
    "hundred": (100, 100),
    "a dozen": (12, 12),
    "half a": (0.5, 0.5),
    "half an": (0.5, 0.5),
    "a half": (0.5, 0.5),
    "a couple hundred": (200, 200),
    "couple hundred": (200, 200),
    "a couple thousand": (2000, 2000),
    "couple thousand": (2000, 2000),
    "a couple of": (2, 2),
    "a couple": (2, 2),
    "couple of": (2, 2),
    "a few": (2, 5),
    "few": (2, 5),
    "several": (3, 7),
}
APPROX_NUMBER_WORDS = frozenset({"a couple of", "a couple", "couple of", "a few", "few", "several"})
# Words that only count as a number before a scale word ("a billion tokens") or a time unit
# ("a week"); "a token" or "an example" is not a claim.
WEAK_NUMBER_WORDS = frozenset({"a", "an", "single", "a single"})

# ---------------------------------------------------------------------------- units
# surface (lower case, single spaces) -> (kind, factor to the canonical unit)
_HOUR = 1.0
UNITS: dict[str, tuple[str, float]] = {}


def _add(kind: str, factor: float, *surfaces: str) -> None:
    for surface in surfaces:
        UNITS[surface] = (kind, factor)


_add("duration", 1 / 3600, "seconds", "second", "secs", "sec")
_add("duration", 1 / 60, "minutes", "minute", "mins", "min")
_add("duration", _HOUR, "hours", "hour", "hrs", "hr", "h")
_add("duration", 24.0, "days", "day")
_add("duration", 168.0, "weeks", "week", "wks", "wk")
_add("duration", 730.0, "months", "month")  # 365/12 days
# GPU-hours are a duration summed over GPUs: kind duration, attrs {"gpu_hours": True}.
_add("gpu_hours", _HOUR, "gpu-hours", "gpu hours", "gpu-hour", "gpu hour", "gpu-hrs", "gpu-hr", "gpu hrs", "gpu hr", "gpu-h")
_add("memory", 1.0, "gb", "gigabytes", "gigabyte", "gigs", "gig")
_add("memory", 1.073741824, "gib")
_add("memory", 1e-3, "mb", "megabytes", "megabyte")
_add("memory", 1.048576e-3, "mib")
_add("memory", 1e3, "tb", "terabytes", "terabyte")
_add("memory", 1.099511627776e3, "tib")
_add("model_size", 1.0, "parameters", "parameter", "params", "param")
_add("dataset_tokens", 1.0, "tokens", "token", "toks", "tok")
_add(
    "dataset_examples",
    1.0,
    "examples",
    "example",
    "samples",
    "sample",
    "rows",
    "pairs",
    "conversations",
    "dialogues",
    "dialogs",
    "instructions",
    "records",
    "instances",
    "demonstrations",
    "prompts",
    "completions",
    "triples",
    "triplets",
    # documents counted as training examples ("10k internal support tickets", "5k customer emails")
    "tickets",
    "documents",
    "docs",
    "transcripts",
    "emails",
    "e-mails",
    "articles",
    "pages",
    "chats",
    # problems with their solutions: "80,000 math word problems", "20k coding exercises"
    "problems",
    "exercises",
)
_add(
    "throughput",
    1.0,
    "tok/s",
    "tok/sec",
    "tok/second",
    "toks/s",
    "toks/sec",
    "tokens/s",
    "tokens/sec",
    "tokens/second",
    "tokens per second",
    "tokens per sec",
    "tokens a second",
    "tokens/ s",
    "tok per sec",
    "tok per second",
    "t/s",
    "tps",
)
_add("epochs", 1.0, "epochs", "epoch", "passes")  # "three passes over the data"
_add("compute", 1.0, "tflops", "tflop/s", "teraflops", "tflop")
_add("compute", 1e3, "pflops", "pflop/s", "petaflops")
# Money after the number ("1,200 dollars", "300 USD").
_add("money", 1.0, "dollars", "dollar", "usd", "bucks")
_add("money_eur", 1.0, "eur", "euros", "euro")

# Units that read as something else when written with a space before them ("3 h" is fine,
# but "a h" is not); they are accepted only directly after digits.
ATTACHED_ONLY_UNITS = frozenset({"h", "tps", "t/s"})
# Units a count word ("a", "an", "single") may quantify.
WEAK_NUMBER_UNITS_KINDS = frozenset({"duration", "epochs"})

# Adjectives allowed between a count and its noun ("5k high-quality examples").
COUNT_FILLERS = (
    r"high[- ]quality|good[- ]quality|low[- ]quality|quality|training|train|labell?ed|curated|clean(?:ed)?|synthetic|"
    r"preference|instruction|chat|DPO|SFT|RLHF|QA|Q&A|unique|diverse|noisy|good|raw|domain[- ]specific|"
    r"hand[- ]?(?:written|labell?ed|crafted)|annotated|human[- ]?(?:written|labell?ed)|real|input|output|"
    r"support|customer|task[- ]specific|new|total|more|additional|extra|high[- ]signal|gold|test|"
    r"eval(?:uation)?|validation|held[- ]out|fine[- ]tuning|text|generated|filtered|deduplicated|"
    r"multi[- ]turn|single[- ]turn|question[- ]answer|prompt[- ]response|conversation|example|sample|"
    r"internal|past|historical|archived|anonymized|anonymised|in[- ]house|customer[- ]service|product|legal|medical|clinical|"
    r"editorial|technical|user|email|chat|ticket|documentation"
)

# ---------------------------------------------------------------------------- hardware
# GPU names the grammar recognises; resolution to a knowledge-base id happens in claims.py.
GPU_NAMES = (
    r"(?:(?:NVIDIA|Nvidia|nvidia|AMD|amd)\s+)?(?:(?:GeForce|Geforce)\s+)?"
    r"(?:"
    r"RTX\s?(?:PRO\s?)?(?:A[2-6]000|[2-6]000\s?Ada|[2-5]0[5-9]0(?:\s?Ti)?(?:\s?(?:SUPER|Super))?)"
    r"|GTX\s?1[06][5-8]0(?:\s?Ti)?"
    r"|(?:GB200|GH200|A100|H100|H200|H800|A800|B200|B100|A10G|A10|A40|A30|A6000|L40S|L40|L4|T4|V100|P100|P40|K80"
    r"|MI300X|MI300|MI325X|MI250X|MI250|MI210|MI100|Gaudi\s?[23]|TPU\s?v[3-6][ep]?)"
    r"(?:[\s-]?(?:SXM[45]?|PCIe|NVL))?"
    r")"
)
# Bare consumer card numbers ("two 4090s", "a 3090 card") - accepted only with a count or plural.
GPU_BARE = r"(?:[2-5]0[5-9]0(?:\s?Ti)?)"
COUNT_WORDS: dict[str, int] = {
    "a single": 1,
    "single": 1,
    "one": 1,
    "a": 1,
    "an": 1,
    "two": 2,
    "dual": 2,
    "twin": 2,
    "a pair of": 2,
    "a couple of": 2,
    "three": 3,
    "four": 4,
    "quad": 4,
    "five": 5,
    "six": 6,
    "eight": 8,
    "ten": 10,
    "twelve": 12,
    "sixteen": 16,
    "thirty-two": 32,
    "sixty-four": 64,
}

# Model families.  A family with an attached size ("Llama 3.1 8B") is a model_size claim.
MODEL_FAMILIES = (
    r"code[- ]?llama|tinyllama|llama|mistral|mixtral|ministral|qwen|gemma|phi|falcon|gpt[- ]?neox|gpt[- ]?j|"
    r"gpt[- ]?2|gpt[- ]?oss|pythia|opt|bloomz?|deepseek|yi|olmo|starcoder|vicuna|smollm|granite|"
    r"command[- ]r|nemotron|solar|internlm|baichuan|mpt|zephyr|stablelm|cerebras[- ]gpt|flan[- ]t5|t5|"
    r"llava|orca|wizardlm|openchat|hermes|dolly|redpajama|cohere|aya|glm|chatglm|exaone|kimi"
)
# Model names that carry no size ("Phi-3 mini", "TinyLlama", "Mixtral"): the size comes from
# the knowledge base (tests/test_claims.py checks that every such KB alias is matched here).
MODEL_NAMES_NO_SIZE = (
    r"(?:microsoft/)?phi[- ]?3[- ](?:mini|small|medium)(?:-(?:4k|8k|128k)-instruct)?|(?:microsoft/)?phi[- ]?2|"
    r"tiny[- ]?llama|mixtral"
)
MODEL_TAGS = (
    r"instruct|chat|base|hf|it|distill|coder|math|mini|small|medium|large|nemo|v\d+(?:\.\d+)?|r1|"
    r"llm|vl|moe|turbo|alpaca|uncensored"
)

# ---------------------------------------------------------------------------- methods
METHODS: list[tuple[str, str]] = [
    # (regex, normalised method); the first alternative that matches wins
    (r"(?i:full[- ](?:parameter[- ])?DPO)", "dpo-full"),  # "full DPO", "full-parameter DPO"
    (r"(?i:full(?:y)?[- ](?:parameter[- ])?fine[- ]?tun(?:e|ing|ed|es)|fully\s+(?:train|retrain)\w*|full[- ]parameter(?:\s+training)?|full\s+FT|full[- ]weight\s+fine[- ]?tun\w*|"
     # "full" closing a table cell: "| 0.5B full | 11-14 GB |"
     r"full(?=[ \t]*\|))", "full"),
    # DPO as one method with how it trains: "DPO-LoRA on one H100", "QLoRA DPO"
    (r"(?i:DPO[- ](?:with[- ])?QLoRA|QLoRA[- ]DPO)", "dpo-qlora"),
    (r"(?i:DPO[- ](?:with[- ])?LoRA|LoRA[- ]DPO)", "dpo-lora"),
    (r"(?i:QLoRA)", "qlora"),
    (r"(?i:LoRA)", "lora"),
    (r"(?i:DoRA)", "dora"),
    (r"(?:4[- ]?bit)", "4-bit"),
    (r"(?:8[- ]?bit)", "8-bit"),
    (r"(?:16[- ]?bit)", "16-bit"),
    (r"(?i:bf16|bfloat16)", "bf16"),
    (r"(?i:fp16|float16)", "fp16"),
    (r"(?i:nf4)", "nf4"),
    (r"(?:INT4|int4)", "int4"),
    (r"(?:INT8|int8)", "int8"),
    (r"DPO", "dpo"),
    (r"ORPO", "orpo"),
    (r"KTO", "kto"),
    (r"SimPO", "simpo"),
    (r"GRPO", "grpo"),
    (r"PPO", "ppo"),
    (r"RLHF", "rlhf"),
    (r"SFT", "sft"),
    (r"PEFT", "peft"),
]

# ---------------------------------------------------------------------------- cues
# Words that tell what a number is about, as literal lower-case words or phrases; a
# trailing "*" accepts any continuation ("train*" = train, training, trained...). They are
# found in the same single scan as the claims' anchor words.
CUE_WORDS: dict[str, list[str]] = {
    "budget": ["budget*", "afford*", "can spend", "willing to spend", "willing to pay", "spending limit",
               "out of pocket", "i have", "we have", "i've got", "only have", "have only", "set aside"],
    "rate": ["per hour", "per gpu-hour", "per gpu hour", "/hour", "/hr", "/h", "/gpu-hour", "/gpu-hr", "hourly",
             "per hr", "rental rate", "rate", "on-demand", "spot price"],
    "cost": ["cost", "costs", "costing", "price", "priced", "prices", "pricing", "pay", "paying", "paid", "spend",
             "spending", "spent", "bill", "billed", "billing", "expens*", "cheap*", "charge", "charges", "fee",
             "fees", "run you", "set you back", "$", "dollars"],
    "training": ["train*", "fine-tun*", "fine tun*", "finetun*", "run", "runs", "job", "epoch", "epochs", "take",
                 "takes", "took", "taking", "finish*", "complet*", "wall-clock", "wall clock", "time",
                 "timeline", "duration", "hours", "converge*"],
    "deadline": ["deadline", "due", "need it done", "need it ready", "need it by", "by monday", "by tuesday",
                 "by wednesday", "by thursday", "by friday", "by tomorrow", "by next week", "by the end"],
    "inference": ["inference", "latency", "serving", "generation speed", "generation time", "decod*",
                  "response time"],
    "evaluation": ["eval*", "benchmark*"],
    "dataprep": ["data prep*", "preparation", "preprocess*", "cleaning", "labeling", "labelling", "annotat*",
                 "collect*", "curat*", "writing"],
    "setup": ["setup", "set up", "install*", "configur*", "download*"],
    "vram": ["vram", "gpu memory", "gpu ram", "memory", "hbm", "oom", "out of memory", "fit", "fits", "fitting",
             "footprint", "peak", "need", "needs", "needed", "requir*", "minimum", "min", "usage", "use", "uses",
             "using", "consum*", "headroom"],
    "ram": ["system memory", "cpu memory", "host memory", "system ram", "cpu ram"],
    "disk": ["disk", "storage", "ssd", "on disk", "file size", "checkpoint", "checkpoints", "weights file",
             "adapter file", "adapter size"],
    "dataset": ["dataset", "datasets", "data set", "corpus", "corpora", "text", "data", "documents", "docs",
                "pdfs", "scraped"],  # not "logs": "the logs show" are the run's (log data is read by _DATASET_AFTER)
    "sequence": ["context", "sequence", "sequences", "seq len", "seq_len", "max_length", "max length",
                 "window", "per example", "per sample", "per prompt", "per response", "per record",
                 "per conversation", "per row", "prompt length", "response length"],
    "gpu_word": ["gpu", "gpus", "card", "cards"],
}
# "RAM" (upper case, not VRAM) is a system-memory cue; the scan is case-insensitive, so it is
# checked on the original text.

# Which cue classes give which subject, per claim family.  Order does not matter: the
# nearest compatible cue wins.
CUE_SUBJECTS: dict[str, dict[str, str]] = {
    "money": {"budget": "budget", "cost": "cost", "rate": "price"},
    "duration": {
        "training": "training time",
        "deadline": "deadline",
        "inference": "inference",
        "evaluation": "evaluation",
        "dataprep": "data preparation",
        "setup": "setup",
    },
    "memory": {"vram": "vram", "ram": "ram", "disk": "disk", "dataset": "dataset", "gpu_word": "vram"},
    "dataset_tokens": {"dataset": "dataset", "sequence": "sequence length", "training": "dataset"},
    "throughput": {"inference": "inference throughput", "training": "throughput"},
}

# Right-context phrases after a quantity that mean it is not a claim at all
# ("5 years of experience", "2 weeks ago", "a 3-month-old model").
NOT_A_CLAIM_AFTER = r"\s*(?:of\s+(?:experience|exp\b)|ago\b|old\b|-old\b|later\b)"


def alternation(words) -> str:
    """Regex alternation of literal words, longest first (so 'hours' wins over 'h')."""
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))
