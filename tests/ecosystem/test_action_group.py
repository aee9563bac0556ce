"""The action group ``ovhcloud.domain.all`` of meta/runtime.yml.

It must list every module, so that ``module_defaults`` with
``group/ovhcloud.domain.all`` sets the connection options of each, and a
play that gives the credentials only that way must work.
"""

from __future__ import annotations

from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]


def module_names() -> list[str]:
    return sorted(path.stem for path in (REPO_ROOT / "plugins" / "modules").glob("*.py") if path.stem != "__init__")


def action_group() -> list[str]:
    runtime = yaml.safe_load((REPO_ROOT / "meta" / "runtime.yml").read_text(encoding="utf-8"))
    return runtime["action_groups"]["all"]


def test_action_group_lists_every_module():
    assert sorted(action_group()) == module_names()


def test_action_group_has_no_duplicates():
    group = action_group()

    assert len(group) == len(set(group))


def test_action_group_is_the_only_group():
    runtime = yaml.safe_load((REPO_ROOT / "meta" / "runtime.yml").read_text(encoding="utf-8"))

    assert list(runtime["action_groups"]) == ["all"]


MODULE_DEFAULTS_PLAY = """
- name: Give the connection options once, through the action group
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/ovhcloud.domain.all:
      endpoint: "{{ simulator_url }}"
      application_key: demo-application-key
      application_secret: demo-application-secret
      consumer_key: demo-consumer-key
  tasks:
    - name: List the tasks in error
      ovhcloud.domain.domain_task_info:
        status: error
      register: listing

    - name: Set an argument in check mode
      ovhcloud.domain.domain_task_argument:
        task_id: 1000
        key: legitimacyAfnic
        value: I am the mayor of the city Example.
      check_mode: true
      register: argument

    - name: Relaunch a task that is already done
      ovhcloud.domain.domain_task_action:
        task_id: 1003
        action: relaunch
      register: action
"""


def test_module_defaults_group_sets_credentials(simulator, ansible_base_env, run_playbook):
    # ansible_base_env has no OVH_* variable: the credentials reach the
    # modules only through module_defaults.
    result = run_playbook(MODULE_DEFAULTS_PLAY, ansible_base_env, extra_vars={"simulator_url": simulator.url})

    assert result.rc == 0, result.describe()
    assert sorted(task["id"] for task in result.task("List the tasks in error")["tasks"]) == [1000, 1001, 1002]
    assert result.task("Set an argument in check mode")["changed"] is True
    assert result.task("Relaunch a task that is already done")["changed"] is False


def test_module_defaults_group_sends_signed_requests(simulator, ansible_base_env, run_playbook):
    run_playbook(MODULE_DEFAULTS_PLAY, ansible_base_env, extra_vars={"simulator_url": simulator.url})

    logged = [entry for entry in simulator.requests() if entry["path"].startswith("/me/task/domain")]
    assert logged, "the modules sent no request to /me/task/domain"
    assert {entry["application_key"] for entry in logged} == {"demo-application-key"}
    assert {entry["consumer_key"] for entry in logged} == {"demo-consumer-key"}


def test_module_defaults_group_check_mode_writes_nothing(simulator, ansible_base_env, run_playbook):
    run_playbook(MODULE_DEFAULTS_PLAY, ansible_base_env, extra_vars={"simulator_url": simulator.url})

    assert simulator.writes() == []
