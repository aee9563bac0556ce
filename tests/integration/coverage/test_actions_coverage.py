"""domain_task_action: every action through both route families, and waiting.

One scripted run on the kinds scenario plus scenarios/coverage.yaml checks
accelerate, cancel and relaunch through /me/task/domain, through
/domain/{serviceName}/task chosen explicitly, and through the fallback of
scoped-consumer-key; then the wait: a timeout that reports the last status
and comment, and a todo task due in 2099 that is polled rarely. A second run
rewrites four waited-for tasks to done, cancelled, error and problem while
the module waits, to check that each final status ends the wait.
"""

from __future__ import annotations

import threading
import time

import pytest
import yaml

from coverage_testlib import (
    SCOPED_CONSUMER_KEY,
    Script,
    assert_no_violations,
    coverage_scenario,
    module_call,
    play_script,
    playbook_record,
    schema_violations,
    with_task_changes,
    write_scenario,
)

MODULE = "ovhcloud.domain.domain_task_action"
SCOPED = {"consumer_key": SCOPED_CONSUMER_KEY, "domain": "example.net"}
POLL_OPTIONS = {"wait": True, "wait_timeout": 5, "wait_max_interval": 30, "fail_on_timeout": False}

STEPS = [
    # /me/task/domain
    ("accelerate todo task", {"task_id": 5003, "action": "accelerate"}),
    ("accelerate again", {"task_id": 5003, "action": "accelerate"}),
    ("accelerate without canAccelerate", {"task_id": 5004, "action": "accelerate"}),
    ("accelerate error task", {"task_id": 3000, "action": "accelerate"}),
    ("cancel in check mode", {"task_id": 5004, "action": "cancel"}, {"check": True}),
    ("cancel todo task", {"task_id": 5004, "action": "cancel"}),
    ("cancel again", {"task_id": 5004, "action": "cancel"}),
    ("cancel without canCancel", {"task_id": 3000, "action": "cancel"}),
    ("cancel error task and wait", {"task_id": 3005, "action": "cancel", "wait": True, "wait_timeout": 30}),
    ("relaunch problem task and wait", {"task_id": 3008, "action": "relaunch", "wait": True, "wait_timeout": 30}),
    ("relaunch problem task again", {"task_id": 3008, "action": "relaunch"}),
    ("relaunch rejected value and wait", {"task_id": 5014, "action": "relaunch", "wait": True, "wait_timeout": 30}),
    ("relaunch cancelled task", {"task_id": 3009, "action": "relaunch"}),
    # /domain/{serviceName}/task
    (
        "accelerate through domain family",
        {"task_id": 5012, "action": "accelerate", "api_family": "domain", "domain": ["example.net"]},
    ),
    (
        "accelerate through domain family again",
        {"task_id": 5012, "action": "accelerate", "api_family": "domain", "domain": ["example.net"]},
    ),
    (
        "relaunch idn through domain family",
        {"task_id": 3000, "action": "relaunch", "api_family": "domain", "domain": ["café.fr"]},
    ),
    (
        "domain family with wrong domain",
        {"task_id": 3006, "action": "relaunch", "api_family": "domain", "domain": ["example.net"]},
    ),
    ("cancel with scoped key", dict(SCOPED, task_id=5013, action="cancel")),
    ("cancel with scoped key again", dict(SCOPED, task_id=5013, action="cancel")),
    ("relaunch with scoped key and wait", dict(SCOPED, task_id=3007, action="relaunch", wait=True, wait_timeout=30)),
    ("relaunch with scoped key again", dict(SCOPED, task_id=3007, action="relaunch")),
    ("scoped key without domain", {"consumer_key": SCOPED_CONSUMER_KEY, "task_id": 3006, "action": "relaunch"}),
    # waiting
    ("wait times out", {"task_id": 5007, "action": "relaunch", "wait": True, "wait_timeout": 2}),
    ("wait on task due in 2099", dict(POLL_OPTIONS, task_id=5005, action="relaunch")),
    ("wait on task due now", dict(POLL_OPTIONS, task_id=5006, action="relaunch")),
    (
        "wait with max interval 0",
        dict(POLL_OPTIONS, task_id=5006, action="relaunch", wait_timeout=2, wait_max_interval=0),
    ),
    (
        "wait with negative max interval",
        dict(POLL_OPTIONS, task_id=5006, action="relaunch", wait_timeout=2, wait_max_interval=-1),
    ),
]

NO_WRITE_STEPS = [
    "accelerate again",
    "accelerate without canAccelerate",
    "accelerate error task",
    "cancel in check mode",
    "cancel again",
    "cancel without canCancel",
    "relaunch problem task again",
    "relaunch cancelled task",
    "accelerate through domain family again",
    "domain family with wrong domain",
    "cancel with scoped key again",
    "relaunch with scoped key again",
    "scoped key without domain",
    "wait times out",
    "wait on task due in 2099",
    "wait on task due now",
    "wait with max interval 0",
    "wait with negative max interval",
]

UNCHANGED_STEPS = [
    "accelerate again",
    "accelerate without canAccelerate",
    "cancel again",
    "relaunch problem task again",
    "accelerate through domain family again",
    "cancel with scoped key again",
    "relaunch with scoped key again",
]

# (step name, the only write expected)
WRITE_STEPS = [
    ("accelerate todo task", "POST /me/task/domain/5003/accelerate"),
    ("cancel todo task", "POST /me/task/domain/5004/cancel"),
    ("cancel error task and wait", "POST /me/task/domain/3005/cancel"),
    ("relaunch problem task and wait", "POST /me/task/domain/3008/relaunch"),
    ("relaunch rejected value and wait", "POST /me/task/domain/5014/relaunch"),
    ("accelerate through domain family", "POST /domain/example.net/task/5012/accelerate"),
    ("relaunch idn through domain family", "POST /domain/xn--caf-dma.fr/task/3000/relaunch"),
    ("cancel with scoped key", "POST /domain/example.net/task/5013/cancel"),
    ("relaunch with scoped key and wait", "POST /domain/example.net/task/3007/relaunch"),
]

# (step name, text the failure message must contain)
FAILING_STEPS = [
    ("accelerate error task", "only a task waiting in todo can be accelerated"),
    ("cancel without canCancel", "canCancel is false"),
    ("relaunch cancelled task", "a cancelled task cannot be restarted"),
    ("domain family with wrong domain", "3006"),
    ("scoped key without domain", "add an access rule"),
    ("wait times out", "Timed out after 2 s"),
]


def produce(harness, directory):
    simulator = harness.start_simulator(coverage_scenario(), directory / "simulator")
    try:
        steps = [module_call(name, MODULE, options, **(flags[0] if flags else {})) for name, options, *flags in STEPS]
        record = play_script(harness, simulator, steps, directory)
        record["state"] = simulator.state()
        record["violations"] = schema_violations(simulator)
        return record
    finally:
        simulator.stop()


@pytest.fixture
def actions(shared_outcome, harness) -> Script:
    return Script(shared_outcome("actions", lambda directory: produce(harness, directory)))


def task_of(actions, name):
    return actions.result(name)["task"]


@pytest.mark.parametrize(("name", "expected"), WRITE_STEPS, ids=[step[0] for step in WRITE_STEPS])
def test_action_sends_one_post(actions, name, expected):
    assert not actions.failed(name), actions.result(name)
    assert actions.writes(name) == [expected]
    assert task_of(actions, name)["changed"] is True
    assert task_of(actions, name)["action_taken"] is True


@pytest.mark.parametrize("name", NO_WRITE_STEPS)
def test_action_sends_no_write(actions, name):
    assert actions.writes(name) == []


@pytest.mark.parametrize("name", UNCHANGED_STEPS)
def test_action_unchanged(actions, name):
    assert not actions.failed(name), actions.result(name)
    assert actions.result(name)["changed"] is False
    assert task_of(actions, name)["action_taken"] is False


@pytest.mark.parametrize(("name", "expected"), FAILING_STEPS, ids=[step[0] for step in FAILING_STEPS])
def test_action_fails(actions, name, expected):
    assert actions.failed(name)
    assert expected in actions.msg(name)


def test_accelerate_clears_flag(actions):
    task = task_of(actions, "accelerate todo task")

    assert task["can_accelerate"] is False
    assert task["status"] in ("todo", "doing", "done")


def test_cancel_check_mode_reports_change(actions):
    assert actions.result("cancel in check mode")["changed"] is True
    assert task_of(actions, "cancel in check mode")["action_taken"] is False


def test_cancel_reaches_cancelled(actions):
    assert task_of(actions, "cancel todo task")["status"] == "cancelled"
    assert task_of(actions, "cancel with scoped key")["status"] == "cancelled"


# Each final status ends a wait: done, cancelled and error here, problem in the
# rewrite test below.


def test_wait_ends_on_cancelled(actions):
    result = actions.result("cancel error task and wait")

    assert result["task"]["status"] == "cancelled"
    assert result["pending"] == []


def test_wait_ends_on_done(actions):
    result = actions.result("relaunch problem task and wait")

    assert result["task"]["status"] == "done"
    assert result["pending"] == []


def test_wait_ends_on_error(actions):
    result = actions.result("relaunch rejected value and wait")

    assert not actions.failed("relaunch rejected value and wait"), result
    assert result["task"]["status"] == "error"
    assert result["task"]["comment"] == "The registry rejected the DS record again"
    assert result["pending"] == []


def test_domain_family_reported(actions):
    for name in (
        "accelerate through domain family",
        "relaunch idn through domain family",
        "cancel with scoped key",
        "relaunch with scoped key and wait",
    ):
        assert task_of(actions, name)["api_family"] == "domain", name
    assert task_of(actions, "accelerate todo task")["api_family"] == "me"


def test_scoped_key_tries_me_family_first(actions):
    statuses = [
        (entry["path"], entry["status"])
        for entry in actions.requests("cancel with scoped key")
        if entry["path"].startswith("/me/")
    ]

    assert statuses == [("/me/task/domain/5013", 403)]


def test_scoped_relaunch_waits_until_done(actions):
    result = actions.result("relaunch with scoped key and wait")

    assert result["task"]["status"] == "done"
    assert result["pending"] == []
    assert all(
        entry["path"].startswith(("/domain/example.net/task/3007", "/me/task/domain/3007", "/auth/time"))
        for entry in actions.requests("relaunch with scoped key and wait")
    )


def test_scoped_key_without_domain_names_rule(actions):
    message = actions.msg("scoped key without domain")

    assert "NOT_GRANTED_CALL" in message
    assert "GET /me/task/domain/*" in message


def test_timeout_reports_last_status_and_comment(actions):
    message = actions.msg("wait times out")
    result = actions.result("wait times out")

    assert "task 5007 (DomainHostUpdate slow-example.org) in doing (Waiting for the registry to answer)" in message
    assert result["pending"] == [5007]
    assert result["task"]["status"] == "doing"
    assert result["task"]["comment"] == "Waiting for the registry to answer"


def gets_of(actions, name, task_id):
    return [
        entry
        for entry in actions.requests(name)
        if entry["method"] == "GET" and entry["path"] == f"/me/task/domain/{task_id}"
    ]


def test_wait_respects_far_todo_date(actions):
    """With todoDate in 2099 and wait_max_interval 30, a 5 s wait polls at its start and end only."""
    result = actions.result("wait on task due in 2099")

    assert result["pending"] == [5005]
    assert result["elapsed"] >= 4.5
    # One read to decide on the action, then the first and the last poll.
    assert len(gets_of(actions, "wait on task due in 2099", 5005)) <= 3


def test_wait_polls_task_due_now_often(actions):
    """The same wait on a task already due polls at the normal pace: the rare polls above come from todoDate."""
    result = actions.result("wait on task due now")

    assert result["pending"] == [5006]
    assert len(gets_of(actions, "wait on task due now", 5006)) >= 4


def test_wait_max_interval_zero_does_not_flood(actions):
    """A zero wait_max_interval must be refused or raised to a sane pause, not poll without pause."""
    name = "wait with max interval 0"

    assert len(gets_of(actions, name, 5006)) <= 6, f"{len(gets_of(actions, name, 5006))} reads of task 5006 in 2 s"


def test_wait_negative_max_interval_rejected(actions):
    name = "wait with negative max interval"

    assert actions.failed(name)
    assert "wait_max_interval" in actions.msg(name)


def test_actions_leave_other_tasks(actions):
    statuses = {task["id"]: task["status"] for task in actions.record["state"]["tasks"]}

    assert statuses[3001] == "error"
    assert statuses[3006] == "error"
    assert statuses[5013] == "cancelled"
    assert statuses[3000] in ("todo", "doing", "error")


def test_action_responses_match_schema(actions):
    assert_no_violations(actions.record["violations"])


# ---------------------------------------------------------------------------
# Every final status ends the wait
# ---------------------------------------------------------------------------

WAITED_IDS = [5008, 5009, 5010, 5011]
FINAL_CHANGES = {
    5008: {"status": "done", "doneDate": "2024-04-04T10:10:00+02:00"},
    5009: {"status": "cancelled", "doneDate": "2024-04-04T10:10:00+02:00"},
    5010: {"status": "error", "comment": "The registry refused the contact update", "canRelaunch": True},
    5011: {"status": "problem", "comment": "The renewal order stalled at the registry", "canRelaunch": True},
}
WAIT_STEP = "wait for four tasks"
POLLS_BEFORE_REWRITE = 2
REWRITE_DEADLINE = 60.0


def produce_final_statuses(harness, directory):
    """Wait on four tasks in doing, and rewrite them to the four final statuses once the module polls."""
    scenario = coverage_scenario()
    simulator = harness.start_simulator(scenario, directory / "simulator")
    try:
        env = harness.ansible_env(directory / "ansible", simulator)
        play = [
            {
                "name": "Wait for four tasks",
                "hosts": "localhost",
                "gather_facts": False,
                "tasks": [
                    module_call(
                        WAIT_STEP,
                        MODULE,
                        {"task_ids": WAITED_IDS, "action": "relaunch", "wait": True, "wait_timeout": 60},
                    ),
                ],
            }
        ]
        outcome = {}
        runner = threading.Thread(
            target=lambda: outcome.update(
                playbook=harness.run_playbook(
                    yaml.safe_dump(play, sort_keys=False), env, work_dir=directory / "playbooks"
                )
            )
        )
        runner.start()

        # The module reads each task once to decide, then polls: after its second
        # read of the last task, the wait has started.
        deadline = time.monotonic() + REWRITE_DEADLINE
        before = []
        while runner.is_alive() and time.monotonic() < deadline:
            before = simulator.requests()
            reads = [entry for entry in before if entry["path"] == f"/me/task/domain/{WAITED_IDS[-1]}"]
            if len(reads) >= POLLS_BEFORE_REWRITE:
                break
            time.sleep(0.1)
        write_scenario(with_task_changes(scenario, FINAL_CHANGES), simulator.scenario)
        simulator.reset()
        runner.join()

        return {
            "playbook": playbook_record(outcome["playbook"]),
            "requests_before_rewrite": before,
            "requests_after_rewrite": simulator.requests(),
            "violations": schema_violations(simulator),
        }
    finally:
        simulator.stop()


@pytest.fixture
def final_statuses(shared_outcome, harness) -> dict:
    return shared_outcome("final-statuses", lambda directory: produce_final_statuses(harness, directory))


def wait_result(final_statuses) -> dict:
    return Script(final_statuses).result(WAIT_STEP)


def test_wait_ends_on_every_final_status(final_statuses):
    result = wait_result(final_statuses)

    assert not Script(final_statuses).failed(WAIT_STEP), result
    assert [(task["id"], task["status"]) for task in result["tasks"]] == [
        (5008, "done"),
        (5009, "cancelled"),
        (5010, "error"),
        (5011, "problem"),
    ]
    assert result["pending"] == []


def test_wait_on_final_statuses_sends_nothing(final_statuses):
    requests = final_statuses["requests_before_rewrite"] + final_statuses["requests_after_rewrite"]

    assert [entry for entry in requests if entry["method"] != "GET"] == []
    assert wait_result(final_statuses)["changed"] is False


def test_wait_started_before_rewrite(final_statuses):
    """The statuses changed during the wait, not before the module first read them."""
    reads = [entry for entry in final_statuses["requests_before_rewrite"] if entry["path"] == "/me/task/domain/5011"]

    assert len(reads) >= POLLS_BEFORE_REWRITE
    assert wait_result(final_statuses)["elapsed"] < 60


def test_wait_reads_server_time_once(final_statuses):
    """The client caches the API clock offset, so one module run reads /auth/time once, even with parallel reads."""
    reads = [entry for entry in final_statuses["requests_before_rewrite"] if entry["path"] == "/auth/time"]

    assert len(reads) == 1


def test_final_status_responses_match_schema(final_statuses):
    assert_no_violations(final_statuses["violations"])
