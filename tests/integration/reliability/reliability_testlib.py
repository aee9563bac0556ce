"""Helpers of the reliability tests: scenario paths, fault rules, request-log
counts, and the collector behind tests/output/reliability.json.

Every reliability test adds one entry to the collector. The entry counts
the ansible-playbook runs (or client examples) of the test and the writes
they should have applied. It also counts the writes lost, where the run
reported success but the simulator state does not show the write, and the
writes duplicated, where one target received more than one request that
the API processed. When the session ends, each pytest process writes its
entries to a part file and merges every part of the same test run into
tests/output/reliability.json, so the file is complete once the last xdist
worker finishes.
"""

from __future__ import annotations

import fcntl
import json
import shutil
import sys
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import yaml

RELIABILITY_DIR = Path(__file__).resolve().parent
REPO_ROOT = RELIABILITY_DIR.parents[2]
SCENARIO = RELIABILITY_DIR / "scenarios" / "reliability.yaml"
DEMO_SCENARIO = REPO_ROOT / "simulator" / "scenarios" / "guide.yaml"
ROLE_PLAYBOOK = REPO_ROOT / "playbooks" / "fix_and_relaunch.yml"
DEMO_CORRECTIONS = REPO_ROOT / "playbooks" / "corrections.example.yml"
# The same play as ROLE_PLAYBOOK with a 2-second API timeout, for latency faults.
SHORT_TIMEOUT_PLAYBOOK = RELIABILITY_DIR / "playbooks" / "fix_and_relaunch_short_timeout.yml"

# The command that docs/reliability.md gives, run from the repository root.
REPRODUCE_COMMAND = (".venv/bin/python -m pytest tests/integration/reliability "
                     "tests/unit/plugins/module_utils/test_retry.py "
                     "tests/unit/plugins/module_utils/test_properties.py -n 2")

OUTPUT_DIR = REPO_ROOT / "tests" / "output"
REPORT_FILE = OUTPUT_DIR / "reliability.json"
PARTS_DIR = OUTPUT_DIR / "reliability-parts"
# Part directories of other test runs older than this are removed.
STALE_PARTS_SECONDS = 6 * 3600

# Module timeout of the fault matrix (seconds), and the delay of a latency
# fault, longer than the timeout so that the client gives up first.
MODULE_TIMEOUT = 2
LATENCY_SECONDS = 3

# Fault kinds that stop a request before the API processes it: the request
# is in the log, but a write carried by it had no effect.
BEFORE_PROCESSING = frozenset({"drop", "http_error", "rate_limit"})
WRITE_METHODS = frozenset({"POST", "PUT", "DELETE"})


def demo_correction(key: str = "legitimacyAfnic") -> str:
    """Return the value that playbooks/corrections.example.yml gives for ``key``."""
    document = yaml.safe_load(DEMO_CORRECTIONS.read_text(encoding="utf-8"))
    for correction in document["fix_and_relaunch_corrections"]:
        if correction["key"] == key:
            return correction["value"]
    raise KeyError(f"{DEMO_CORRECTIONS} has no correction for {key}")


# ---------------------------------------------------------------------------
# Request log
# ---------------------------------------------------------------------------


def processed(entry: dict) -> bool:
    """Return True when the API processed the logged request (no fault stopped it first)."""
    return entry.get("fault") not in BEFORE_PROCESSING


def processed_writes(log: list[dict]) -> dict[tuple[str, str], int]:
    """Return how many processed write requests each (method, path) received."""
    counts: dict[tuple[str, str], int] = {}
    for entry in log:
        if entry["method"] in WRITE_METHODS and processed(entry):
            target = (entry["method"], entry["path"])
            counts[target] = counts.get(target, 0) + 1
    return counts


def add_faults(simulator, rules: list[dict]) -> None:
    """Append fault rules to the simulator (``POST /_simulator/faults``)."""
    # The Simulator class of tests/conftest.py has no method for fault rules,
    # so its generic control call is used here and in wait_for_delayed_requests.
    if rules:
        simulator._call("POST", "/faults", json=rules)


def wait_for_delayed_requests(simulator, timeout: float = 3 * LATENCY_SECONDS) -> None:
    """Wait until every request a latency fault delayed has been served and logged.

    A client that timed out has gone, but the simulator still serves the
    request after the delay, and a delayed write then takes effect. The log
    gets the entry only then, so counts read earlier would miss it.
    """
    deadline = time.monotonic() + timeout
    while True:
        delayed = sum(rule["hits"] for rule in simulator._call("GET", "/faults") if rule["fault"] == "latency")
        logged = sum(1 for entry in simulator.requests() if entry.get("fault") == "latency")
        if logged >= delayed:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{delayed - logged} delayed request(s) still unserved after {timeout} s")
        time.sleep(0.2)


# ---------------------------------------------------------------------------
# Ansible runs
# ---------------------------------------------------------------------------


TASK_NAME = "module under test"


def module_play(module: str, args: dict) -> str:
    """Return a one-task playbook that runs ``module`` with ``ignore_errors``."""
    play = [{
        "name": f"Run {module}",
        "hosts": "localhost",
        "gather_facts": False,
        "tasks": [{"name": TASK_NAME, module: args, "ignore_errors": True}],
    }]
    return yaml.safe_dump(play, sort_keys=False, allow_unicode=True)


def crashed(result: dict) -> bool:
    """Return True when a module result comes from an exception the module did not handle.

    ansible-core 2.19 puts an ``exception`` key in handled failures too (the
    exception being handled when ``fail_json`` ran), so the key proves
    nothing. An unhandled exception instead gets its message prefixed.
    """
    return str(result.get("msg", "")).startswith(("Task failed: Module failed:", "MODULE FAILURE"))


def role_report(playbook) -> dict | None:
    """Return the fix_and_relaunch_report fact of a role run, or None when the role stopped before it."""
    report = None
    for entry in playbook.tasks:
        facts = entry["result"].get("ansible_facts") or {}
        if "fix_and_relaunch_report" in facts:
            report = facts["fix_and_relaunch_report"]
    return report


def yaml_unsafe(value: str) -> str:
    """Return ``value`` as a YAML double-quoted scalar tagged ``!unsafe``, in ASCII.

    Every character outside printable ASCII is escaped, so that no YAML line
    folding or Unicode normalisation of the reader can change the value.
    """
    parts = []
    for char in value:
        code = ord(char)
        if char in ('"', "\\"):
            parts.append("\\" + char)
        elif 0x20 <= code < 0x7F:
            parts.append(char)
        elif code <= 0xFFFF:
            parts.append("\\u%04x" % code)
        else:
            parts.append("\\U%08x" % code)
    return '!unsafe "%s"' % "".join(parts)


# ---------------------------------------------------------------------------
# Collector
# ---------------------------------------------------------------------------


@dataclass
class Entry:
    """One reliability scenario and what its runs did."""

    scenario: str
    category: str
    outcome: str
    runs: int = 0
    client_examples: int = 0
    writes_expected: int = 0
    writes_applied: int = 0
    writes_lost: int = 0
    writes_duplicated: int = 0
    # The xfail reason when the test is marked as failing on a known bug.
    known_bug: str | None = None
    details: dict = field(default_factory=dict)


class Collector:
    def __init__(self) -> None:
        self.entries: list[Entry] = []

    def add(self, entry: Entry) -> Entry:
        self.entries.append(entry)
        return entry


class ScopedCollector:
    """A view of the collector for one test, which stamps each entry with the test's known-bug reason."""

    def __init__(self, collector: Collector, known_bug: str | None) -> None:
        self._collector = collector
        self._known_bug = known_bug

    def add(self, entry: Entry) -> Entry:
        entry.known_bug = self._known_bug
        return self._collector.add(entry)


def local_run_id(config) -> str:
    """Return an id for a test run without xdist, the same for every caller in the process."""
    run_id = getattr(config, "_ovhcloud_reliability_run_id", None)
    if run_id is None:
        run_id = uuid.uuid4().hex
        config._ovhcloud_reliability_run_id = run_id
    return run_id


COUNTS = ("runs", "client_examples", "writes_expected", "writes_applied", "writes_lost", "writes_duplicated")


def known_bug_of(request) -> str | None:
    """Return the xfail reason of the running test, or None when it is expected to pass."""
    marker = request.node.get_closest_marker("xfail")
    return marker.kwargs.get("reason", "xfail") if marker else None


def _add_counts(summary: dict, entry: dict) -> None:
    summary["scenarios"] = summary.get("scenarios", 0) + 1
    for key in COUNTS:
        summary[key] = summary.get(key, 0) + entry[key]


def _summarise(entries: list[dict]) -> dict:
    """Return the counts of all entries, of those expected to pass, of known bugs, and by category."""
    totals: dict = {}
    expected_to_pass: dict = {}
    known_bugs: dict = {}
    by_category: dict[str, dict] = {}
    for entry in entries:
        _add_counts(totals, entry)
        _add_counts(known_bugs if entry.get("known_bug") else expected_to_pass, entry)
        _add_counts(by_category.setdefault(entry["category"], {}), entry)
    return {"totals": totals, "expected_to_pass": expected_to_pass, "known_bugs": known_bugs,
            "by_category": by_category}


def _merge_parts(run_dir: Path) -> None:
    entries = []
    for part in sorted(run_dir.glob("*.json")):
        entries.extend(json.loads(part.read_text(encoding="utf-8"))["entries"])
    entries.sort(key=lambda item: item["scenario"])
    document = {
        "generated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": REPRODUCE_COMMAND,
        "python": sys.version.split()[0],
        **_summarise(entries),
        "entries": entries,
    }
    temporary = REPORT_FILE.with_suffix(".tmp")
    temporary.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    temporary.replace(REPORT_FILE)


def write_report(config, entries: list[Entry], source: str) -> None:
    """Write the entries of one source (a conftest or a test module) of this process, then merge
    every part of the test run into REPORT_FILE.

    Under pytest-xdist, the workers of one run share ``testrunuid``. A run
    without xdist gets an id of its own from ``local_run_id``. When two
    sessions run at once, the one that ends last writes REPORT_FILE.
    """
    worker_input = getattr(config, "workerinput", None)
    run_id = worker_input["testrunuid"] if worker_input else local_run_id(config)
    worker = worker_input["workerid"] if worker_input else "main"

    PARTS_DIR.mkdir(parents=True, exist_ok=True)
    with open(PARTS_DIR / ".lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # Only the parts of this run are merged. Another session may be running
        # at the same time, so only the parts of runs that ended long ago go.
        for old in PARTS_DIR.iterdir():
            if old.is_dir() and old.name != run_id and time.time() - old.stat().st_mtime > STALE_PARTS_SECONDS:
                shutil.rmtree(old, ignore_errors=True)
        run_dir = PARTS_DIR / run_id
        run_dir.mkdir(exist_ok=True)
        part = {"worker": worker, "entries": [asdict(entry) for entry in entries]}
        (run_dir / f"{worker}-{source}.json").write_text(json.dumps(part, ensure_ascii=False), encoding="utf-8")
        _merge_parts(run_dir)
