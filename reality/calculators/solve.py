"""Counterfactual equations, solved symbolically with sympy -- once, not per check.

The time and cost model of the engine, written as equations:

    gpu_hours = F * D * o / (P * u * e * 3600)      F: FLOP per token, D: tokens processed
    wall      = gpu_hours / G + t0                  G: GPUs, t0: start-up hours
    cost      = wall * G * p                        p: USD per GPU-hour
    vram      = b * N / G + A                       b: bytes per parameter (GB per 1e9), A: the rest

sympy solves them for the unknown a question asks about ("the most tokens $500 buys").
The solutions are stored as text in ``solved_forms.json`` (shipped with the package) and
evaluated with the whitelisted expression evaluator, so a plain ``reality check`` never
imports sympy. ``python -m reality.calculators.solve`` regenerates the file; a test checks
that the shipped forms are what sympy derives today.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from pathlib import Path

from reality import conditions

# question -> (equation as "lhs - rhs" in the model's symbols, unknown)
QUESTIONS = {
    "tokens_within_budget": ("(F*D*o/(P*u*e*3600)/G + t0)*G*p - B", "D"),
    "tokens_within_deadline": ("F*D*o/(P*u*e*3600)/G + t0 - T", "D"),
    "gpus_for_deadline": ("F*D*o/(P*u*e*3600)/G + t0 - T", "G"),
    "params_within_memory": ("b*N/G + A - M", "N"),
}
FORMS_FILE = "solved_forms.json"


def derive() -> dict[str, str]:
    """Solve every question with sympy (slow import; used to build the shipped file)."""
    import sympy

    forms = {}
    for name, (equation, unknown) in QUESTIONS.items():
        symbols = {s: sympy.Symbol(s, positive=True) for s in "F D o P u e G t0 p B T b N A M".split()}
        expr = sympy.parse_expr(equation, local_dict=symbols)  # our own constant text, not a file
        (solution,) = sympy.solve(expr, symbols[unknown])
        forms[name] = str(sympy.simplify(solution))
    return forms


@functools.cache
def forms() -> dict[str, str]:
    return json.loads(resources.files("reality.calculators").joinpath(FORMS_FILE).read_text())


def solve(question: str, **values: float) -> float:
    """Evaluate a solved form, e.g. ``solve("tokens_within_budget", F=..., B=500, ...)``."""
    return float(_compiled(question)(values))


@functools.cache
def _compiled(question: str) -> conditions.Condition:
    return conditions.compile_condition(forms()[question])


if __name__ == "__main__":
    path = Path(__file__).with_name(FORMS_FILE)
    path.write_text(json.dumps(derive(), indent=2, sort_keys=True) + "\n")
    print(f"wrote {path}")
