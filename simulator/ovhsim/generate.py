"""Scale scenarios: ``python -m ovhsim.generate --tasks N --errors M [--seed S] [--done-ratio R] [--now ISO] --out FILE``.

The scenario uses the demo credentials. Task ids start at 100000 and task
number i (1-based) is on a domain named ``example-<i>.<tld>``. The M tasks in
error are DomainCreate tasks on ``.fr`` domains: each can be relaunched and has
one string argument, ``legitimacyAfnic``, whose null value the simulated
registry rejects until it contains at least 10 characters. The other tasks are in
done, todo, doing or cancelled, with dates before ``--now``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from .clock import API_TIMEZONE, format_datetime, parse_datetime

FIRST_TASK_ID = 100000

ERROR_COMMENT = (
    "You have to explain in a few words how you'd like to use this domain name "
    "(AFNIC will use it to decide if you can register this domain)"
)
RELAUNCH_ERROR_COMMENT = "AFNIC rejected the explanation: describe in a few words how you'd like to use this domain name"

# Functions of the tasks that are not in error, and the top-level domains they use.
OTHER_FUNCTIONS = (
    "DomainCreate", "DomainRenew", "DomainDnsUpdate", "DomainContactUpdate", "DomainIncomingTransfer",
    "DomainTrade", "DnssecEnable", "DomainHostCreate", "ZoneImport",
)
OTHER_TLDS = ("fr", "com", "eu", "net", "de")
OTHER_STATUSES = ("todo", "doing", "cancelled")

_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ovhsim.generate",
                                     description="Write a simulator scenario with many domain tasks.")
    parser.add_argument("--tasks", type=int, required=True, help="number of tasks")
    parser.add_argument("--errors", type=int, required=True,
                        help="how many of them are in error with a correctable legitimacyAfnic argument")
    parser.add_argument("--seed", type=int, default=0, help="random seed; the same seed and --now give the same file (default: 0)")
    parser.add_argument("--done-ratio", type=float, default=0.85,
                        help="share of the tasks not in error that are done, from 0 to 1; the rest are "
                             "todo, doing or cancelled (default: 0.85)")
    parser.add_argument("--now", help="ISO 8601 datetime with UTC offset that every date precedes (default: the current time)")
    parser.add_argument("--out", required=True,
                        help="scenario file to write: JSON when the name ends in .json (loads faster), "
                             "YAML otherwise; - writes YAML to standard output")
    args = parser.parse_args(argv)

    if args.tasks < 0:
        parser.error(f"--tasks must be >= 0, got {args.tasks}")
    if not 0 <= args.errors <= args.tasks:
        parser.error(f"--errors must be between 0 and --tasks ({args.tasks}), got {args.errors}")
    if not 0.0 <= args.done_ratio <= 1.0:
        parser.error(f"--done-ratio must be between 0 and 1, got {args.done_ratio}")
    if args.now is not None:
        try:
            args.now = parse_datetime(args.now)
        except ValueError as error:
            parser.error(f"invalid --now: {error}")
    return args


def _ago(rng: random.Random, now: datetime, low: timedelta, high: timedelta) -> datetime:
    return now - timedelta(seconds=rng.uniform(low.total_seconds(), high.total_seconds()))


def _after(rng: random.Random, start: datetime, low: timedelta, high: timedelta, now: datetime) -> datetime:
    return min(now, start + timedelta(seconds=rng.uniform(low.total_seconds(), high.total_seconds())))


def _dates(rng: random.Random, status: str, now: datetime) -> dict[str, str | None]:
    """Return creationDate, todoDate, lastUpdate and doneDate consistent with ``status``, all at or before ``now``."""
    if status in ("todo", "doing"):
        # Recent operations; todoDate is past, so they progress as soon as the simulator starts.
        creation = _ago(rng, now, timedelta(minutes=1), timedelta(hours=2))
        todo = creation
        last_update = creation if status == "todo" else _after(rng, todo, timedelta(0), timedelta(minutes=10), now)
        done = None
    else:
        creation = _ago(rng, now, timedelta(hours=1), timedelta(days=60))
        todo = _after(rng, creation, timedelta(0), timedelta(minutes=10), now)
        last_update = _after(rng, todo, timedelta(minutes=1), timedelta(hours=1), now)
        done = last_update if status in ("done", "cancelled") else None

    return {
        "creationDate": format_datetime(creation),
        "todoDate": format_datetime(todo),
        "lastUpdate": format_datetime(last_update),
        "doneDate": format_datetime(done),
    }


def _error_task(task_id: int, index: int, rng: random.Random, now: datetime) -> dict[str, Any]:
    return {
        "id": task_id,
        "function": "DomainCreate",
        "domain": f"example-{index}.fr",
        "status": "error",
        "comment": ERROR_COMMENT,
        **_dates(rng, "error", now),
        "canAccelerate": False,
        "canRelaunch": True,
        "canCancel": False,
        "type": "domain",
        "arguments": [{
            "key": "legitimacyAfnic",
            "description": "Update legitimacyAfnic with valid content",
            "type": "string",
            "value": None,
            "acceptedValues": None,
            "readOnly": False,
            "minimumSize": None,
            "maximumSize": None,
            "fields": None,
            "template": None,
            "acceptedFormats": None,
            "simulation": {"accept_pattern": "(?s).{10,}"},
        }],
        "simulation": {"error_comment": RELAUNCH_ERROR_COMMENT},
    }


def _other_task(task_id: int, index: int, status: str, rng: random.Random, now: datetime) -> dict[str, Any]:
    return {
        "id": task_id,
        "function": rng.choice(OTHER_FUNCTIONS),
        "domain": f"example-{index}.{rng.choice(OTHER_TLDS)}",
        "status": status,
        "comment": None,
        **_dates(rng, status, now),
        "canAccelerate": False,
        "canRelaunch": False,
        "canCancel": status == "todo",
        "type": "domain",
    }


def build_scenario(tasks: int, errors: int, seed: int = 0, done_ratio: float = 0.85,
                   now: datetime | None = None) -> dict[str, Any]:
    """Return the scenario as a YAML-ready mapping."""
    rng = random.Random(seed)
    if now is None:
        now = datetime.now(API_TIMEZONE)
    now = now.replace(microsecond=0)
    error_positions = set(rng.sample(range(tasks), errors))

    items = []
    for position in range(tasks):
        task_id = FIRST_TASK_ID + position
        index = position + 1
        if position in error_positions:
            items.append(_error_task(task_id, index, rng, now))
            continue
        status = "done" if rng.random() < done_ratio else rng.choice(OTHER_STATUSES)
        items.append(_other_task(task_id, index, status, rng, now))

    return {
        "credentials": [{
            "application_key": "demo-application-key",
            "application_secret": "demo-application-secret",
            "consumer_keys": [{"consumer_key": "demo-consumer-key", "state": "validated"}],
        }],
        "clock_offset": 0,
        "timing": {"todo_seconds": 1, "doing_seconds": 1},
        "tasks": items,
    }


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    scenario = build_scenario(args.tasks, args.errors, seed=args.seed, done_ratio=args.done_ratio, now=args.now)

    if args.out.endswith(".json"):
        text = json.dumps(scenario, ensure_ascii=False, indent=1) + "\n"
    else:
        header = (f"# Generated by python -m ovhsim.generate --tasks {args.tasks} --errors {args.errors} "
                  f"--seed {args.seed} --done-ratio {args.done_ratio}\n")
        text = header + yaml.dump(scenario, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=120)
    if args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.out}: {args.tasks} tasks, {args.errors} in error", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
