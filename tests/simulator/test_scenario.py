"""Scenario loading and validation, including the demo scenario's content."""

from __future__ import annotations

import subprocess

import pytest
import yaml

import ovhsim_testlib  # noqa: F401  (puts simulator/ on sys.path)
from ovhsim.scenario import ScenarioError, load_scenario
from ovhsim_testlib import GUIDE_SCENARIO, edge_scenario, load_guide, simulator_command, simulator_env, write_scenario


def test_guide_scenario_loads():
    scenario = load_scenario(GUIDE_SCENARIO)
    tasks = {task.id: task for task in scenario.tasks}

    assert sorted(tasks) == [1000, 1001, 1002, 1003, 1004, 1005, 1006]
    assert tasks[1000].function == "DomainCreate"
    assert tasks[1000].domain == "example.fr"
    assert tasks[1000].can_relaunch is True
    assert tasks[1001].status == "error"
    assert tasks[1001].can_relaunch is False
    assert tasks[1002].can_relaunch is True
    assert [task.status for task in (tasks[1003], tasks[1004], tasks[1005], tasks[1006])] == ["done", "todo", "doing", "done"]
    assert scenario.timing.todo_seconds == 1
    assert scenario.timing.doing_seconds == 1


def test_guide_needs_input_argument():
    task = {task.id: task for task in load_scenario(GUIDE_SCENARIO).tasks}[1002]
    (argument,) = task.arguments

    assert argument.value is None
    assert argument.read_only is False
    assert argument.description
    assert argument.accepted_values


def test_default_rules_grant_everything():
    scenario = load_scenario(GUIDE_SCENARIO)
    (key,) = scenario.credentials[0].consumer_keys

    assert {(rule.method, rule.path) for rule in key.rules} == {
        ("GET", "/*"), ("POST", "/*"), ("PUT", "/*"), ("DELETE", "/*"),
    }


def _task(document: dict, index: int = 0) -> dict:
    return document["tasks"][index]


# Each case changes a valid scenario and names the field the error must point to.
INVALID_CASES = [
    (lambda d: d.pop("credentials"), "credentials: missing required field"),
    (lambda d: d.update(extra=1), "extra: unknown field"),
    (lambda d: d.update(credentials=[]), "credentials: at least one application is required"),
    (lambda d: d["credentials"][0]["consumer_keys"][0].update(state="active"),
     "credentials[0].consumer_keys[0].state: expected one of"),
    (lambda d: d["credentials"][0]["consumer_keys"][0].update(rules=[{"method": "PATCH", "path": "/*"}]),
     "credentials[0].consumer_keys[0].rules[0].method: expected one of"),
    (lambda d: d["credentials"][0]["consumer_keys"][0].update(rules=[{"method": "GET", "path": "me"}]),
     "credentials[0].consumer_keys[0].rules[0].path: must start with '/'"),
    (lambda d: d.update(clock_offset="soon"), "clock_offset: expected a number of seconds"),
    (lambda d: d.update(timing={"todo_seconds": -1}), "timing.todo_seconds: expected a number of seconds >= 0"),
    (lambda d: _task(d).update(status="failed"), "tasks[0].status: expected one of"),
    (lambda d: _task(d).update(comnent="typo"), "tasks[0].comnent: unknown field"),
    (lambda d: _task(d, 1).update(id=1000), "tasks[1].id: duplicate task id 1000"),
    (lambda d: _task(d).update(id="1000"), "tasks[0].id: expected an integer"),
    (lambda d: _task(d).update(type="zone"), "tasks[0].type: expected one of alldom, domain"),
    (lambda d: _task(d).update(canRelaunch="yes please"), "tasks[0].canRelaunch: expected true or false"),
    (lambda d: _task(d).update(todoDate="2022-01-01T13:00:00"), "tasks[0].todoDate: invalid datetime"),
    (lambda d: _task(d).update(creationDate="yesterday"), "tasks[0].creationDate: invalid datetime"),
    (lambda d: _task(d).pop("creationDate"), "tasks[0].creationDate: missing required field"),
    (lambda d: _task(d).update(simulation={"todo_seconds": "fast"}), "tasks[0].simulation.todo_seconds"),
    (lambda d: _task(d).update(simulation={"retries": 1}), "tasks[0].simulation.retries: unknown field"),
    (lambda d: _task(d)["arguments"][0].update(simulation={"accept_pattern": "(["}),
     "tasks[0].arguments[0].simulation.accept_pattern: invalid regular expression"),
    (lambda d: _task(d)["arguments"][0].update(acceptedFormats=["tiff"]),
     "tasks[0].arguments[0].acceptedFormats[0]: expected one of"),
    (lambda d: _task(d)["arguments"][0].update(fields=["shoeSize"]), "tasks[0].arguments[0].fields[0]: expected one of"),
    (lambda d: _task(d)["arguments"][0].update(minimumSize=9, maximumSize=3),
     "tasks[0].arguments[0].minimumSize: 9 is greater than maximumSize 3"),
    (lambda d: _task(d)["arguments"].append({"key": "legitimacyAfnic"}),
     "tasks[0].arguments[1].key: duplicate argument key"),
    (lambda d: _task(d)["arguments"][0].update(value=42), "tasks[0].arguments[0].value: expected a string or null"),
]


@pytest.mark.parametrize(("change", "expected"), INVALID_CASES, ids=[case[1].split(":")[0] for case in INVALID_CASES])
def test_invalid_scenario_names_field(tmp_path, change, expected):
    document = load_guide()
    change(document)
    path = write_scenario(document, tmp_path / "scenario.yaml")

    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    assert expected in str(raised.value)
    assert str(path) in str(raised.value)


def test_edge_scenario_is_valid(tmp_path):
    scenario = load_scenario(write_scenario(edge_scenario(), tmp_path / "edge.yaml"))
    assert len(scenario.tasks) == 9


def test_invalid_yaml_reported(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("tasks: [\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="invalid YAML"):
        load_scenario(path)


def test_missing_file_reported(tmp_path):
    with pytest.raises(ScenarioError, match="cannot read the scenario file"):
        load_scenario(tmp_path / "absent.yaml")


def test_unquoted_yaml_datetime_accepted(tmp_path):
    text = GUIDE_SCENARIO.read_text(encoding="utf-8").replace(
        'creationDate: "2022-01-01T12:00:00+01:00"', "creationDate: 2022-01-01T12:00:00+01:00")
    assert yaml.safe_load(text)["tasks"][0]["creationDate"].tzinfo is not None
    path = tmp_path / "unquoted.yaml"
    path.write_text(text, encoding="utf-8")

    task = load_scenario(path).tasks[0]
    assert task.creation_date.isoformat() == "2022-01-01T12:00:00+01:00"


def test_cli_rejects_invalid_scenario(tmp_path):
    document = load_guide()
    document["tasks"][2]["status"] = "broken"
    path = write_scenario(document, tmp_path / "scenario.yaml")
    ready_file = tmp_path / "ready.json"

    completed = subprocess.run(simulator_command(path, ready_file), env=simulator_env(), capture_output=True,
                               text=True, timeout=30)

    assert completed.returncode == 2
    assert "tasks[2].status: expected one of" in completed.stderr
    assert not ready_file.exists()
