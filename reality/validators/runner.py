"""Run the validator over records and files: readers -> gates -> claims -> dataset checks.

``validate_record(record, config)`` checks one record in isolation (schema, word counts,
claims, features). ``Validation(config).run(paths)`` streams files and also runs the
whole-dataset checks (duplicates, persona / scenario mix); it yields one
:class:`RecordResult` per input record in input order and fills ``.summary``.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from reality.validators import gates
from reality.validators.config import ValidateConfig
from reality.validators.dataset import DuplicateTracker, MixTracker
from reality.validators.features import FORBIDDEN_KINDS, KIND_LABELS, Manifest, check_mentions, load_manifest
from reality.validators.findings import Finding, RecordResult, Summary
from reality.validators.readers import RawRecord, read_records
from reality.validators.rules import RuleSet

RECENT_TEXTS = 256  # texts whose claims are kept for the records that follow


class Emitter:
    """Turns check observations into findings through the active rules."""

    __slots__ = ("rules", "findings")

    def __init__(self, rules: RuleSet, findings: list[Finding] | None = None):
        self.rules = rules
        self.findings = findings if findings is not None else []

    def __call__(
        self,
        check: str,
        context: Mapping[str, Any],
        field: str | None = None,
        span: tuple[int, int] | None = None,
        quote: str | None = None,
        expected: dict[str, Any] | None = None,
        sources: list[str] | None = None,
    ) -> bool | None:
        rules = self.rules.for_check(check)
        if not rules:
            return None
        ctx = {**context, "field": field or "", "quote": quote or ""}
        fired = False
        for rule in rules:
            message = rule.message_if_fires(ctx)
            if message is not None:
                self.findings.append(
                    Finding(rule.id, rule.severity, message, field, tuple(span) if span else None, quote,
                            expected, list(sources or ()), title=rule.title, fix=rule.fix)
                )
                fired = fired or rule.severity != "info"  # an info finding records a pass, not a problem
        return fired


class Validation:
    """One validation run: configuration, manifest, claim checker and dataset state."""

    def __init__(self, config: ValidateConfig | None = None, *, manifest: Manifest | None = None,
                 checker: Any = None):
        self.config = config or ValidateConfig()
        self.rules = self.config.rules
        self.manifest = manifest
        if self.manifest is None and self.config.manifest and self.config.dataset == "features":
            self.manifest = load_manifest(self.config.manifest)  # ManifestError: usage error
        self._checker = checker
        self._checker_failed: str | None = None
        self._extract: Callable[[str], list[Any]] | None = None
        needs_claims = self.config.dataset == "reality" and any(
            self.rules.active(c) for c in ("claims.range", "claims.range_unanchored", "claims.unverifiable", "claims.impossible_plan",
                                           "claims.prompt_misconception"))
        needs_feature_claims = self.config.dataset == "features" and (
            self.rules.active("features.response_claim") or self.rules.active("features.prompt_claim"))
        self.needs_claims = needs_claims
        self.needs_feature_claims = needs_feature_claims
        window = int(self.rules.param("dataset.near_duplicate", "window", 20_000))
        threshold = float(self.rules.param("dataset.near_duplicate", "threshold", 0.8))
        self.duplicates = DuplicateTracker(window=window, near=self.rules.active("dataset.near_duplicate"),
                                           min_similarity=threshold)
        self.mix = MixTracker(self.config.persona_field, self.config.scenario_field)
        self.track_dupes = any(self.rules.active(c) for c in
                               ("dataset.exact_duplicate", "dataset.near_duplicate", "dataset.duplicate_prompt"))
        self.track_mix = self.rules.active("dataset.persona_mix") or self.rules.active("dataset.scenario_mix")
        self.summary = Summary(dataset=self.config.dataset, tolerance=self.config.effective_tolerance)
        self._recent_claims: OrderedDict[str, list[Any]] = OrderedDict()  # text -> its claims, see check_record
        self.max_record_bytes = int(float(self.rules.param("input.too_large", "max_record_mb", 1.0)) * 1e6)

    # -------------------------------------------------------------- claims
    @property
    def extract(self) -> Callable[[str], list[Any]] | None:
        if self._extract is None and self._checker_failed is None:
            try:
                from reality.validators.claims import extract_claims

                self._extract = extract_claims
            except ImportError as exc:
                self._checker_failed = f"the claim extractor is not available ({exc})"
        return self._extract

    @property
    def checker(self) -> Any:
        if self._checker is None and self._checker_failed is None and self.extract is not None:
            try:
                from reality.validators.checking import ClaimChecker

                self._checker = ClaimChecker(extract=self.extract)
            except ImportError as exc:
                self._checker_failed = f"the calculators are not available ({exc})"
        return self._checker

    # -------------------------------------------------------------- one record
    def check_record(self, record: Mapping[str, Any], mode: str | None, findings: list[Finding]) -> dict[str, str]:
        emit = Emitter(self.rules, findings)
        mode = mode or gates.detect_mode(record)
        if mode is not None:
            gates.check_schema(record, mode, emit)
        else:
            emit("schema.mode_mismatch", {"mode": "unknown", "record_mode": "no known mode (fields: "
                                          + ", ".join(sorted(map(str, record))[:8]) + ")"})
        parts = gates.texts(record, mode)
        gates.check_words(parts, emit)
        if not any(p.strip() for p in parts.values()):
            return parts
        recent = self._recent_claims

        def claims_of(text: str) -> list[Any]:
            # Claims are a pure function of the text (and never modified), so a text seen in a
            # recent record is not read again: KTO files repeat prompts by design, DPO files often
            # pair one prompt several times, and a record's fields may repeat each other.
            got = recent.get(text)
            if got is None:
                got = recent[text] = self.extract(text) if self.extract else []
                if len(recent) > RECENT_TEXTS:
                    recent.popitem(last=False)
            else:
                recent.move_to_end(text)
            return got

        if self.needs_claims and self.checker is not None:
            self.checker.check_record(parts, emit, claims_of)
        if self.config.dataset == "features":
            if self.needs_feature_claims and self.extract is not None:
                for role, text in parts.items():
                    check = "features.prompt_claim" if role == "prompt" else "features.response_claim"
                    for claim in claims_of(text):
                        kind = getattr(claim, "kind", None)
                        if kind in FORBIDDEN_KINDS:
                            emit(check, {"kind": KIND_LABELS.get(kind, kind)}, field=role,
                                 span=getattr(claim, "span", None), quote=getattr(claim, "text", None))
            if self.manifest is not None and self.rules.active("features.unknown_feature"):
                for role, text in parts.items():
                    if role != "prompt":
                        check_mentions(text, role, self.manifest, emit)
        return parts

    # -------------------------------------------------------------- files
    def _result(self, raw: RawRecord, mode: str | None) -> RecordResult:
        result = RecordResult(raw.file, raw.index, raw.line)
        if raw.problem is not None:
            check, ctx = raw.problem
            Emitter(self.rules, result.findings)(check, ctx)
        else:
            parts = self.check_record(raw.data, mode, result.findings)
            if self.track_dupes and parts:
                emit = Emitter(self.rules, result.findings)
                self.duplicates.add(raw.file, raw.index, parts, emit, prompt_dupes=(mode != "kto"))
            if self.track_mix and parts.get("prompt"):
                self.mix.add(raw.data, parts["prompt"])
        for f in result.findings:
            f.file, f.line, f.index = raw.file, raw.line, raw.index
        return result

    def run(self, paths: Iterable[str]) -> Iterator[RecordResult]:
        """Yield a result per record of every file in order; ``InputError`` for an unreadable file."""
        started = time.perf_counter()
        for path in paths:
            self.summary.files.append(path)
            mode = self.config.mode
            count = 0
            for raw in read_records(path, self.max_record_bytes):
                if mode is None and raw.data is not None:
                    mode = gates.detect_mode(raw.data)
                result = self._result(raw, mode)
                count += 1
                self.summary.add(result)
                yield result
            self.summary.mode[path] = mode or "unknown"
            if count == 0:
                for f in self._dataset_findings("input.empty_file", {}):
                    f.file = path
                    self.summary.add_dataset_finding(f)
        self.finish()
        self.summary.elapsed_s = time.perf_counter() - started

    def _dataset_findings(self, check: str, ctx: Mapping[str, Any]) -> list[Finding]:
        out: list[Finding] = []
        Emitter(self.rules, out)(check, ctx)
        return out

    def finish(self) -> None:
        if self.config.dataset == "features" and self.manifest is None:
            for f in self._dataset_findings("features.no_manifest", {}):
                self.summary.add_dataset_finding(f)
        if self.track_mix and self.mix.records:
            for check in ("dataset.persona_mix", "dataset.scenario_mix"):
                rules = self.rules.for_check(check)
                if not rules:
                    continue
                targets = rules[0].params.get("targets", {})
                out: list[Finding] = []
                self.mix.report(check, targets, Emitter(self.rules, out))
                for f in out:
                    self.summary.add_dataset_finding(f)
        if self._checker_failed and (self.needs_claims or self.needs_feature_claims):
            self.summary.add_dataset_finding(
                Finding("R302", "warning", f"numeric claims were not checked: {self._checker_failed}")
            )


def validate_record(record: Mapping[str, Any], config: ValidateConfig | None = None, *,
                    mode: str | None = None, validation: Validation | None = None) -> list[Finding]:
    """Findings for one record in isolation (no duplicate or mix checks)."""
    v = validation or Validation(config)
    findings: list[Finding] = []
    v.check_record(record, mode or (config.mode if config else None), findings)
    return findings


def validate_files(paths: Iterable[str], config: ValidateConfig | None = None,
                   on_result: Callable[[RecordResult], None] | None = None) -> tuple[list[RecordResult], Summary]:
    """Validate files; returns (results, summary). For huge files pass ``on_result`` to stream
    (then the returned list is empty and memory stays flat)."""
    v = Validation(config)
    results: list[RecordResult] = []
    for result in v.run(paths):
        if on_result is not None:
            on_result(result)
        else:
            results.append(result)
    return results, v.summary
