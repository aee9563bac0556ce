"""The real playbook playbooks/fix_and_relaunch.yml against the simulator
running the demo scenario (simulator/scenarios/guide.yaml).

The sequence runs once per module, on one simulator: check mode, apply,
apply again, check mode again. The request log is read and cleared after
each run, so each test checks the writes of one run.

In the demo scenario, the correction of playbooks/corrections.example.yml
fixes task 1000 (DomainCreate example.fr, error), which is then relaunched.
Task 1001 (DomainIncomingTransfer, error, canRelaunch false) needs support.
Task 1002 (error) has an argument that the corrections do not supply, so it
needs input. The other tasks are not in error and must not be touched.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

FIXED_TASK = 1000
SUPPORT_TASK = 1001
INPUT_TASK = 1002
AFNIC_PATH = f"/me/task/domain/{FIXED_TASK}/argument/legitimacyAfnic"
RELAUNCH_PATH = f"/me/task/domain/{FIXED_TASK}/relaunch"


@dataclass
class Run:
    """One ansible-playbook run and the simulator requests it made."""

    playbook: object
    requests: list[dict]

    @property
    def writes(self) -> list[dict]:
        return [entry for entry in self.requests if entry["method"] in ("POST", "PUT", "DELETE")]

    def report(self) -> dict:
        """Return the fix_and_relaunch_report fact of the run (the last one set)."""
        report = None
        for entry in self.playbook.tasks:
            result = entry["result"]
            if "fix_and_relaunch_report" in result:
                report = result["fix_and_relaunch_report"]
            facts = result.get("ansible_facts") or {}
            if "fix_and_relaunch_report" in facts:
                report = facts["fix_and_relaunch_report"]
        assert report is not None, f"no fix_and_relaunch_report in the results\n{self.playbook.describe()}"
        return report


@dataclass
class Sequence:
    check: Run
    first: Run
    second: Run
    check_again: Run
    state_after_first: dict
    input_arguments: list[dict]


@pytest.fixture(scope="module")
def sequence(harness, tmp_path_factory, request, repo_root):
    directory = tmp_path_factory.mktemp("fix-and-relaunch")
    simulator = harness.start_simulator(repo_root / "simulator" / "scenarios" / "guide.yaml", directory / "simulator")
    request.addfinalizer(simulator.stop)
    env = harness.ansible_env(directory / "ansible", simulator)
    playbook = repo_root / "playbooks" / "fix_and_relaunch.yml"

    # The API's own view of task 1002's arguments, to compare with the report.
    input_arguments = simulator.task(INPUT_TASK).get("arguments") or []

    def run(check: bool) -> Run:
        simulator.clear_requests()
        result = harness.run_playbook(playbook, env, check=check, work_dir=directory / "playbooks")
        return Run(playbook=result, requests=simulator.requests())

    check = run(check=True)
    first = run(check=False)
    state_after_first = simulator.state()
    second = run(check=False)
    check_again = run(check=True)
    return Sequence(check, first, second, check_again, state_after_first, input_arguments)


def task_in(state: dict, task_id: int) -> dict:
    return next(task for task in state["tasks"] if task["id"] == task_id)


def ids(items: list[dict]) -> list[int]:
    return [item["id"] for item in items]


# Check mode before any change.


def test_check_mode_succeeds(sequence):
    assert sequence.check.playbook.rc == 0, sequence.check.playbook.describe()


def test_check_mode_sends_no_write(sequence):
    assert sequence.check.writes == []


def test_check_mode_reports_changed(sequence):
    assert sequence.check.playbook.recap()["changed"] > 0


def test_check_mode_report_lists_pending(sequence):
    report = sequence.check.report()

    assert report["check_mode"] is True
    assert ids(report["relaunched"]) == [FIXED_TASK]
    assert ids(report["done"]) == []


# First run: task 1000 is corrected and relaunched.


def test_first_run_succeeds(sequence):
    assert sequence.first.playbook.rc == 0, sequence.first.playbook.describe()
    assert sequence.first.playbook.recap()["changed"] > 0


def test_first_run_puts_argument_once(sequence):
    puts = [entry for entry in sequence.first.writes if entry["method"] == "PUT"]

    assert [entry["path"] for entry in puts] == [AFNIC_PATH]
    assert puts[0]["body"] == {"value": "I am the mayor of the city Example."}


def test_first_run_relaunches_once(sequence):
    posts = [entry["path"] for entry in sequence.first.writes if entry["method"] == "POST"]

    assert posts == [RELAUNCH_PATH]


def test_first_run_writes_nothing_else(sequence):
    paths = sorted(entry["path"] for entry in sequence.first.writes)

    assert paths == sorted([AFNIC_PATH, RELAUNCH_PATH])
    assert [entry for entry in sequence.first.writes if entry["method"] == "DELETE"] == []


def test_first_run_task_done(sequence):
    task = task_in(sequence.state_after_first, FIXED_TASK)

    assert task["status"] == "done"
    assert task["doneDate"] is not None


def test_first_run_leaves_other_tasks_in_error(sequence):
    assert task_in(sequence.state_after_first, SUPPORT_TASK)["status"] == "error"
    assert task_in(sequence.state_after_first, INPUT_TASK)["status"] == "error"


def test_report_fixed_task(sequence):
    report = sequence.first.report()

    assert report["check_mode"] is False
    assert ids(report["relaunched"]) == [FIXED_TASK]
    assert ids(report["done"]) == [FIXED_TASK]
    assert ids(report["still_failing"]) == []
    assert ids(report["pending"]) == []


def test_report_needs_support(sequence):
    report = sequence.first.report()

    assert ids(report["needs_support"]) == [SUPPORT_TASK]


def test_report_needs_input(sequence):
    report = sequence.first.report()

    assert ids(report["needs_input"]) == [INPUT_TASK]
    [entry] = report["needs_input"]
    missing = [argument for argument in sequence.input_arguments if not argument.get("readOnly") and not argument.get("value")]
    assert missing, f"task {INPUT_TASK} of the demo scenario has no writable argument without a value"
    reported = {argument["key"]: argument for argument in entry["arguments"]}
    for argument in missing:
        assert argument["key"] in reported
        assert reported[argument["key"]]["description"] == argument["description"]
        assert reported[argument["key"]]["accepted_values"] == argument["acceptedValues"]
    assert any(argument.get("acceptedValues") for argument in missing)


def test_report_summary_names_tasks(sequence):
    summary = sequence.first.report()["summary"]

    for task_id in (FIXED_TASK, SUPPORT_TASK, INPUT_TASK):
        assert str(task_id) in summary


# Second run: nothing left to do.


def test_second_run_changes_nothing(sequence):
    result = sequence.second.playbook

    assert result.rc == 0, result.describe()
    assert result.recap()["changed"] == 0
    assert "changed=0" in result.stdout


def test_second_run_sends_no_write(sequence):
    assert sequence.second.writes == []


def test_second_run_report(sequence):
    report = sequence.second.report()

    assert ids(report["needs_support"]) == [SUPPORT_TASK]
    assert ids(report["needs_input"]) == [INPUT_TASK]


# Check mode after the changes.


def test_check_mode_again_succeeds(sequence):
    result = sequence.check_again.playbook

    assert result.rc == 0, result.describe()
    assert result.recap()["changed"] == 0


def test_check_mode_again_sends_no_write(sequence):
    assert sequence.check_again.writes == []


def test_no_secret_in_output(sequence):
    for run in (sequence.check, sequence.first, sequence.second, sequence.check_again):
        assert "demo-application-secret" not in run.playbook.output
        assert "demo-consumer-key" not in run.playbook.output
        assert "Traceback" not in run.playbook.output
