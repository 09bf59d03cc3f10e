"""`reality validate FILE...`: check datasets' numeric claims and quality gates."""

from __future__ import annotations

import argparse
import sys

DESCRIPTION = """Validate training data before it is merged: numeric claims against the calculators
(within --tolerance, default 2x), dataset-mode schema (sft, dpo, kto, mo-dpo; TRL standard and
conversational forms), word-count gates, feature names against a manifest (--dataset features),
duplicates, and the persona / scenario mix. Reads JSONL (streamed), JSON arrays and Parquet.
Configure in [tool.reality] (pyproject.toml) or reality.toml.

exit codes: 0 no errors, 1 errors found, 2 usage error or unreadable input."""

EXIT_USAGE = 2


def _rule_list(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("files", nargs="+", metavar="FILE", help="JSONL, JSON array or Parquet files ('-' = stdin JSONL)")
    parser.add_argument("--dataset", choices=("reality", "features"), help="dataset kind (default: reality)")
    parser.add_argument("--manifest", metavar="FILE", help="feature manifest (YAML) for --dataset features")
    parser.add_argument("--format", dest="output_format", choices=("text", "json", "github", "sarif"), default="text",
                        help="output format (default: text)")
    parser.add_argument("--tolerance", type=float, metavar="X", help="how many times off a claim may be (default 2)")
    parser.add_argument("--mode", help="dataset mode: sft, dpo, kto, mo-dpo (default: detected from the columns)")
    parser.add_argument("--select", type=_rule_list, metavar="IDS", help="only these rules (ids, prefixes or names, comma-separated)")
    parser.add_argument("--ignore", type=_rule_list, metavar="IDS", help="skip these rules (comma-separated)")
    parser.add_argument("--config", metavar="FILE", help="config file (default: nearest reality.toml / pyproject.toml)")
    parser.add_argument("--show-all", action="store_true", help="text format: list accepted records too")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout")


def run(args: argparse.Namespace) -> int:
    from reality.validators.config import ConfigError, load_config
    from reality.validators.features import ManifestError
    from reality.validators.formatters import get_formatter
    from reality.validators.readers import InputError
    from reality.validators.runner import Validation

    def usage(message: str) -> int:
        print(f"reality validate: error: {message}", file=sys.stderr)
        return EXIT_USAGE

    try:
        config = load_config(args.config)
        if args.mode is not None and args.mode not in ("sft", "dpo", "kto", "mo-dpo"):
            return usage(f"unknown mode {args.mode!r}; choose one of sft, dpo, kto, mo-dpo")
        if args.tolerance is not None and not args.tolerance >= 1:
            return usage(f"--tolerance must be >= 1, not {args.tolerance}")
        config = config.updated(dataset=args.dataset, mode=args.mode, manifest=args.manifest,
                                tolerance=args.tolerance, select=args.select, ignore=args.ignore)
        validation = Validation(config)
    except (ConfigError, ManifestError) as exc:
        return usage(str(exc))

    # Unreadable inputs are a usage error before any output: fail fast, exit 2.
    from pathlib import Path

    for path in args.files:
        if path != "-" and not Path(path).is_file():
            return usage(f"{path}: {'is a directory' if Path(path).is_dir() else 'no such file'}")

    out = sys.stdout
    if args.output:
        try:
            out = open(args.output, "w", encoding="utf-8")  # noqa: SIM115
        except OSError as exc:
            return usage(f"cannot write {args.output}: {exc.strerror or exc}")
    options = {"show_all": args.show_all} if args.output_format == "text" else {}
    if args.output_format == "sarif":
        options["rules"] = sorted(validation.rules.all.values(), key=lambda r: r.id)
    formatter = get_formatter(args.output_format, out, **options)
    try:
        formatter.start()
        for result in validation.run(args.files):
            formatter.record(result)
        formatter.finish(validation.summary)
    except InputError as exc:
        out.flush()
        return usage(str(exc))
    finally:
        if out is not sys.stdout:
            out.close()
    return validation.summary.exit_code
