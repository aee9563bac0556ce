"""Secret argument values stay out of the output, other values stay visible.

Task 5002 of scenarios/reliability.yaml has an `authInfo` argument (secret by
default), an `ownerIdentityNumber` argument that these tests mark secret with
`secret_keys`, and two ordinary arguments. Every run uses -vvvv and --diff,
in check mode and not, with and without a failure, and the secrets (old and
new values) must appear neither in the output nor in any task result. The
new values come from a vars file, so that the playbook text, which Ansible
quotes in its error messages, does not carry them.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from reliability_testlib import ROLE_PLAYBOOK, SCENARIO, Entry, add_faults

TASK = 5002
SECRET_KEYS = ["authInfo", "ownerIdentityNumber"]
OLD_SECRETS = ("OldAuth#Code-7731", "ID-OLD-448812")
NEW_AUTH_INFO = "NewAuth$Code-9902"
NEW_IDENTITY = "ID-NEW-771234"
NEW_SECRETS = (NEW_AUTH_INFO, NEW_IDENTITY)
# authInfo accepts 6 to 32 characters and ownerIdentityNumber at most 20.
INVALID_AUTH_INFO = "Ab#1"
INVALID_IDENTITY = "ID-NEW-771234-FAR-TOO-LONG-FOR-THE-FIELD"
INVALID_SECRETS = (INVALID_AUTH_INFO, INVALID_IDENTITY)
OLD_OWNER = "Zoë O'Brien-Ålander"
NEW_OWNER = "Zoë O'Brien-Ålander Jr"
LEGAL_FORM = "association"

VARS = f"""
new_auth_info: "{NEW_AUTH_INFO}"
new_identity: "{NEW_IDENTITY}"
new_owner: "{NEW_OWNER}"
invalid_auth_info: "{INVALID_AUTH_INFO}"
invalid_identity: "{INVALID_IDENTITY}"
"""

MODULE_PLAYS = {
    "info": """
    - name: Read the task with its arguments
      ovhcloud.domain.domain_task_info:
        task_id: [{task}]
        arguments: true
        secret_keys: {secret_keys}
""",
    "argument": """
    - name: Write new values
      ovhcloud.domain.domain_task_argument:
        secret_keys: {secret_keys}
        values:
          - {{task_id: {task}, key: authInfo, value: "{{{{ new_auth_info }}}}"}}
          - {{task_id: {task}, key: ownerIdentityNumber, value: "{{{{ new_identity }}}}"}}
          - {{task_id: {task}, key: ownerName, value: "{{{{ new_owner }}}}"}}
""",
    "argument-invalid": """
    - name: Write an identity number over its maximum size
      ovhcloud.domain.domain_task_argument:
        secret_keys: {secret_keys}
        values:
          - {{task_id: {task}, key: ownerIdentityNumber, value: "{{{{ invalid_identity }}}}"}}
          - {{task_id: {task}, key: ownerName, value: "{{{{ new_owner }}}}"}}
      ignore_errors: true

    - name: Write an auth code under its minimum size, secret by default
      ovhcloud.domain.domain_task_argument:
        task_id: {task}
        key: authInfo
        value: "{{{{ invalid_auth_info }}}}"
      ignore_errors: true
""",
    "action": """
    - name: Relaunch the task
      ovhcloud.domain.domain_task_action:
        task_id: {task}
        action: relaunch
""",
}

# A persistent fault that makes each module fail after it has read the
# arguments: on a read in check mode, on the write otherwise.
SERVER_ERROR = {"fault": "http_error", "status": 503, "times": None}
FAILURE_RULES = {
    ("info", False): [{"method": "GET", "path": f"/me/task/domain/{TASK}/argument/ownerName", **SERVER_ERROR}],
    ("info", True): [{"method": "GET", "path": f"/me/task/domain/{TASK}/argument/ownerName", **SERVER_ERROR}],
    ("argument", False): [{"method": "PUT", "path": "/me/task/domain/*/argument/*", **SERVER_ERROR}],
    ("argument", True): [{"method": "GET", "path": f"/me/task/domain/{TASK}/argument/ownerName", **SERVER_ERROR}],
    ("action", False): [{"method": "POST", "path": "/me/task/domain/*/relaunch", **SERVER_ERROR}],
    ("action", True): [{"method": "GET", "path": f"/me/task/domain/{TASK}", **SERVER_ERROR}],
}


def module_playbook(name: str) -> str:
    tasks = MODULE_PLAYS[name].format(task=TASK, secret_keys=json.dumps(SECRET_KEYS))
    return f"""
- name: Handle secret task arguments
  hosts: localhost
  gather_facts: false
  vars_files: [secrets.yml]
  tasks:
{tasks}
"""


def leaked(run, secrets) -> list[str]:
    """Return the secrets found in the output or in any task result of a run."""
    results = json.dumps([entry["result"] for entry in run.tasks], ensure_ascii=False)
    return [secret for secret in secrets if secret in run.output or secret in results]


def record(collector, scenario: str, run, leaks: list[str]) -> None:
    collector.add(Entry(scenario=f"secrets/{scenario}", category="secrets",
                        outcome="succeeded" if run.rc == 0 else "failed", runs=1,
                        details={"leaked": len(leaks)}))


@pytest.fixture
def secrets_run(simulator_factory, env_for, run_playbook, tmp_path):
    """Return ``run(playbook_text_or_path, check, failure_rules, extra_args)`` on a fresh simulator."""

    numbers = itertools.count()

    def run(playbook, check=False, rules=(), extra_args=()):
        simulator = simulator_factory(SCENARIO)
        add_faults(simulator, list(rules))
        directory = tmp_path / f"run-{next(numbers)}"
        directory.mkdir()
        (directory / "secrets.yml").write_text(VARS, encoding="utf-8")
        if isinstance(playbook, str):
            path = directory / "playbook.yml"
            path.write_text(playbook, encoding="utf-8")
            playbook = path
        result = run_playbook(playbook, env_for(simulator), check=check, diff=True,
                              extra_args=("-vvvv", *extra_args))
        return result, simulator

    return run


@pytest.mark.parametrize("failing", [False, True], ids=["ok", "failing"])
@pytest.mark.parametrize("check", [False, True], ids=["apply", "check"])
@pytest.mark.parametrize("module", ["info", "argument", "action"])
def test_module_masks_secrets(module, check, failing, secrets_run, collector):
    rules = FAILURE_RULES[(module, check)] if failing else ()

    run, simulator = secrets_run(module_playbook(module), check=check, rules=rules)

    leaks = leaked(run, OLD_SECRETS + NEW_SECRETS)
    record(collector, f"{module}-{'check' if check else 'apply'}-{'failing' if failing else 'ok'}", run, leaks)
    assert (run.rc != 0) == failing, run.describe()
    assert not leaks, run.describe()
    if module == "info" and not failing:
        assert LEGAL_FORM in run.output, run.describe()
        assert OLD_OWNER in run.output, run.describe()
        assert "********" in run.output, run.describe()
    if module == "argument" and not failing:
        # The diff and the result show the ordinary value, before and after.
        assert NEW_OWNER in run.output, run.describe()
        assert OLD_OWNER in run.output, run.describe()
        assert "********" in run.output, run.describe()
    if module == "argument" and not check and not failing:
        assert simulator.argument(TASK, "authInfo")["value"] == NEW_AUTH_INFO
        assert simulator.argument(TASK, "ownerIdentityNumber")["value"] == NEW_IDENTITY


@pytest.mark.parametrize("check", [False, True], ids=["apply", "check"])
def test_invalid_secret_values_masked(check, secrets_run, collector):
    run, simulator = secrets_run(module_playbook("argument-invalid"), check=check)

    leaks = leaked(run, OLD_SECRETS + NEW_SECRETS + INVALID_SECRETS)
    record(collector, f"argument-invalid-values-{'check' if check else 'apply'}", run, leaks)
    messages = [str(entry["result"].get("msg", "")) for entry in run.tasks if entry["status"] == "ignored"]
    assert len(messages) == 2, run.describe()
    assert "ownerIdentityNumber" in messages[0], run.describe()
    assert "maximum is 20" in messages[0], run.describe()
    assert "authInfo" in messages[1], run.describe()
    assert "minimum is 6" in messages[1], run.describe()
    assert not leaks, run.describe()
    assert simulator.writes() == []


def test_info_default_masks_only_auth_info(secrets_run, collector):
    playbook = f"""
- name: Read the task with the default secret keys
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Read the task with its arguments
      ovhcloud.domain.domain_task_info:
        task_id: [{TASK}]
        arguments: true
"""
    run, _ = secrets_run(playbook)

    leaks = leaked(run, OLD_SECRETS[:1])
    record(collector, "info-default-secret-keys", run, leaks)
    assert run.rc == 0, run.describe()
    assert not leaks, run.describe()
    # Not marked secret here, so shown like any other value.
    assert OLD_SECRETS[1] in run.output, run.describe()


def role_corrections(directory: Path, identity: str) -> Path:
    path = directory / "corrections.yml"
    path.write_text(f"""
fix_and_relaunch_corrections:
  - {{key: authInfo, task_id: {TASK}, value: "{NEW_AUTH_INFO}"}}
  - {{key: ownerIdentityNumber, task_id: {TASK}, value: "{identity}"}}
  - {{key: ownerName, task_id: {TASK}, value: "{NEW_OWNER}"}}
fix_and_relaunch_secret_keys: {json.dumps(SECRET_KEYS)}
fix_and_relaunch_wait: false
""", encoding="utf-8")
    return path


@pytest.mark.parametrize("failing", [False, True], ids=["ok", "failing"])
@pytest.mark.parametrize("check", [False, True], ids=["apply", "check"])
def test_role_masks_secrets(check, failing, secrets_run, tmp_path, collector):
    identity = INVALID_IDENTITY if failing else NEW_IDENTITY
    corrections = role_corrections(tmp_path, identity)

    run, simulator = secrets_run(ROLE_PLAYBOOK, check=check, extra_args=("-e", f"corrections_file={corrections}"))

    leaks = leaked(run, OLD_SECRETS + NEW_SECRETS + INVALID_SECRETS)
    record(collector, f"role-{'check' if check else 'apply'}-{'failing' if failing else 'ok'}", run, leaks)
    assert (run.rc != 0) == failing, run.describe()
    assert not leaks, run.describe()
    if failing:
        assert "ownerIdentityNumber" in run.output, run.describe()
        assert "maximum is 20" in run.output, run.describe()
    if not check and not failing:
        assert simulator.argument(TASK, "authInfo")["value"] == NEW_AUTH_INFO


def test_role_debug_logging_masks_secrets(secrets_run, tmp_path, collector):
    corrections = role_corrections(tmp_path, NEW_IDENTITY)

    run, _ = secrets_run(ROLE_PLAYBOOK, extra_args=("-e", f"corrections_file={corrections}",
                                                    "-e", '{"fix_and_relaunch_secure_logging": false}'))

    leaks = leaked(run, OLD_SECRETS + NEW_SECRETS)
    record(collector, "role-secure-logging-off", run, leaks)
    assert run.rc == 0, run.describe()
    # With secure logging off, ordinary values are shown...
    assert NEW_OWNER in run.output, run.describe()
    # ...and secret ones must still be masked.
    assert not leaks, f"leaked: {leaks}\n{run.describe()}"
