"""The generation run: plan -> (chosen || rejected) -> judge (parallel) -> validators -> repair -> write.

``run(cfg, ...)`` is what ``reality generate`` calls; ``run_async`` is the same as a
coroutine. Workers (``generation.concurrency`` of them) take prompts from a queue, so the
number of records in flight is bounded and memory stays flat however long the plan is.
"""

from __future__ import annotations

import asyncio
import json
import signal
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reality.generator import judge as judge_mod
from reality.generator import validation, writers
from reality.generator.cache import DiskCache
from reality.generator.client import (
    LLM,
    BudgetExceeded,
    CallFailed,
    Stopped,
    default_cache_dir,
    register_prices,
)
from reality.generator.config import GenConfig, call_processes_for
from reality.generator.journal import Store
from reality.generator.prompts import PromptItem, build_hierarchy, load_prompt_file
from reality.generator.templates import render, variables


class FatalRunError(RuntimeError):
    pass


@dataclass
class RunResult:
    output: Path
    summary_path: Path
    summary: dict[str, Any]
    stop_reason: str  # completed | budget | interrupted | error

    @property
    def exit_code(self) -> int:
        return {"completed": 0, "budget": 3, "interrupted": 130}.get(self.stop_reason, 1)


@dataclass
class Counters:
    planned: int = 0
    already_done: int = 0
    written: int = 0
    dropped: Counter = field(default_factory=Counter)
    judge_filtered: int = 0
    repaired: int = 0
    repair_attempts: int = 0
    validated: int = 0
    grounded: int = 0
    retried_calls: int = 0


def summary_path_for(output: Path) -> Path:
    return output.with_name(output.stem + ".summary.json")


class Generator:
    def __init__(
        self,
        cfg: GenConfig,
        *,
        resume: bool = False,
        overwrite: bool = False,
        cache: bool | None = None,
        progress: bool = True,
        validator: validation.Validator | None | str = "auto",
        grounder: Callable[[str], str] | None | str = "auto",
        console: Any = None,
    ):
        self.cfg = cfg
        self.resume = resume
        self.overwrite = overwrite
        use_cache = cfg.runtime.cache if cache is None else cache
        self.cache = DiskCache(default_cache_dir(cfg)) if use_cache else None
        self.show_progress = progress
        self.console = console
        self.notes: list[str] = list(cfg.warnings)
        if validator == "auto":
            self.validator, why = validation.make_validator(cfg)
            if why and cfg.validation.enabled:
                self.notes.append(f"validation off: {why}")
        else:
            self.validator = validator  # type: ignore[assignment]
        if grounder == "auto":
            from reality.generator import grounding

            if cfg.generation.dataset == "reality":
                self.grounder = grounding.facts_for
                if not grounding.calculators_available():
                    self.notes.append("grounding off: reality.calculators not available")
            else:
                self.grounder = None
        else:
            self.grounder = grounder  # type: ignore[assignment]
        self.counters = Counters()
        self.store = Store(cfg.output_path(), fsync=cfg.runtime.fsync)
        self.llm: LLM | None = None
        self.stop_reason = "completed"
        self.error: str | None = None
        self.phase_s: dict[str, float] = {}
        self._progress: Any = None
        self._task_records: Any = None
        crit_in_template = "criteria" in variables(cfg.templates.judge)
        self.criteria: list[str] | None = list(cfg.judge.criteria) if crit_in_template else None
        self._features_text = self._load_features()

    # -- helpers -------------------------------------------------------------------------
    def _load_features(self) -> str:
        path = self.cfg.generation.manifest
        if not path:
            return ""
        p = Path(path)
        if not p.is_absolute() and self.cfg.source_path:
            p = Path(self.cfg.source_path).parent / p
        try:
            text = p.read_text("utf-8")
        except OSError:
            self.notes.append(f"manifest {p} not readable")
            return ""
        return text[:6000]

    def _tick(self) -> None:
        if self._progress is not None and self._task_records is not None:
            c = self.counters
            spend = self.llm.budget.spent if self.llm else 0.0
            retried = sum(s.retries for s in self.llm.stats.values()) if self.llm else 0
            self._progress.update(
                self._task_records,
                completed=c.written + sum(c.dropped.values()) + c.already_done,
                description=f"written {c.written + c.already_done}  rejected {sum(c.dropped.values())}  "
                f"retried {retried}  spend ${spend:.4f}",
            )

    def _words(self, key: str) -> str:
        lo, hi = self.cfg.words[key]
        return f"{lo}-{hi}"

    def _vars(self, item: PromptItem, facts: str) -> dict[str, Any]:
        return {
            "prompt": item.prompt,
            "main_topic": item.main_topic,
            "sub_topic": item.sub_topic,
            "persona": item.persona or "user",
            "scenario": item.scenario or "question",
            "facts": facts,
            "features": self._features_text,
            "chosen_words": self._words("chosen"),
            "rejected_words": self._words("rejected"),
        }

    # -- the record pipeline ---------------------------------------------------------------
    async def _judge(self, item: PromptItem, which: str, text: str, version: int) -> judge_mod.JudgeResult:
        cfg = self.cfg
        assert self.llm is not None
        content = render(
            cfg.templates.judge,
            {"prompt": item.prompt, "response": text, "main_topic": item.main_topic, "sub_topic": item.sub_topic,
             "criteria": judge_mod.criteria_block(cfg.judge.criteria),
             "format": judge_mod.format_block(cfg.judge.criteria, cfg.judge.use_explanations or cfg.generation.mode == "mo-dpo")},
        )
        result = judge_mod.JudgeResult()
        for k in range(cfg.judge.attempts):
            resp = await self.llm.complete("judge", [{"role": "user", "content": content}],
                                           salt=f"{item.id}:judge:{which}:{version}:{k}")
            result = judge_mod.parse_judge(resp.text, self.criteria)
            if result.ok:
                return result
        return result

    async def _generate(self, role: str, item: PromptItem, facts: str, version: int) -> str:
        assert self.llm is not None
        tpl = self.cfg.chosen_template() if role == "chosen" else self.cfg.templates.rejected
        content = render(tpl, self._vars(item, facts))
        model_role = "main" if role == "chosen" else "rejected"
        resp = await self.llm.complete(model_role, [{"role": "user", "content": content}], salt=f"{item.id}:{role}:{version}")
        return resp.text.strip()

    async def _repair(self, role: str, item: PromptItem, facts: str, previous: str, findings: list[dict], version: int) -> str:
        assert self.llm is not None
        content = render(
            self.cfg.templates.repair,
            {"prompt": item.prompt, "response": previous, "findings": validation.describe(findings), "facts": facts,
             "role": role, "target_words": self._words(role), "features": self._features_text},
        )
        model_role = "main" if role == "chosen" else "rejected"
        resp = await self.llm.complete(model_role, [{"role": "user", "content": content}], salt=f"{item.id}:repair:{role}:{version}")
        return resp.text.strip()

    def _validation_record(self, rec: dict[str, Any]) -> dict[str, Any]:
        if self.cfg.generation.mode == "sft":
            return {"prompt": rec["prompt"], "completion": rec["chosen"]}
        return {"prompt": rec["prompt"], "chosen": rec["chosen"], "rejected": rec["rejected"]}

    async def process(self, item: PromptItem) -> None:
        cfg = self.cfg
        c = self.counters
        meta: dict[str, Any] = {"persona": item.persona, "scenario": item.scenario}
        try:
            facts = ""
            if self.grounder is not None:
                facts = self.grounder(item.prompt) or ""
                if facts:
                    c.grounded += 1
                    meta["grounded"] = True
            jobs = [self._generate("chosen", item, facts, 0)]
            if cfg.paired:
                jobs.append(self._generate("rejected", item, facts, 0))
            texts = await asyncio.gather(*jobs)
            rec: dict[str, Any] = {"prompt": item.prompt, "main_topic": item.main_topic, "sub_topic": item.sub_topic,
                                   "chosen": texts[0], "rejected": texts[1] if cfg.paired else None}
            fields = ["chosen", "rejected"] if cfg.paired else ["chosen"]
            to_judge = list(fields)
            results: dict[str, judge_mod.JudgeResult] = {}
            versions = {f: 0 for f in fields}
            repairs = 0
            while True:
                if cfg.judge_active and to_judge:
                    got = await asyncio.gather(*(self._judge(item, f, rec[f], versions[f]) for f in to_judge))
                    results.update(zip(to_judge, got, strict=True))
                    bad = [f for f in to_judge if not results[f].ok]
                    if bad and cfg.judge.on_error == "drop":
                        self._drop(item, "judge_unparseable", meta)
                        return
                    if cfg.judge.enabled:
                        ct = results["chosen"].total if "chosen" in results else None
                        rt = results["rejected"].total if "rejected" in results else None
                        lo, hi = cfg.judge.min_chosen_score, cfg.judge.max_rejected_score
                        if (lo is not None and ct is not None and ct < lo) or (hi is not None and rt is not None and rt > hi):
                            c.judge_filtered += 1
                            meta.update(chosen_total=ct, rejected_total=rt)
                            self._drop(item, "judge_filtered", meta)
                            return
                    to_judge = []
                if self.validator is None:
                    break
                findings = self.validator(self._validation_record(rec))
                c.validated += 1
                errors = validation.errors_of(findings)
                if not errors:
                    meta["warnings"] = len(findings)
                    break
                by_field: dict[str, list[dict]] = {}
                for f in errors:
                    fld = {"completion": "chosen"}.get(f.get("field") or "chosen", f.get("field") or "chosen")
                    by_field.setdefault(fld, []).append(f)
                if set(by_field) - set(fields):
                    meta["findings"] = errors[:5]
                    self._drop(item, "invalid_prompt", meta)
                    return
                if repairs >= cfg.validation.max_repair_attempts:
                    meta["findings"] = errors[:5]
                    self._drop(item, "validation_failed", meta)
                    return
                repairs += 1
                c.repair_attempts += 1
                for fld in by_field:
                    versions[fld] += 1
                new = await asyncio.gather(
                    *(self._repair(fld, item, facts, rec[fld], fl, versions[fld]) for fld, fl in by_field.items())
                )
                for fld, text in zip(by_field, new, strict=True):
                    rec[fld] = text
                to_judge = list(by_field)
            if repairs:
                c.repaired += 1
                meta["repairs"] = repairs
            if cfg.judge_active:
                rec["chosen_scores"] = results["chosen"].scores if "chosen" in results else {}
                rec["rejected_scores"] = results["rejected"].scores if "rejected" in results else {}
                rec["chosen_total"] = results["chosen"].total if "chosen" in results else None
                rec["rejected_total"] = results["rejected"].total if "rejected" in results else None
                meta.update(chosen_total=rec["chosen_total"], rejected_total=rec["rejected_total"])
            rows = writers.rows(cfg, rec, self.criteria)
            self.store.commit(item.id, rows, meta)
            c.written += 1
        except CallFailed as exc:
            if exc.reason == "fatal":
                self.error = str(exc)
                self.stop_reason = "error"
                assert self.llm is not None
                self.llm.stop.set()
                return
            self._drop(item, f"call_failed:{exc.reason}", meta)
        finally:
            self._tick()

    def _drop(self, item: PromptItem, reason: str, meta: dict[str, Any]) -> None:
        self.counters.dropped[reason] += 1
        self.store.drop(item.id, reason, meta)

    # -- the run -------------------------------------------------------------------------
    async def _plan(self) -> list[PromptItem]:
        saved = self.store.load_plan()
        if saved is not None:
            return [PromptItem(**d) for d in saved]
        t0 = time.monotonic()
        if self.cfg.prompts.source == "hierarchy":
            assert self.llm is not None
            task = None
            if self._progress is not None:
                task = self._progress.add_task("prompts (topics -> subtopics -> prompts)", total=self.cfg.generation.num_subtopics)
            plan = await build_hierarchy(
                self.cfg, self.llm,
                on_progress=(lambda: self._progress.advance(task)) if task is not None else None,
            )
        else:
            plan = load_prompt_file(self.cfg)
        self.store.save_plan([p.to_json() for p in plan])
        self.phase_s["prompts"] = round(time.monotonic() - t0, 3)
        return plan

    async def run_async(self) -> RunResult:
        cfg = self.cfg
        self.llm = LLM(cfg, cache=self.cache)
        if self.llm.budget.cap is not None and self.llm.unpriced():
            raise FatalRunError(
                f"budget cap set but no price known for {', '.join(self.llm.unpriced())}: "
                "set input_cost_per_mtok / output_cost_per_mtok for it"
            )
        register_prices(cfg)
        self.llm.on_event = lambda kind, role: self._tick()
        self.store.open(resume=self.resume, overwrite=self.overwrite, fingerprint=cfg.fingerprint())
        started = time.monotonic()
        self._start_progress()
        try:
            await self.llm.start()
            try:
                plan = await self._plan()
            except (BudgetExceeded, Stopped) as exc:
                self.stop_reason = "budget" if isinstance(exc, BudgetExceeded) else "interrupted"
                plan = []
            except CallFailed as exc:
                self.stop_reason = "error"
                self.error = f"prompt generation failed: {exc}"
                plan = []
            c = self.counters
            c.planned = len(plan)
            todo = [p for p in plan if p.id not in self.store.done and p.id not in self.store.dropped]
            c.already_done = len(self.store.done)
            for reason in self.store.dropped.values():
                c.dropped[reason] += 1
            if self._progress is not None:
                self._task_records = self._progress.add_task("records", total=len(plan))
                self._tick()
            t1 = time.monotonic()
            if todo and self.stop_reason == "completed":
                await self._work(todo)
            self.phase_s["records"] = round(time.monotonic() - t1, 3)
        finally:
            self._stop_progress()
            self.store.close()
            await self.llm.aclose()
        self.phase_s["total"] = round(time.monotonic() - started, 3)
        summary = self.summary()
        path = summary_path_for(self.store.output)
        path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", "utf-8")
        return RunResult(self.store.output, path, summary, self.stop_reason)

    async def _work(self, todo: list[PromptItem]) -> None:
        assert self.llm is not None
        queue: asyncio.Queue[PromptItem] = asyncio.Queue()
        for item in todo:
            queue.put_nowait(item)

        async def worker() -> None:
            while not self.llm.stop.is_set():
                try:
                    item = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                try:
                    await self.process(item)
                except BudgetExceeded:
                    if self.stop_reason == "completed":
                        self.stop_reason = "budget"
                    self.llm.stop.set()  # no new calls; calls in flight finish (their cost was reserved)
                except Stopped:
                    return

        n = min(self.cfg.generation.concurrency, len(todo))
        self._workers = [asyncio.create_task(worker()) for _ in range(n)]
        try:
            await asyncio.gather(*self._workers)
        except asyncio.CancelledError:
            if self.stop_reason == "completed":
                self.stop_reason = "interrupted"
            for w in self._workers:
                w.cancel()
            await asyncio.gather(*self._workers, return_exceptions=True)

    def interrupt(self) -> None:
        """Graceful stop: no new calls; records not yet written are left for --resume."""
        self.stop_reason = "interrupted"
        if self.llm is not None:
            self.llm.stop.set()
        for w in getattr(self, "_workers", []):
            w.cancel()

    # -- progress and summary --------------------------------------------------------------
    def _start_progress(self) -> None:
        if not self.show_progress:
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=self.console, transient=False,
        )
        self._progress.start()

    def _stop_progress(self) -> None:
        if self._progress is not None:
            self._tick()
            self._progress.stop()

    def summary(self) -> dict[str, Any]:
        c = self.counters
        llm = self.llm
        models = {name: s.to_json() for name, s in (llm.stats.items() if llm else [])}
        records_s = self.phase_s.get("records") or 0
        return {
            "output": str(self.store.output),
            "mode": self.cfg.generation.mode,
            "format": self.cfg.generation.format,
            "dataset": self.cfg.generation.dataset,
            "concurrency": self.cfg.generation.concurrency,
            "call_processes": call_processes_for(self.cfg),
            "columns": writers.columns(self.cfg),
            "stop_reason": self.stop_reason,
            "error": self.error,
            "planned": c.planned,
            "records_written": c.written + c.already_done,
            "records_written_this_run": c.written,
            "rows_in_file": self.store.rows_written,
            "dropped": dict(c.dropped),
            "judge_filtered": c.judge_filtered,
            "repaired": c.repaired,
            "repair_attempts": c.repair_attempts,
            "validated": c.validated,
            "grounded": c.grounded,
            "retries": sum(s["retries"] for s in models.values()),
            "cache": {"enabled": self.cache is not None,
                      "hits": self.cache.hits if self.cache else 0},
            "models": models,
            "cost_usd": round(sum(s["cost_usd"] for s in models.values()), 6),
            "budget_usd": self.cfg.generation.budget_usd,
            "seconds": self.phase_s,
            "records_per_s": round(c.written / records_s, 3) if records_s else None,
            "notes": self.notes,
        }


def run(cfg: GenConfig, **kwargs: Any) -> RunResult:
    """Run a generation; Ctrl-C / SIGTERM stop it gracefully (what is written stays)."""
    gen = Generator(cfg, **kwargs)

    async def main() -> RunResult:
        loop = asyncio.get_running_loop()
        installed = []
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, gen.interrupt)
                installed.append(sig)
            except (NotImplementedError, RuntimeError, ValueError):
                pass
        try:
            return await gen.run_async()
        finally:
            for sig in installed:
                loop.remove_signal_handler(sig)

    return asyncio.run(main())
