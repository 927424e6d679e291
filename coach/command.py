"""The ``coach`` console script's front door: it parses the command line with nothing heavy
imported, so ``coach --help`` and a usage error answer at once; the command itself
(``coach.cli``, with the services, DuckDB and pandas behind it) loads only after parsing.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path


def main(argv: Sequence[str] | None = None) -> int:
    """Parses, then runs the command; returns the exit code."""
    args = build_parser().parse_args(argv)
    from coach import cli

    return cli.run(args)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is too small; give 1 or more")
    return value


def build_parser() -> argparse.ArgumentParser:
    """Every command and option; handlers are named, and live in ``coach.cli``."""
    parser = argparse.ArgumentParser(
        prog="coach", description="The Coaching Workbench from the command line."
    )
    parser.add_argument("--log-level", default=None, help="DEBUG, INFO, WARNING or ERROR")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    seed = commands.add_parser(
        "seed-demo",
        help="fill a database with labelled demo sessions, played by the offline coach",
    )
    seed.add_argument("--sessions", type=_positive_int, required=True, help="practice sessions")
    seed.add_argument("--chats", type=int, default=2, help="chat sessions (default 2)")
    seed.add_argument("--db", type=Path, default=None, help="database file (default: settings)")
    seed.add_argument("--seed", type=int, default=7, help="random seed (same seed, same data)")
    seed.add_argument(
        "--no-experiment",
        dest="experiment",
        action="store_false",
        help="skip the demo persona experiment (96 pairs on the sample set)",
    )
    seed.set_defaults(handler="_seed_demo_command")

    export = commands.add_parser(
        "export", help="write a session as Markdown, or as a PDF study guide"
    )
    export.add_argument("--session", required=True, help="the session id")
    export.add_argument(
        "--pdf",
        action="store_true",
        help="the PDF study guide (best answers, scores, feedback, summary); needs --out",
    )
    export.add_argument("--db", type=Path, default=None, help="database file (default: settings)")
    export.add_argument("--out", type=Path, default=None, help="file or folder (default: stdout)")
    export.set_defaults(handler="_export_command")

    experiment = commands.add_parser(
        "experiment", help="run persona experiments (A/B variants) and read their reports"
    )
    actions = experiment.add_subparsers(dest="action", required=True, metavar="ACTION")
    run = actions.add_parser(
        "run", help="run a spec file's experiment (or --resume one) and print its report"
    )
    run.add_argument("spec", type=Path, nargs="?", help="the experiment spec (YAML)")
    run.add_argument(
        "--resume",
        metavar="ID",
        default=None,
        help="continue this experiment (its id, or the first 6+ characters) instead of "
        "creating a new one",
    )
    run.add_argument("--db", type=Path, default=None, help="database file (default: settings)")
    run.set_defaults(handler="_experiment_run_command")
    show = actions.add_parser("show", help="print a stored experiment's report")
    show.add_argument("id", help="the experiment id, or its first 6+ characters")
    show.add_argument("--db", type=Path, default=None, help="database file (default: settings)")
    show.set_defaults(handler="_experiment_show_command")
    listing = actions.add_parser("list", help="list the recent experiments, newest first")
    listing.add_argument("--limit", type=_positive_int, default=20, help="how many (default 20)")
    listing.add_argument("--db", type=Path, default=None, help="database file (default: settings)")
    listing.set_defaults(handler="_experiment_list_command")
    return parser
