"""Scale scenarios written by ``python -m ovhsim.generate``."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from datetime import datetime

import pytest
import yaml

import ovhsim_testlib  # noqa: F401  (puts simulator/ on sys.path)
from ovhsim.scenario import load_scenario
from ovhsim_testlib import signed_request, simulator_env

NOW = "2025-01-15T12:00:00+01:00"


def generate(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ovhsim.generate", *args], env=simulator_env(),
                          capture_output=True, text=True, timeout=60)


def generate_file(path, tasks: int, errors: int, *extra: str):
    completed = generate("--tasks", str(tasks), "--errors", str(errors), "--now", NOW, "--out", str(path), *extra)
    assert completed.returncode == 0, completed.stderr
    return path


def test_generated_scenario_is_valid(tmp_path):
    path = generate_file(tmp_path / "scale.yaml", 200, 30)

    scenario = load_scenario(path)

    assert [task.id for task in scenario.tasks] == list(range(100000, 100200))
    statuses = Counter(task.status for task in scenario.tasks)
    assert statuses["error"] == 30
    assert set(statuses) <= {"error", "done", "todo", "doing", "cancelled"}
    assert statuses["done"] > 0
    assert scenario.timing.todo_seconds == 1
    assert scenario.timing.doing_seconds == 1
    [application] = scenario.credentials
    assert application.application_key == "demo-application-key"
    assert application.application_secret == "demo-application-secret"
    assert [key.consumer_key for key in application.consumer_keys] == ["demo-consumer-key"]


def test_error_tasks_have_correctable_argument(tmp_path):
    path = generate_file(tmp_path / "scale.yaml", 50, 10)

    errors = [task for task in load_scenario(path).tasks if task.status == "error"]

    assert len(errors) == 10
    for task in errors:
        assert task.function == "DomainCreate"
        assert task.domain == f"example-{task.id - 100000 + 1}.fr"
        assert task.can_relaunch
        [argument] = task.arguments
        assert argument.key == "legitimacyAfnic"
        assert argument.type == "string"
        assert argument.value is None
        assert not argument.read_only
        assert argument.accept_pattern.fullmatch("short") is None
        assert argument.accept_pattern.fullmatch("A ten-character explanation")


def test_dates_are_consistent(tmp_path):
    path = generate_file(tmp_path / "scale.yaml", 300, 20)
    now = datetime.fromisoformat(NOW)

    for task in load_scenario(path).tasks:
        assert task.creation_date <= task.todo_date <= task.last_update <= now, task.id
        if task.status in ("done", "cancelled"):
            assert task.done_date == task.last_update, task.id
        else:
            assert task.done_date is None, task.id


def test_same_seed_same_file(tmp_path):
    first = generate_file(tmp_path / "first.yaml", 100, 10, "--seed", "7").read_text()
    second = generate_file(tmp_path / "second.yaml", 100, 10, "--seed", "7").read_text()
    other = generate_file(tmp_path / "other.yaml", 100, 10, "--seed", "8").read_text()

    assert first == second
    assert first != other


def test_json_output_matches_yaml(tmp_path):
    as_yaml = generate_file(tmp_path / "scale.yaml", 40, 5)
    as_json = generate_file(tmp_path / "scale.json", 40, 5)

    assert json.loads(as_json.read_text()) == yaml.safe_load(as_yaml.read_text())
    assert load_scenario(as_json).tasks == load_scenario(as_yaml).tasks


def test_done_ratio_bounds(tmp_path):
    all_done = load_scenario(generate_file(tmp_path / "done.yaml", 60, 10, "--done-ratio", "1"))
    none_done = load_scenario(generate_file(tmp_path / "none.yaml", 60, 10, "--done-ratio", "0"))

    assert Counter(task.status for task in all_done.tasks) == {"done": 50, "error": 10}
    assert "done" not in {task.status for task in none_done.tasks}


@pytest.mark.parametrize("args, message", [
    (["--tasks", "5", "--errors", "6"], "--errors must be between 0 and --tasks (5)"),
    (["--tasks", "-1", "--errors", "0"], "--tasks must be >= 0"),
    (["--tasks", "5", "--errors", "1", "--done-ratio", "1.5"], "--done-ratio must be between 0 and 1"),
    (["--tasks", "5", "--errors", "1", "--now", "2025-01-15T12:00:00"], "invalid --now"),
], ids=["errors-above-tasks", "negative-tasks", "done-ratio", "now-without-offset"])
def test_invalid_arguments(tmp_path, args, message):
    completed = generate(*args, "--out", str(tmp_path / "scale.yaml"))

    assert completed.returncode == 2
    assert message in completed.stderr
    assert not (tmp_path / "scale.yaml").exists()


def test_served_at_scale(tmp_path, start_sim):
    path = generate_file(tmp_path / "scale.json", 5000, 1000)
    sim = start_sim(path)

    assert len(signed_request(sim, "GET", "/me/task/domain").json()) == 5000
    error_ids = signed_request(sim, "GET", "/me/task/domain?status=error").json()
    assert len(error_ids) == 1000

    task_id = error_ids[-1]
    argument_path = f"/me/task/domain/{task_id}/argument/legitimacyAfnic"
    assert signed_request(sim, "PUT", argument_path, {"value": "A web site for the city hall"}).status_code == 200
    assert signed_request(sim, "POST", f"/me/task/domain/{task_id}/relaunch").status_code == 200
    sim.advance(5)
    assert signed_request(sim, "GET", f"/me/task/domain/{task_id}").json()["status"] == "done"
    assert len(signed_request(sim, "GET", "/me/task/domain?status=error").json()) == 999
