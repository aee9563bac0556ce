"""Benchmark the ovhcloud.domain collection against python-ovh on the API simulator.

    .venv/bin/python benchmarks/run.py             # every case, 20 to 30 minutes
    .venv/bin/python benchmarks/run.py --quick     # small sizes, under a minute

Every case runs against the simulator (``simulator/``, started here on a free
port of 127.0.0.1) with 25 ms added to each API response:

- listing every task with its details, at 100, 1,000 and 5,000 tasks:
  python-ovh reading the ids and then each task one at a time, python-ovh
  reading the tasks on 10 threads, ``domain_task_info`` (bulk listing on and
  off) and the ``domain_tasks`` lookup;
- correcting and relaunching 10, 100 and 500 tasks in error (among 1,000
  tasks): the ``fix_and_relaunch`` role, and a playbook that loops
  ``domain_task_argument`` and ``domain_task_action`` over the tasks. Neither
  waits for the relaunched tasks.

Each case prints its wall time, the API requests the simulator counted and the
peak memory. The results go to ``benchmarks/results/latest.json`` and the plot
to ``docs/performance.png`` (needs matplotlib, see benchmarks/requirements.txt).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import harness

BENCHMARK_DIR = Path(__file__).resolve().parent
PLAYBOOK_DIR = BENCHMARK_DIR / "playbooks"
DEFAULT_RESULTS = BENCHMARK_DIR / "results" / "latest.json"
DEFAULT_PLOT = harness.REPO_ROOT / "docs" / "performance.png"

LISTING_SIZES = (100, 1000, 5000)
ERROR_COUNTS = (10, 100, 500)
# Tasks of the fix scenarios, of which the given number are in error.
FIX_SCENARIO_TASKS = 1000
QUICK_LISTING_SIZES = (20,)
QUICK_ERROR_COUNTS = (2,)
QUICK_FIX_SCENARIO_TASKS = 20

LATENCY_SECONDS = 0.025
THREADS = 10
DEFAULT_REPEAT = 3
# The simulated registry accepts a legitimacyAfnic value of 10 characters or more.
CORRECTION = "We will use this domain name for the website of our town's sports club."
COMMAND_TIMEOUT = 3600.0

RELAUNCH_CALL = "POST /me/task/domain/{id}/relaunch"
ARGUMENT_WRITE_CALL = "PUT /me/task/domain/{id}/argument/{key}"


@dataclass(frozen=True)
class Case:
    """One way of doing the job. A ``slow`` case runs once, whatever the value of ``--repeat``."""

    id: str
    label: str
    group: str
    slow: bool = False


BASELINE = Case("ansible-baseline", "ansible-playbook, one debug task", "baseline")
LISTING_CASES = (
    Case("python-ovh-sequential", "python-ovh, one task at a time", "listing", slow=True),
    Case("python-ovh-threads", f"python-ovh, {THREADS} threads", "listing"),
    Case("domain-task-info", "domain_task_info", "listing"),
    Case("domain-task-info-no-bulk", "domain_task_info, bulk listing off", "listing"),
    Case("lookup", "domain_tasks lookup", "listing"),
)
FIX_CASES = (
    Case("role", "fix_and_relaunch role", "fix"),
    Case("loop", "per-task loop", "fix", slow=True),
)
ALL_CASES = (BASELINE, *LISTING_CASES, *FIX_CASES)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark ovhcloud.domain against python-ovh on the API simulator.")
    parser.add_argument("--quick", action="store_true",
                        help=f"smoke run: {QUICK_LISTING_SIZES[0]} tasks, {QUICK_ERROR_COUNTS[0]} in error, "
                             "each case once")
    parser.add_argument("--repeat", type=int,
                        help=f"runs of each case that is not slow; the table shows the median "
                             f"(default: {DEFAULT_REPEAT}, 1 with --quick)")
    parser.add_argument("--sizes", type=_int_list, help="task counts of the listing cases, such as 100,1000")
    parser.add_argument("--errors", type=_int_list, help="tasks in error of the fix cases, such as 10,100")
    parser.add_argument("--only", type=_case_list, help="comma-separated case ids to run (default: all): "
                        + ", ".join(case.id for case in ALL_CASES))
    parser.add_argument("--latency", type=float, default=LATENCY_SECONDS,
                        help=f"seconds added to each API response (default: {LATENCY_SECONDS})")
    parser.add_argument("--results", type=Path, default=DEFAULT_RESULTS,
                        help="JSON file to write (default: benchmarks/results/latest.json)")
    parser.add_argument("--plot", type=Path, default=DEFAULT_PLOT, help="PNG file to write (default: docs/performance.png)")
    parser.add_argument("--no-plot", action="store_true", help="write no plot")
    parser.add_argument("--keep-work-dir", action="store_true",
                        help="keep the temporary directory with the scenarios and the output of every command")
    args = parser.parse_args(argv)

    if args.repeat is None:
        args.repeat = 1 if args.quick else DEFAULT_REPEAT
    if args.repeat < 1:
        parser.error(f"--repeat must be 1 or more, got {args.repeat}")
    if args.sizes is None:
        args.sizes = QUICK_LISTING_SIZES if args.quick else LISTING_SIZES
    if args.errors is None:
        args.errors = QUICK_ERROR_COUNTS if args.quick else ERROR_COUNTS
    args.fix_tasks = QUICK_FIX_SCENARIO_TASKS if args.quick else FIX_SCENARIO_TASKS
    if max(args.errors) > args.fix_tasks:
        parser.error(f"--errors must be at most {args.fix_tasks}, the number of tasks of the fix scenarios")
    if args.latency < 0:
        parser.error(f"--latency must be 0 or more, got {args.latency}")
    return args


def _int_list(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(item) for item in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}")
    if any(value < 1 for value in values):
        raise argparse.ArgumentTypeError(f"expected integers of 1 or more, got {text!r}")
    return values


def _case_list(text: str) -> tuple[str, ...]:
    known = {case.id for case in ALL_CASES}
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in known]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown case {', '.join(unknown)}; the cases are {', '.join(sorted(known))}")
    return names


class Benchmark:
    """The state of one benchmark run: work directory, settings and the runs measured so far."""

    def __init__(self, args: argparse.Namespace, work_dir: Path) -> None:
        self.args = args
        self.work_dir = work_dir
        self.collections_path = harness.make_collections_tree(work_dir / "collections")
        self.runs: list[dict] = []
        self._command_number = 0

    def selected(self, case: Case) -> bool:
        return self.args.only is None or case.id in self.args.only

    def repeats(self, case: Case) -> int:
        return 1 if case.slow else self.args.repeat

    # --- measured commands ---------------------------------------------------------------

    def _next_prefix(self, case: Case) -> Path:
        self._command_number += 1
        directory = self.work_dir / "output"
        directory.mkdir(exist_ok=True)
        return directory / f"{self._command_number:03d}-{case.id}"

    def _run_python_ovh(self, case: Case, simulator: harness.Simulator, size: int) -> dict:
        command = [sys.executable, str(BENCHMARK_DIR / "python_ovh_listing.py"), "--url", simulator.url]
        if case.id == "python-ovh-threads":
            command += ["--threads", str(THREADS)]
        measurement = harness.run_measured(command, harness.python_ovh_env(simulator), self.work_dir,
                                           self._next_prefix(case), COMMAND_TIMEOUT)
        problems = _command_problems(measurement)
        if not problems:
            listed = json.loads(measurement.stdout_path.read_text(encoding="utf-8"))["tasks"]
            if listed != size:
                problems.append(f"listed {listed} tasks instead of {size}")
        return {"measurement": measurement, "problems": problems,
                "client_max_rss_kb": measurement.tree_max_rss_kb, "module_runs": None, "module_seconds": None}

    def _run_playbook(self, case: Case, simulator: harness.Simulator, playbook: str, extra_vars: dict) -> dict:
        prefix = self._next_prefix(case)
        module_log = prefix.with_suffix(".modules.jsonl")
        env = harness.ansible_env(self.work_dir, self.collections_path, simulator, module_log)
        command = [str(Path(sys.executable).parent / "ansible-playbook"), str(PLAYBOOK_DIR / playbook),
                   "--extra-vars", json.dumps(extra_vars)]
        measurement = harness.run_measured(command, env, self.work_dir, prefix, COMMAND_TIMEOUT)
        modules = harness.read_module_log(module_log)
        return {
            "measurement": measurement,
            "problems": _command_problems(measurement),
            "client_max_rss_kb": max((entry["max_rss_kb"] for entry in modules), default=None),
            "module_runs": len(modules),
            "module_seconds": round(sum(entry["seconds"] for entry in modules), 3),
            "module_runs_by_name": _count_by(entry["module"] for entry in modules),
        }

    def run_once(self, case: Case, simulator: harness.Simulator, size: int | None, errors: int | None) -> dict:
        """Run one case once on a freshly reset simulator and return its record."""
        simulator.prepare(self.args.latency, bulk_listing=case.id != "domain-task-info-no-bulk")

        if case.id.startswith("python-ovh"):
            outcome = self._run_python_ovh(case, simulator, size)
        elif case.group == "fix":
            playbook = "fix_role.yml" if case.id == "role" else "fix_loop.yml"
            outcome = self._run_playbook(case, simulator, playbook,
                                         {"benchmark_correction": CORRECTION, "benchmark_expected_count": errors})
        elif case.id == "ansible-baseline":
            outcome = self._run_playbook(case, simulator, "baseline.yml", {})
        else:
            playbook = "lookup.yml" if case.id == "lookup" else "task_info.yml"
            outcome = self._run_playbook(case, simulator, playbook, {"benchmark_expected_count": size})

        stats = simulator.stats()
        problems = outcome["problems"]
        if case.group == "fix" and not problems:
            problems += _fix_problems(simulator, stats, errors)

        measurement = outcome["measurement"]
        return {
            "case": case.id,
            "label": case.label,
            "group": case.group,
            "size": errors if case.group == "fix" else size,
            "wall_seconds": round(measurement.wall_seconds, 3),
            "requests": stats["requests"],
            "requests_by_call": stats["by_call"],
            "client_max_rss_kb": outcome["client_max_rss_kb"],
            "tree_max_rss_kb": measurement.tree_max_rss_kb,
            "module_runs": outcome["module_runs"],
            "module_seconds": outcome["module_seconds"],
            "module_runs_by_name": outcome.get("module_runs_by_name"),
            "ok": not problems,
            "problems": problems,
            "output_tail": measurement.output_tail() if problems else None,
        }

    def run_case(self, case: Case, simulator: harness.Simulator, size: int | None = None,
                 errors: int | None = None) -> None:
        count = self.repeats(case)
        for number in range(1, count + 1):
            record = self.run_once(case, simulator, size, errors)
            record["run"] = number
            self.runs.append(record)
            _print_run(record, number, count)

    # --- the groups of cases ---------------------------------------------------------------

    def run_all(self) -> None:
        scenarios = self.work_dir / "scenarios"
        scenarios.mkdir()

        for size in self.args.sizes:
            cases = [case for case in LISTING_CASES if self.selected(case)]
            if size == self.args.sizes[0] and self.selected(BASELINE):
                cases.insert(0, BASELINE)
            if not cases:
                continue
            scenario = harness.generate_scenario(size, size // 10, scenarios / f"listing-{size}.json")
            simulator = harness.Simulator(scenario, self.work_dir / f"simulator-listing-{size}")
            try:
                for case in cases:
                    self.run_case(case, simulator, size=None if case is BASELINE else size)
            finally:
                simulator.stop()

        fix_cases = [case for case in FIX_CASES if self.selected(case)]
        for errors in self.args.errors if fix_cases else ():
            scenario = harness.generate_scenario(self.args.fix_tasks, errors, scenarios / f"fix-{errors}.json")
            simulator = harness.Simulator(scenario, self.work_dir / f"simulator-fix-{errors}")
            try:
                for case in fix_cases:
                    self.run_case(case, simulator, errors=errors)
            finally:
                simulator.stop()


def _command_problems(measurement: harness.Measurement) -> list[str]:
    if measurement.timed_out:
        return [f"killed after {COMMAND_TIMEOUT} s"]
    if measurement.returncode != 0:
        return [f"exit code {measurement.returncode}"]
    return []


def _fix_problems(simulator: harness.Simulator, stats: dict, errors: int) -> list[str]:
    """Check in the simulator that every task in error got the correction, one argument write and one relaunch."""
    problems = []
    corrected = 0
    for task in simulator.tasks():
        for argument in task.get("arguments") or []:
            if argument["key"] == "legitimacyAfnic" and argument.get("value") == CORRECTION:
                corrected += 1
    if corrected != errors:
        problems.append(f"{corrected} tasks hold the correction instead of {errors}")

    writes = stats["by_call"].get(ARGUMENT_WRITE_CALL, 0)
    if writes != errors:
        problems.append(f"{writes} argument writes instead of {errors}")

    relaunches = stats["by_call"].get(RELAUNCH_CALL, 0)
    if relaunches != errors:
        problems.append(f"{relaunches} relaunch requests instead of {errors}")
    return problems


def _count_by(names) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    return counts


def _megabytes(kilobytes: int | None) -> float | None:
    return None if kilobytes is None else round(kilobytes / 1024, 1)


def _print_run(record: dict, number: int, count: int) -> None:
    size = "" if record["size"] is None else f", {record['size']} {'in error' if record['group'] == 'fix' else 'tasks'}"
    memory = record["client_max_rss_kb"] or record["tree_max_rss_kb"]
    modules = "" if record["module_runs"] is None else f", {record['module_runs']} module runs"
    line = (f"{record['label']}{size}, run {number}/{count}: {record['wall_seconds']:.2f} s, "
            f"{record['requests']} requests, peak {_megabytes(memory)} MB{modules}")
    if not record["ok"]:
        line += "\n  FAILED: " + "; ".join(record["problems"]) + "\n" + record["output_tail"]
    print(line, flush=True)


# --- summary -------------------------------------------------------------------------------


def summarize(runs: list[dict]) -> list[dict]:
    """Return one row per case and size: median wall time, requests, peak memory and speedup."""
    groups: dict[tuple, list[dict]] = {}
    for record in runs:
        groups.setdefault((record["case"], record["size"]), []).append(record)

    rows = []
    for (case_id, size), records in groups.items():
        walls = [record["wall_seconds"] for record in records]
        clients = [record["client_max_rss_kb"] for record in records if record["client_max_rss_kb"] is not None]
        rows.append({
            "case": case_id,
            "label": records[0]["label"],
            "group": records[0]["group"],
            "size": size,
            "runs": len(records),
            "wall_seconds_median": round(statistics.median(walls), 3),
            "wall_seconds_min": min(walls),
            "wall_seconds_max": max(walls),
            "requests": int(statistics.median(record["requests"] for record in records)),
            "client_max_rss_mb": _megabytes(max(clients)) if clients else None,
            "tree_max_rss_mb": _megabytes(max(record["tree_max_rss_kb"] for record in records)),
            "module_runs": records[0]["module_runs"],
            "module_seconds_median": (round(statistics.median(record["module_seconds"] for record in records), 2)
                                      if records[0]["module_seconds"] is not None else None),
            "ok": all(record["ok"] for record in records),
        })

    references = {"listing": "python-ovh-sequential", "fix": "loop"}
    for row in rows:
        reference_id = references.get(row["group"])
        reference = _find(rows, reference_id, row["size"]) if reference_id else None
        row["speedup_reference"] = reference_id if reference else None
        row["speedup"] = (round(reference["wall_seconds_median"] / row["wall_seconds_median"], 1)
                          if reference else None)
    return rows


def _find(rows: list[dict], case_id: str, size: int | None) -> dict | None:
    for row in rows:
        if row["case"] == case_id and row["size"] == size:
            return row
    return None


def evaluate_targets(rows: list[dict], sizes: tuple[int, ...], error_counts: tuple[int, ...]) -> list[dict]:
    """Compare the largest sizes measured with the performance targets of the collection."""
    size = max(sizes)
    errors = max(error_counts)
    targets = []

    def ratio_target(text: str, slower_id: str, faster_id: str, at: int, minimum: float) -> None:
        slower, faster = _find(rows, slower_id, at), _find(rows, faster_id, at)
        if slower is None or faster is None:
            targets.append({"target": text, "size": at, "measured": None, "met": None})
            return
        ratio = slower["wall_seconds_median"] / faster["wall_seconds_median"]
        targets.append({
            "target": text,
            "size": at,
            "measured": f"{ratio:.1f}x ({slower['wall_seconds_median']:.2f} s against {faster['wall_seconds_median']:.2f} s)",
            "met": ratio >= minimum,
        })

    ratio_target("domain_task_info at least 50x faster than sequential python-ovh",
                 "python-ovh-sequential", "domain-task-info", size, 50)
    ratio_target(f"domain_task_info at least 5x faster than python-ovh with {THREADS} threads",
                 "python-ovh-threads", "domain-task-info", size, 5)
    ratio_target("domain_task_info with bulk listing off at least 5x faster than sequential python-ovh",
                 "python-ovh-sequential", "domain-task-info-no-bulk", size, 5)
    ratio_target("fix_and_relaunch role at least 10x faster than the per-task loop", "loop", "role", errors, 10)

    role_runs = {row["size"]: row["module_runs"] for row in rows if row["case"] == "role"}
    targets.append({
        "target": "fix_and_relaunch role: the same number of module runs at every size",
        "size": None,
        "measured": ", ".join(f"{runs} at {count} in error" for count, runs in sorted(role_runs.items())) or None,
        "met": len(set(role_runs.values())) == 1 if role_runs else None,
    })

    info = _find(rows, "domain-task-info", size)
    memory = info["client_max_rss_mb"] if info else None
    targets.append({
        "target": "domain_task_info module process under 150 MB peak memory",
        "size": size,
        "measured": None if memory is None else f"{memory} MB",
        "met": None if memory is None else memory < 150,
    })
    return targets


def markdown_table(rows: list[dict]) -> str:
    lines = [
        "| case | size | wall time (s), median | min - max (s) | runs | API requests | module runs "
        "| time in modules (s) | peak RSS, module or script (MB) | peak RSS, whole command (MB) | speedup |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        if row["size"] is None:
            size = "-"
        elif row["group"] == "fix":
            size = f"{row['size']:,} in error"
        else:
            size = f"{row['size']:,} tasks"
        speedup = "-"
        if row["speedup"] is not None:
            reference = "sequential" if row["speedup_reference"] == "python-ovh-sequential" else "loop"
            speedup = f"{row['speedup']:.1f}x vs {reference}"
        status = "" if row["ok"] else " (FAILED)"
        lines.append(
            f"| {row['label']}{status} | {size} | {row['wall_seconds_median']:.2f} "
            f"| {row['wall_seconds_min']:.2f} - {row['wall_seconds_max']:.2f} | {row['runs']} "
            f"| {row['requests']:,} | {_show(row['module_runs'])} | {_show(row['module_seconds_median'])} "
            f"| {_show(row['client_max_rss_mb'])} | {_show(row['tree_max_rss_mb'])} | {speedup} |"
        )
    return "\n".join(lines)


def _show(value) -> str:
    return "-" if value is None else str(value)


def targets_text(targets: list[dict]) -> str:
    lines = []
    for target in targets:
        verdict = {True: "met", False: "NOT MET", None: "not measured"}[target["met"]]
        at = "" if target["size"] is None else f" (at {target['size']:,})"
        lines.append(f"- {target['target']}{at}: {verdict}, {target['measured'] or 'no data'}")
    return "\n".join(lines)


# --- main ----------------------------------------------------------------------------------


def write_plot(results: dict, path: Path) -> None:
    try:
        import plot
    except ImportError as exc:
        print(f"No plot written: {exc}. Install benchmarks/requirements.txt to get one.", file=sys.stderr)
        return
    plot.write_plot(results, path)
    print(f"Wrote {path} ({path.stat().st_size // 1024} KiB)")


def _stop_on_sigterm(signum, frame) -> None:
    # SystemExit unwinds through the finally blocks, which stop the simulator and the running command.
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)

    started_at = datetime.now(timezone.utc)
    load_before = _load_average()
    work_dir = Path(tempfile.mkdtemp(prefix="ovhcloud-domain-benchmark-"))
    print(f"Work directory: {work_dir}", flush=True)
    benchmark = Benchmark(args, work_dir)
    clock = time.perf_counter()
    try:
        benchmark.run_all()
    except KeyboardInterrupt:
        print("Interrupted: the simulator and the running command were stopped.", file=sys.stderr)
        return 130
    finally:
        if not args.keep_work_dir:
            shutil.rmtree(work_dir, ignore_errors=True)

    rows = summarize(benchmark.runs)
    targets = evaluate_targets(rows, args.sizes, args.errors)
    machine = harness.machine_info()
    machine["load_average_before"] = load_before
    machine["load_average_after"] = _load_average()
    results = {
        "started_at": started_at.isoformat(timespec="seconds"),
        "duration_seconds": round(time.perf_counter() - clock, 1),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "settings": {
            "quick": args.quick,
            "latency_seconds": args.latency,
            "repeat": args.repeat,
            "listing_sizes": list(args.sizes),
            "error_counts": list(args.errors),
            "fix_scenario_tasks": args.fix_tasks,
            "python_ovh_threads": THREADS,
            "wait_for_relaunched_tasks": False,
            "correction_length": len(CORRECTION),
        },
        "machine": machine,
        "summary": rows,
        "targets": targets,
        "runs": benchmark.runs,
    }

    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")

    print()
    print(markdown_table(rows))
    print()
    print("Targets:")
    print(targets_text(targets))
    print(f"\nWrote {args.results}")
    if not args.no_plot:
        write_plot(results, args.plot)

    return 0 if all(record["ok"] for record in benchmark.runs) else 1


def _load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


if __name__ == "__main__":
    sys.exit(main())
