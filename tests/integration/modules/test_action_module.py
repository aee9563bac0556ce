"""ovhcloud.domain.domain_task_action against the simulator (scenario modules.yaml).

Tasks used: 2000 error and relaunchable, 2002 error with canRelaunch false,
2003 todo that can be accelerated and cancelled, 2004 doing that can be
neither, 2006 cancelled, 2007 error and relaunchable but an hour in todo.
"""

from __future__ import annotations

MODULE = "ovhcloud.domain.domain_task_action"
ARGUMENT_MODULE = "ovhcloud.domain.domain_task_argument"
AFNIC_VALUE = "I am the mayor of the city Example."


def posts(simulator):
    return [entry["path"] for entry in simulator.writes() if entry["method"] == "POST"]


def test_relaunch_error_task(run_module, simulator):
    outcome = run_module(MODULE, {"task_id": 2000, "action": "relaunch"})

    assert not outcome.failed, outcome.playbook.describe()
    assert outcome.changed
    task = outcome["task"]
    assert task["id"] == 2000
    assert task["changed"] is True
    assert task["action_taken"] is True
    assert task["status"] in ("todo", "doing", "done", "error")
    assert posts(simulator) == ["/me/task/domain/2000/relaunch"]
    assert len(simulator.writes()) == 1


def test_relaunch_twice_unchanged(run_module, simulator):
    first = run_module(MODULE, {"task_id": 2007, "action": "relaunch"})
    assert not first.failed, first.playbook.describe()
    simulator.clear_requests()

    second = run_module(MODULE, {"task_id": 2007, "action": "relaunch"})

    assert not second.failed, second.playbook.describe()
    assert not second.changed
    assert second["task"]["changed"] is False
    assert second["task"]["action_taken"] is False
    assert simulator.writes() == []


def test_relaunch_check_mode_sends_nothing(run_module, simulator):
    outcome = run_module(MODULE, {"task_id": 2000, "action": "relaunch"}, check=True)

    assert not outcome.failed, outcome.playbook.describe()
    assert outcome.changed
    assert outcome["task"]["action_taken"] is False
    assert simulator.writes() == []
    assert simulator.task(2000)["status"] == "error"


def test_relaunch_not_relaunchable_fails(run_module, simulator):
    outcome = run_module(MODULE, {"task_id": 2002, "action": "relaunch"})

    assert outcome.failed, outcome.playbook.describe()
    assert "2002" in outcome.msg
    assert "canRelaunch" in outcome.msg
    assert "support" in outcome.msg
    assert "Traceback" not in outcome.playbook.output
    assert simulator.writes() == []


def test_relaunch_cancelled_task_fails(run_module, simulator):
    outcome = run_module(MODULE, {"task_id": 2006, "action": "relaunch"})

    assert outcome.failed, outcome.playbook.describe()
    assert "2006" in outcome.msg
    assert "cancelled" in outcome.msg
    assert simulator.writes() == []


def test_relaunch_list_checks_all_before_writing(run_module, simulator):
    outcome = run_module(MODULE, {"task_ids": [2000, 2002], "action": "relaunch"})

    assert outcome.failed, outcome.playbook.describe()
    assert "2002" in outcome.msg
    assert simulator.writes() == []
    assert simulator.task(2000)["status"] == "error"


def test_relaunch_list(run_module, simulator):
    outcome = run_module(MODULE, {"task_ids": [2000, 2007, 2005], "action": "relaunch"})

    assert not outcome.failed, outcome.playbook.describe()
    assert outcome.changed
    assert [(task["id"], task["changed"], task["action_taken"]) for task in outcome["tasks"]] == [
        (2000, True, True),
        (2007, True, True),
        (2005, False, False),
    ]
    assert sorted(posts(simulator)) == ["/me/task/domain/2000/relaunch", "/me/task/domain/2007/relaunch"]
    assert "task" not in outcome.result


def test_relaunch_wait_until_done(run_module, simulator):
    corrected = run_module(ARGUMENT_MODULE, {"task_id": 2000, "key": "legitimacyAfnic", "value": AFNIC_VALUE})
    assert not corrected.failed, corrected.playbook.describe()

    outcome = run_module(MODULE, {"task_id": 2000, "action": "relaunch", "wait": True, "wait_timeout": 120})

    assert not outcome.failed, outcome.playbook.describe()
    assert outcome["task"]["status"] == "done"
    assert outcome["task"]["done_date"] is not None
    assert outcome.get("pending") == []
    assert simulator.task(2000)["status"] == "done"


def test_relaunch_wait_timeout_fails(run_module, simulator):
    outcome = run_module(MODULE, {"task_id": 2007, "action": "relaunch", "wait": True, "wait_timeout": 1})

    assert outcome.failed, outcome.playbook.describe()
    assert "2007" in outcome.msg
    assert "wait_timeout" in outcome.msg
    assert outcome.get("pending") == [2007]
    assert posts(simulator) == ["/me/task/domain/2007/relaunch"]


def test_relaunch_wait_timeout_tolerated(run_module, simulator):
    options = {"task_id": 2007, "action": "relaunch", "wait": True, "wait_timeout": 1, "fail_on_timeout": False}

    outcome = run_module(MODULE, options)

    assert not outcome.failed, outcome.playbook.describe()
    assert outcome.changed
    assert outcome["pending"] == [2007]
    assert outcome["task"]["status"] == "todo"


def test_accelerate_todo_task(run_module, simulator):
    outcome = run_module(MODULE, {"task_id": 2003, "action": "accelerate"})

    assert not outcome.failed, outcome.playbook.describe()
    assert outcome.changed
    assert outcome["task"]["action_taken"] is True
    assert posts(simulator) == ["/me/task/domain/2003/accelerate"]


def test_accelerate_twice_unchanged(run_module, simulator):
    first = run_module(MODULE, {"task_id": 2003, "action": "accelerate"})
    assert not first.failed, first.playbook.describe()
    simulator.clear_requests()

    second = run_module(MODULE, {"task_id": 2003, "action": "accelerate"})

    assert not second.failed, second.playbook.describe()
    assert not second.changed
    assert simulator.writes() == []


def test_accelerate_running_task_unchanged(run_module, simulator):
    outcome = run_module(MODULE, {"task_id": 2004, "action": "accelerate"})

    assert not outcome.failed, outcome.playbook.describe()
    assert not outcome.changed
    assert simulator.writes() == []


def test_accelerate_error_task_fails(run_module, simulator):
    outcome = run_module(MODULE, {"task_id": 2000, "action": "accelerate"})

    assert outcome.failed, outcome.playbook.describe()
    assert "2000" in outcome.msg
    assert "error" in outcome.msg
    assert simulator.writes() == []


def test_cancel_task(run_module, simulator):
    outcome = run_module(MODULE, {"task_id": 2003, "action": "cancel"})

    assert not outcome.failed, outcome.playbook.describe()
    assert outcome.changed
    assert posts(simulator) == ["/me/task/domain/2003/cancel"]
    assert simulator.task(2003)["status"] == "cancelled"


def test_cancel_twice_unchanged(run_module, simulator):
    first = run_module(MODULE, {"task_id": 2003, "action": "cancel"})
    assert not first.failed, first.playbook.describe()
    simulator.clear_requests()

    second = run_module(MODULE, {"task_id": 2003, "action": "cancel"})

    assert not second.failed, second.playbook.describe()
    assert not second.changed
    assert simulator.writes() == []


def test_cancel_not_cancellable_fails(run_module, simulator):
    outcome = run_module(MODULE, {"task_id": 2004, "action": "cancel"})

    assert outcome.failed, outcome.playbook.describe()
    assert "2004" in outcome.msg
    assert "canCancel" in outcome.msg
    assert "Traceback" not in outcome.playbook.output
    assert simulator.writes() == []


def test_action_unknown_task_id(run_module, simulator):
    outcome = run_module(MODULE, {"task_id": 9999, "action": "relaunch"})

    assert outcome.failed, outcome.playbook.describe()
    assert "9999" in outcome.msg
    assert "Traceback" not in outcome.playbook.output
    assert simulator.writes() == []


def test_relaunch_after_clock_advance_unchanged(run_module, simulator):
    first = run_module(MODULE, {"task_id": 2007, "action": "relaunch"})
    assert not first.failed, first.playbook.describe()

    # Task 2007 spends an hour in todo after a relaunch; skip that hour.
    simulator.advance(7200)
    assert simulator.task(2007)["status"] == "done"
    simulator.clear_requests()

    second = run_module(MODULE, {"task_id": 2007, "action": "relaunch"})

    assert not second.failed, second.playbook.describe()
    assert not second.changed
    assert second["task"]["status"] == "done"
    assert simulator.writes() == []
