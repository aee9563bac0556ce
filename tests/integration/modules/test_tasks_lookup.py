"""The lookup ovhcloud.domain.domain_tasks against the simulator (scenario modules.yaml)."""

from __future__ import annotations

PLAYBOOK = """
- name: Read domain tasks through the lookup
  hosts: localhost
  gather_facts: false
  tasks:
    - name: tasks in error
      ansible.builtin.debug:
        msg: "{{ query('ovhcloud.domain.domain_tasks', status='error') }}"

    - name: task by id
      ansible.builtin.debug:
        msg: "{{ query('ovhcloud.domain.domain_tasks', 2001, arguments=true) }}"

    - name: tasks by domain and function
      ansible.builtin.debug:
        msg: "{{ query('ovhcloud.domain.domain_tasks', domain=['example.org', 'example.fr'], function='DomainCreate') }}"
"""


def test_lookup_in_debug_task(run_playbook, ansible_env, simulator):
    result = run_playbook(PLAYBOOK, ansible_env)

    assert result.rc == 0, result.describe()
    assert [task["id"] for task in result.task("tasks in error")["msg"]] == [2000, 2001, 2002, 2007]
    assert [task["id"] for task in result.task("tasks by domain and function")["msg"]] == [2000, 2005]
    assert simulator.writes() == []


def test_lookup_task_fields(run_playbook, ansible_env):
    result = run_playbook(PLAYBOOK, ansible_env)

    assert result.rc == 0, result.describe()
    [task] = result.task("task by id")["msg"]
    assert task["id"] == 2001
    assert task["function"] == "DomainTrade"
    assert task["can_relaunch"] is True
    assert sorted(argument["key"] for argument in task["arguments"]) == ["legalForm", "nicowner", "ownerName"]
