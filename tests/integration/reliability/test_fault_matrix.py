"""Fault matrix: every fault the simulator injects, transient and persistent,
against the reads and the writes of each module and of the fix_and_relaunch
role.

For each row the test checks:

- the outcome: a transient fault is absorbed, and a persistent one fails the
  run, except the write faults after which the write is known to be applied;
- the simulator state: nothing lost, so the value is set and the task
  relaunched when the run reports success;
- the request log: nothing done twice, so at most one processed PUT or POST
  per target, not counting requests a fault stopped before processing;
- the retries shown at -v, and the message of a failed run, which names the
  call and the cause and has no traceback.

The module rows use the scenario scenarios/reliability.yaml and task 5000.
The role rows run playbooks/fix_and_relaunch.yml on the demo scenario, where
task 1000 gets its legitimacyAfnic correction and is relaunched. The latency
rows run the same play with a 2-second timeout, because the role passes no
timeout of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from reliability_testlib import (
    DEMO_SCENARIO,
    LATENCY_SECONDS,
    MODULE_TIMEOUT,
    ROLE_PLAYBOOK,
    SCENARIO,
    SHORT_TIMEOUT_PLAYBOOK,
    TASK_NAME,
    Entry,
    add_faults,
    crashed,
    demo_correction,
    module_play,
    processed_writes,
    role_report,
    wait_for_delayed_requests,
)

FAULTS = ("latency", "http_error", "rate_limit", "drop", "empty_body", "lost_response")

MODULE_TASK = 5000
MODULE_VALUE = "Nous créons le site de l'association « Été 2024 », 12 rue d'Italie."
ARGUMENT_PATH = f"/me/task/domain/{MODULE_TASK}/argument/legitimacyAfnic"
RELAUNCH_PATH = f"/me/task/domain/{MODULE_TASK}/relaunch"

ROLE_TASK = 1000
ROLE_VALUE = demo_correction()
ROLE_ARGUMENT_PATH = f"/me/task/domain/{ROLE_TASK}/argument/legitimacyAfnic"
ROLE_RELAUNCH_PATH = f"/me/task/domain/{ROLE_TASK}/relaunch"

ARGUMENT_ROUTES = "/me/task/domain/*/argument/*"
RELAUNCH_ROUTES = "/me/task/domain/*/relaunch"

# What a failed run's message must contain for each persistent fault.
FAILURE_WORDS = {
    "latency": "timed out",
    "http_error": "HTTP 503",
    "rate_limit": "HTTP 429",
    "drop": "Could not get an answer",
    "empty_body": "empty answer",
    "lost_response": "Could not get an answer",
}

@dataclass(frozen=True)
class Call:
    """A route family that a fault rule hits, and the status of its http_error rule."""

    method: str
    path: str
    status: int = 502


@dataclass(frozen=True)
class Row:
    target: str  # info, argument, action or role
    side: str  # read or write
    fault: str
    persistent: bool

    @property
    def id(self) -> str:
        return f"{self.target}-{self.side}-{self.fault}-{'persistent' if self.persistent else 'transient'}"

    @property
    def expect_success(self) -> bool:
        # After a lost reply or an empty body the write is applied, and the
        # module finds it applied when it reads the resource again. A write that
        # times out because the API is slow lands late, and the module reads the
        # resource until it shows the write.
        return not self.persistent or (
            self.side == "write" and self.fault in ("empty_body", "lost_response", "latency"))

    @property
    def expect_retries(self) -> bool:
        # An empty body in reply to a write is a void reply, so success without a retry.
        return not (self.side == "write" and self.fault == "empty_body")


def calls_of(row: Row) -> list[Call]:
    """Return the calls the row's fault hits."""
    if row.side == "read":
        paths = {
            "info": "/me/task/domain*",
            "argument": "/me/task/domain/*/argument*",
            "action": "/me/task/domain/*",
            "role": "/me/task/domain*",
        }
        return [Call("GET", paths[row.target])]
    if row.target == "argument":
        return [Call("PUT", ARGUMENT_ROUTES, 502)]
    if row.target == "action":
        return [Call("POST", RELAUNCH_ROUTES, 503)]
    if row.persistent:
        # A persistent fault on the argument write would stop the role before
        # the relaunch, so it hits the relaunch alone.
        return [Call("POST", RELAUNCH_ROUTES)]
    return [Call("PUT", ARGUMENT_ROUTES, 504), Call("POST", RELAUNCH_ROUTES, 502)]


def fault_rules(row: Row) -> list[dict]:
    """Return the simulator fault rules of a row."""
    times = None if row.persistent else 1
    rules = []
    for call in calls_of(row):
        base = {"method": call.method, "path": call.path}
        if row.fault == "latency":
            rules.append({**base, "fault": "latency", "seconds": LATENCY_SECONDS, "times": times})
        elif row.fault == "http_error" and row.persistent:
            rules.append({**base, "fault": "http_error", "status": 503, "times": None})
        elif row.fault == "http_error" and call.method == "GET":
            # Three load-balancer pages in a row, one of each status, all within the retry budget.
            rules.extend({**base, "fault": "http_error", "status": status, "times": 1} for status in (502, 503, 504))
        elif row.fault == "http_error":
            # A write is sent again at most once, so one page per write.
            rules.append({**base, "fault": "http_error", "status": call.status, "times": 1})
        elif row.fault == "rate_limit":
            rules.append({**base, "fault": "rate_limit", "retry_after": 1, "times": None if row.persistent else 2})
        else:
            rules.append({**base, "fault": row.fault, "times": times})
    return rules


def rows() -> list:
    params = []
    sides = {"info": ("read",), "argument": ("read", "write"), "action": ("read", "write"), "role": ("read", "write")}
    for target, target_sides in sides.items():
        for side in target_sides:
            for fault in FAULTS:
                for persistent in (False, True):
                    row = Row(target, side, fault, persistent)
                    params.append(pytest.param(row, id=row.id))
    return params


@dataclass
class Outcome:
    succeeded: bool
    message: str
    result: dict
    output: str
    report: dict | None
    tasks: list[dict]
    describe: str


def run_module_row(row: Row, env, run_playbook) -> Outcome:
    module, args = {
        "info": ("ovhcloud.domain.domain_task_info", {"status": "error", "arguments": True}),
        "argument": ("ovhcloud.domain.domain_task_argument",
                     {"task_id": MODULE_TASK, "key": "legitimacyAfnic", "value": MODULE_VALUE}),
        "action": ("ovhcloud.domain.domain_task_action", {"task_id": MODULE_TASK, "action": "relaunch"}),
    }[row.target]
    playbook = run_playbook(module_play(module, dict(args, timeout=MODULE_TIMEOUT)), env, extra_args=("-v",))
    entry = playbook.entry(TASK_NAME)
    return Outcome(
        succeeded=entry["status"] == "ok",
        message=str(entry["result"].get("msg", "")),
        result=entry["result"],
        output=playbook.output,
        report=None,
        tasks=playbook.tasks,
        describe=playbook.describe(),
    )


def run_role_row(row: Row, env, run_playbook) -> Outcome:
    playbook_path = SHORT_TIMEOUT_PLAYBOOK if row.fault == "latency" else ROLE_PLAYBOOK
    playbook = run_playbook(playbook_path, env, extra_args=("-v", "-e", "fix_and_relaunch_wait=false"))
    failed = [entry for entry in playbook.tasks if entry["status"] == "failed"]
    relaunch = [entry for entry in playbook.tasks if entry["action"] == "ovhcloud.domain.domain_task_action"]
    return Outcome(
        succeeded=playbook.rc == 0,
        message=str(failed[-1]["result"].get("msg", "")) if failed else "",
        result=relaunch[-1]["result"] if relaunch else {},
        output=playbook.output,
        report=role_report(playbook),
        tasks=playbook.tasks,
        describe=playbook.describe(),
    )


def expected_writes(row: Row) -> set[tuple[str, str]]:
    return {
        "info": set(),
        "argument": {("PUT", ARGUMENT_PATH)},
        "action": {("POST", RELAUNCH_PATH)},
        "role": {("PUT", ROLE_ARGUMENT_PATH), ("POST", ROLE_RELAUNCH_PATH)},
    }[row.target]


def applied_writes(row: Row, simulator) -> set[tuple[str, str]]:
    """Return the expected write targets whose effect the simulator state shows."""
    applied = set()
    if row.target == "argument":
        if simulator.argument(MODULE_TASK, "legitimacyAfnic")["value"] == MODULE_VALUE:
            applied.add(("PUT", ARGUMENT_PATH))
    elif row.target == "action":
        if simulator.task(MODULE_TASK)["status"] != "error":
            applied.add(("POST", RELAUNCH_PATH))
    elif row.target == "role":
        if simulator.argument(ROLE_TASK, "legitimacyAfnic")["value"] == ROLE_VALUE:
            applied.add(("PUT", ROLE_ARGUMENT_PATH))
        if simulator.task(ROLE_TASK)["status"] != "error":
            applied.add(("POST", ROLE_RELAUNCH_PATH))
    return applied


def failing_call(row: Row) -> str:
    """Return the start of the call a failed run's message must name."""
    if row.side == "read":
        return "GET /me/task/domain"
    if row.target == "argument":
        return f"PUT {ARGUMENT_PATH}"
    if row.target == "action":
        return f"POST {RELAUNCH_PATH}"
    return f"POST {ROLE_RELAUNCH_PATH}"


@pytest.mark.parametrize("row", rows())
def test_fault(row: Row, simulator_factory, env_for, run_playbook, collector):
    simulator = simulator_factory(DEMO_SCENARIO if row.target == "role" else SCENARIO)
    env = env_for(simulator)
    add_faults(simulator, fault_rules(row))

    if row.target == "role":
        outcome = run_role_row(row, env, run_playbook)
    else:
        outcome = run_module_row(row, env, run_playbook)
    if row.fault == "latency":
        wait_for_delayed_requests(simulator)

    log = simulator.requests()
    counts = processed_writes(log)
    expected = expected_writes(row)
    applied = applied_writes(row, simulator)
    duplicated = sorted(target for target, count in counts.items() if count > 1)
    lost = sorted(expected - applied) if outcome.succeeded else []
    collector.add(Entry(
        scenario=f"fault_matrix/{row.id}",
        category="fault_matrix",
        outcome="succeeded" if outcome.succeeded else "failed",
        runs=1,
        writes_expected=len(expected) if outcome.succeeded else 0,
        writes_applied=len(applied),
        writes_lost=len(lost),
        writes_duplicated=len(duplicated),
        details={"target": row.target, "side": row.side, "fault": row.fault, "persistent": row.persistent,
                 "rules": fault_rules(row), "processed_writes": {f"{m} {p}": n for (m, p), n in counts.items()},
                 "message": outcome.message},
    ))
    context = f"{outcome.describe}\nrequest log: {[(e['method'], e['path'], e['status'], e['fault']) for e in log]}"

    assert outcome.succeeded == row.expect_success, context
    assert not duplicated, f"targets written more than once: {duplicated}\n{context}"
    assert set(counts) <= expected, f"unexpected writes: {sorted(set(counts) - expected)}\n{context}"
    assert "Traceback" not in outcome.output, context
    assert "MODULE FAILURE" not in outcome.output, context
    assert not any(crashed(entry["result"]) for entry in outcome.tasks), context

    if outcome.succeeded:
        assert not lost, f"the run succeeded but these writes are not applied: {lost}\n{context}"
        assert all(counts.get(target) == 1 for target in expected), context
        if row.target == "role":
            relaunched = [entry["id"] for entry in outcome.report["relaunched"]]
            assert relaunched == [ROLE_TASK], context
            # The listing and the argument write run with no_log, but the relaunch shows its retries.
            if row.side == "write" and row.expect_retries:
                assert outcome.result.get("api_retries"), context
        elif row.expect_retries:
            assert outcome.result.get("api_retries"), context
            # At -v the default callback prints the result, retries included.
            assert "api_retries" in outcome.output, context
    else:
        assert failing_call(row) in outcome.message, context
        assert FAILURE_WORDS[row.fault] in outcome.message, context
        assert "\n" not in outcome.message, context
