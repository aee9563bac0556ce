"""Two runs of playbooks/fix_and_relaunch.yml started together against one
simulator on the demo scenario, as two AWX jobs launched at the same time.

Task 1000 needs its legitimacyAfnic correction and a relaunch. Whatever the
order of the two runs' requests, the simulator must accept one relaunch of
it and neither run may fail. Both reports must list it under `relaunched`,
one with the new value as reason and the other as already relaunched.

Fault rules with a delay but no error fix the interleaving, so that each
test is deterministic:

- both runs write: every argument PUT waits 3 s before the API processes
  it, so each run reads the argument before either write lands, and both
  runs write the same value and go on to relaunch;
- the second run finds the value written: both listings pass, then the
  first run to read the argument again waits 4 s, during which the other run
  writes the value and relaunches the task.
"""

from __future__ import annotations

import threading

import pytest

from reliability_testlib import DEMO_SCENARIO, ROLE_PLAYBOOK, Entry, add_faults, demo_correction, role_report

TASK = 1000
VALUE = demo_correction()
ARGUMENT_PATH = f"/me/task/domain/{TASK}/argument/legitimacyAfnic"
RELAUNCH_PATH = f"/me/task/domain/{TASK}/relaunch"
ALREADY_RELAUNCHED = "already relaunched"


def run_together(run_playbook, envs: list[dict]) -> list:
    """Start one ansible-playbook run per environment at the same moment and return their results."""
    barrier = threading.Barrier(len(envs))
    results: list = [None] * len(envs)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = run_playbook(ROLE_PLAYBOOK, envs[index], extra_args=("-v",))
        except BaseException as error:  # noqa: BLE001 - raised again in the test thread below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(envs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


def check_race(simulator, runs: list, collector, scenario: str, rules: list[dict]) -> None:
    log = simulator.requests()
    accepted_relaunches = [entry for entry in log
                           if entry["method"] == "POST" and entry["path"] == RELAUNCH_PATH and entry["status"] == 200]
    rejected_relaunches = [entry for entry in log
                           if entry["method"] == "POST" and entry["path"] == RELAUNCH_PATH and entry["status"] != 200]
    puts = [entry for entry in log if entry["method"] == "PUT"]
    other_writes = [entry for entry in log
                    if entry["method"] in ("POST", "PUT", "DELETE") and entry["path"] not in (ARGUMENT_PATH, RELAUNCH_PATH)]
    argument = simulator.argument(TASK, "legitimacyAfnic")["value"]
    status = simulator.task(TASK)["status"]
    reports = [role_report(run) for run in runs]
    relaunched_entries = [
        [entry for entry in (report or {}).get("relaunched", []) if entry["id"] == TASK] for report in reports
    ]
    reasons = [entries[0]["reason"] if entries else None for entries in relaunched_entries]
    succeeded = all(run.rc == 0 for run in runs)

    collector.add(Entry(
        scenario=f"concurrency/{scenario}",
        category="concurrency",
        outcome="succeeded" if succeeded else "failed",
        runs=len(runs),
        writes_expected=2 if succeeded else 0,
        writes_applied=int(argument == VALUE) + int(len(accepted_relaunches) >= 1),
        writes_lost=int(succeeded and (argument != VALUE or not accepted_relaunches)),
        writes_duplicated=int(len(accepted_relaunches) > 1),
        details={"rules": rules, "argument_puts": len(puts), "accepted_relaunches": len(accepted_relaunches),
                 "rejected_relaunches": len(rejected_relaunches), "reasons": reasons},
    ))

    context = "\n\n".join(run.describe() for run in runs)
    assert succeeded, context
    assert len(accepted_relaunches) == 1, context
    assert not other_writes, context
    assert argument == VALUE, context
    assert status == "done", context
    # Each run reports the task under relaunched, and exactly one reports that another run did it.
    assert all(relaunched_entries), f"reasons: {reasons}\n{context}"
    assert sum(1 for reason in reasons if ALREADY_RELAUNCHED in reason) == 1, f"reasons: {reasons}\n{context}"
    for report in reports:
        assert not [entry for entry in report["needs_input"] if entry["id"] == TASK], context
        assert not [entry for entry in report["still_failing"] if entry["id"] == TASK], context


def test_concurrent_runs_both_write(simulator_factory, env_for, run_playbook, collector):
    simulator = simulator_factory(DEMO_SCENARIO)
    rules = [{"method": "PUT", "path": "/me/task/domain/*/argument/*", "fault": "latency", "seconds": 3,
              "times": None}]
    add_faults(simulator, rules)

    runs = run_together(run_playbook, [env_for(simulator), env_for(simulator)])

    check_race(simulator, runs, collector, "both-runs-write", rules)


def test_concurrent_runs_second_sees_value(simulator_factory, env_for, run_playbook, collector):
    simulator = simulator_factory(DEMO_SCENARIO)
    rules = [
        # The two listings read the argument without delay...
        {"method": "GET", "path": ARGUMENT_PATH, "fault": "latency", "seconds": 0, "times": 2},
        # ...then the first run to read it before writing waits while the other run writes and relaunches.
        {"method": "GET", "path": ARGUMENT_PATH, "fault": "latency", "seconds": 4, "times": 1},
    ]
    add_faults(simulator, rules)

    runs = run_together(run_playbook, [env_for(simulator), env_for(simulator)])

    check_race(simulator, runs, collector, "second-run-sees-value", rules)
