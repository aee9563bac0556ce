"""Helpers of the API-coverage tests: the merged scenario, reads of the
simulator's control routes, scripted playbooks and role runs.

A script is a list of module calls played in one ansible-playbook run,
because starting Ansible costs seconds while a module call costs a fraction
of one. After each call, a ``set_fact`` task reads the simulator's request
log and stores the last request number, so that a test can tell which
requests each call sent.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import yaml

COVERAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = COVERAGE_DIR.parents[2]
KINDS_SCENARIO = REPO_ROOT / "simulator" / "scenarios" / "kinds.yaml"
COVERAGE_TASKS = COVERAGE_DIR / "scenarios" / "coverage.yaml"
# The OVHcloud API schema extract that tests/conftest.py passes to the
# simulator with --schema. It lives beside the repository, not in it.
SCHEMA_PATH = REPO_ROOT.parent / "shared" / "reference" / "ovh-api-domain-tasks.schema.json"

# Consumer key of the kinds scenario whose rules cover /domain/example.net/task only.
SCOPED_CONSUMER_KEY = "scoped-consumer-key"
CONTROL_TIMEOUT = 10.0
WRITE_METHODS = ("POST", "PUT", "DELETE")


# ---------------------------------------------------------------------------
# Scenarios and the simulator
# ---------------------------------------------------------------------------


def load_yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def coverage_scenario() -> dict:
    """Return the kinds scenario with the tasks of scenarios/coverage.yaml added."""
    scenario = load_yaml(KINDS_SCENARIO)
    scenario["tasks"] = scenario["tasks"] + load_yaml(COVERAGE_TASKS)["tasks"]
    return scenario


def with_task_changes(scenario: dict, changes: dict[int, dict]) -> dict:
    """Return a copy of ``scenario`` whose tasks get the fields of ``changes[task_id]``."""
    changed = copy.deepcopy(scenario)
    for task in changed["tasks"]:
        task.update(changes.get(task["id"], {}))
    return changed


def write_scenario(scenario: dict, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    # allow_unicode writes café.fr as is, and the simulator reads the file as UTF-8.
    path.write_text(yaml.safe_dump(scenario, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def last_seq(simulator) -> int:
    """Return the number of the simulator's newest logged request, 0 when the log is empty."""
    return max([entry["seq"] for entry in simulator.requests()] + [0])


def documents(simulator) -> list[dict]:
    """Return every /me/document of the simulator, as ``GET /me/document/{id}`` shows it."""
    with requests.Session() as session:
        # Proxy settings from the environment must not apply to 127.0.0.1.
        session.trust_env = False
        response = session.get(f"{simulator.control}/documents", timeout=CONTROL_TIMEOUT)
    response.raise_for_status()
    return response.json()


def schema_violations(simulator) -> list[dict] | None:
    """Return the responses that did not match the API schema, or None when the simulator checked none.

    The harness starts every simulator with ``--schema`` when the schema file exists.
    """
    if not SCHEMA_PATH.is_file():
        return None
    return simulator.violations()


# ---------------------------------------------------------------------------
# Scripted playbooks
# ---------------------------------------------------------------------------

CHECKPOINT_PREFIX = "checkpoint: "


def module_call(name: str, module: str, args: dict, check: bool = False, diff: bool = False) -> dict:
    """Return one step of a script: a module call named ``name``, whose failure does not stop the play."""
    task = {"name": name, module: args, "ignore_errors": True}
    if check:
        task["check_mode"] = True
    if diff:
        task["diff"] = True
    return task


def script_playbook(steps: list[dict], control: str) -> str:
    """Return the YAML of a playbook that runs ``steps``, with a checkpoint after each module call."""
    newest_seq = (
        "{{ (lookup('ansible.builtin.url', '%s/requests', split_lines=false) | from_json"
        " | map(attribute='seq') | list + [0]) | max }}" % control
    )
    tasks = []
    for step in steps:
        tasks.append(step)
        tasks.append(
            {"name": CHECKPOINT_PREFIX + step["name"], "ansible.builtin.set_fact": {"coverage_last_seq": newest_seq}}
        )
    play = [{"name": "API coverage script", "hosts": "localhost", "gather_facts": False, "tasks": tasks}]
    return yaml.safe_dump(play, sort_keys=False, allow_unicode=True)


def play_script(harness, simulator, steps: list[dict], directory: Path, env: dict[str, str] | None = None) -> dict:
    """Run ``steps`` against ``simulator`` and return the JSON-ready record of the run."""
    env = env or harness.ansible_env(directory / "ansible", simulator)
    first_seq = last_seq(simulator)
    playbook = harness.run_playbook(script_playbook(steps, simulator.control), env, work_dir=directory / "playbooks")
    log = [entry for entry in simulator.requests() if entry["seq"] > first_seq]

    # Each call's requests are those after the previous checkpoint, up to its own.
    windows = {}
    previous = first_seq
    for entry in playbook.tasks:
        if entry["task"].startswith(CHECKPOINT_PREFIX):
            last = int(entry["result"]["ansible_facts"]["coverage_last_seq"])
            windows[entry["task"][len(CHECKPOINT_PREFIX) :]] = [previous, last]
            previous = last
    return {
        "playbook": playbook_record(playbook),
        "requests": log,
        "windows": windows,
    }


def playbook_record(playbook) -> dict:
    return {
        "rc": playbook.rc,
        "stdout": playbook.stdout,
        "stderr": playbook.stderr,
        "tasks": playbook.tasks,
        "stats": playbook.stats,
        "command": playbook.command,
    }


@dataclass
class Script:
    """The record of one scripted run: module results by step name, and the requests of each step."""

    record: dict

    @property
    def rc(self) -> int:
        return self.record["playbook"]["rc"]

    def describe(self) -> str:
        playbook = self.record["playbook"]
        return (
            f"$ {' '.join(playbook['command'])}\nrc={playbook['rc']}\n--- stdout ---\n{playbook['stdout']}"
            f"\n--- stderr ---\n{playbook['stderr']}"
        )

    def entry(self, name: str) -> dict:
        matches = [entry for entry in self.record["playbook"]["tasks"] if entry["task"] == name]
        if not matches:
            raise KeyError(f"no result for step {name!r}\n{self.describe()}")
        return matches[-1]

    def result(self, name: str) -> dict:
        return self.entry(name)["result"]

    def failed(self, name: str) -> bool:
        return self.entry(name)["status"] in ("failed", "ignored")

    def msg(self, name: str) -> str:
        return str(self.result(name).get("msg", ""))

    def requests(self, name: str) -> list[dict]:
        """Return the requests sent by the step ``name``, oldest first."""
        first, last = self.record["windows"][name]
        return [entry for entry in self.record["requests"] if first < entry["seq"] <= last]

    def calls(self, name: str) -> list[str]:
        """Return the step's requests as ``METHOD path`` strings."""
        return [f"{entry['method']} {entry['path']}" for entry in self.requests(name)]

    def writes(self, name: str) -> list[str]:
        return [call for call in self.calls(name) if call.split(" ", 1)[0] in WRITE_METHODS]


# ---------------------------------------------------------------------------
# Role runs
# ---------------------------------------------------------------------------


def play_role(
    harness,
    simulator,
    playbook,
    env: dict[str, str],
    extra_vars: dict,
    directory: Path,
    check: bool = False,
) -> dict:
    """Run a playbook of the role and return its record, its requests and the simulator state after it."""
    first_seq = last_seq(simulator)
    result = harness.run_playbook(playbook, env, check=check, extra_vars=extra_vars, work_dir=directory / "playbooks")
    return {
        "playbook": playbook_record(result),
        "requests": [entry for entry in simulator.requests() if entry["seq"] > first_seq],
        "state": simulator.state(),
    }


def describe_run(run: dict) -> str:
    playbook = run["playbook"]
    return f"rc={playbook['rc']}\n--- stdout ---\n{playbook['stdout']}\n--- stderr ---\n{playbook['stderr']}"


def role_report(run: dict) -> dict:
    """Return the last fix_and_relaunch_report fact that the run set."""
    found = None
    for entry in run["playbook"]["tasks"]:
        facts = entry["result"].get("ansible_facts") or {}
        if "fix_and_relaunch_report" in facts:
            found = facts["fix_and_relaunch_report"]
    assert found is not None, "no fix_and_relaunch_report\n" + describe_run(run)
    return found


def run_writes(run: dict) -> list[str]:
    """Return the run's POST, PUT and DELETE requests as ``METHOD path`` strings."""
    return [f"{entry['method']} {entry['path']}" for entry in run["requests"] if entry["method"] in WRITE_METHODS]


def state_task(run: dict, task_id: int) -> dict:
    return next(task for task in run["state"]["tasks"] if task["id"] == task_id)


def ids(items: list[dict]) -> list[int]:
    return [item["id"] for item in items]


def assert_no_violations(violations: list[dict] | None) -> None:
    if violations is None:
        pytest.skip(f"reference schema not found at {SCHEMA_PATH}; the simulator ran without --schema")
    assert violations == [], "responses that do not match the API schema:\n" + "\n".join(map(str, violations))
