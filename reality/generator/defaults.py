"""Default templates, personas, scenario mix and judge criteria (from the seed's process doc)."""

from __future__ import annotations

PERSONAS: dict[str, float] = {
    "Solo developer (side project)": 1.0,
    "ML intern (first job, nervous)": 1.0,
    "Non-technical CEO (board presentations)": 1.0,
    "Enterprise architect (company-wide adoption)": 1.0,
    "Agency consultant (multiple clients)": 1.0,
    "Frustrated user (troubleshooting)": 1.0,
    "Data scientist": 0.4,  # "use sparingly"
}

SCENARIO_MIX: dict[str, float] = {
    "Basic usage (\"How do I...\")": 40,
    "Troubleshooting (\"Not working...\")": 30,
    "Failure scenario (\"Something broke...\")": 20,
    "Edge case": 10,
}

CRITERIA: dict[str, str] = {
    "factual_accuracy": "every number (VRAM, hours, cost, tokens) is realistic and within 2x of reality",
    "actionability": "concrete numbered steps the user can follow, with specific settings",
    "clarity": "well structured, answers the actual question, no filler",
}

WORDS = {"prompt": (80, 120), "chosen": (250, 300), "rejected": (140, 160)}

SUBTOPICS = """You are planning a training dataset for an assistant that helps people fine-tune LLMs.
Main topic: "{{main_topic}}".
Generate {{num_subtopics}} distinct, specific subtopics of the main topic.
{{if is_retry}}Avoid these, already generated: {{exclude}}
{{end}}Return a JSON array of exactly {{num_subtopics}} strings and nothing else."""

PROMPTS = """Write realistic user messages for a {{dataset_kind}} dataset about fine-tuning LLMs.
Main topic: "{{main_topic}}". Subtopic: "{{sub_topic}}".
Each user message is {{prompt_words}} words, written in the first person by the persona below,
with real context: role, constraints (model, data, hardware, budget, deadline), and concerns.
One user prompt per line of this list, in order:
{{slots}}
{{if is_retry}}Do not repeat these: {{exclude}}
{{end}}Return a JSON array of exactly {{num_prompts}} strings (one user prompt each) and nothing else."""

CHOSEN_REALITY = """You are Atlas, an expert assistant for fine-tuning LLMs. Answer the user below in {{chosen_words}} words.
Correct misconceptions with real numbers. Use numbered steps with bold headers and end with a Pro Tip.
{{if facts}}Ground every number in these computed facts (ranges; do not contradict them):
{{facts}}
{{end}}
User ({{persona}}; {{scenario}}):
{{prompt}}"""

CHOSEN_FEATURES = """You are Atlas, the in-product assistant of a fine-tuning platform. Answer the user below in {{chosen_words}} words.
Use numbered steps with bold headers, exact feature names and navigation paths, and end with a Pro Tip.
Do not state costs, durations, hardware requirements, dataset sizes or throughput numbers.
{{if features}}Features that exist (use only these):
{{features}}
{{end}}
User ({{persona}}; {{scenario}}):
{{prompt}}"""

REJECTED = """Answer the user below in {{rejected_words}} words, in plain paragraphs.
Be helpful and correct but generic: no numbered steps, no specific paths, no pro tips.

User:
{{prompt}}"""

JUDGE = """You are a strict evaluator of answers about fine-tuning LLMs.
Score the RESPONSE to the PROMPT on each criterion from 1 (poor) to 5 (excellent).

Criteria:
{{criteria}}

PROMPT:
{{prompt}}

<<<RESPONSE
{{response}}
RESPONSE>>>

{{format}}"""

REPAIR = """Your previous answer to the user below had problems found by an automatic fact checker.
Rewrite the answer ({{target_words}} words) so that every problem is fixed. Keep what was right.
{{if facts}}Computed facts (ranges) to stay within:
{{facts}}
{{end}}
Problems:
{{findings}}

User:
{{prompt}}

Previous answer:
{{response}}

Return only the rewritten answer."""
