"""A server clock an hour away from the local one does not break signed
requests, because the client reads /auth/time once per module run or lookup
call and signs every request with that offset, as OVHcloud's clients do."""

from __future__ import annotations

import pytest
import yaml

from auth_testlib import (
    ACTION_MODULE,
    ARGUMENT_MODULE,
    AUTH_SCENARIO,
    ERROR_TASK_IDS,
    INFO_MODULE,
    LOOKUP,
    NEW_AUTH_INFO,
    TRANSFER_TASK_ID,
    count_calls,
    key_settings,
    module_task_ids,
    with_environment,
)

OFFSETS = [3600, -3600]

PLAY = [
    {
        "name": "Every module and the lookup against a drifted server clock",
        "hosts": "localhost",
        "gather_facts": False,
        "tasks": [
            {"name": "info", INFO_MODULE: {"status": "error", "arguments": True}},
            {"name": "argument", ARGUMENT_MODULE: {"task_id": TRANSFER_TASK_ID, "key": "authInfo",
                                                   "value": NEW_AUTH_INFO}},
            {"name": "action", ACTION_MODULE: {"task_id": TRANSFER_TASK_ID, "action": "relaunch"}},
            {"name": "lookup", "ansible.builtin.debug": {"msg": f"{{{{ query('{LOOKUP}', status='error') }}}}"}},
        ],
    }
]


@pytest.fixture(params=OFFSETS, ids=lambda offset: f"offset{offset:+d}")
def simulator(request, simulator_factory):
    """The authentication scenario with the server clock ``offset`` seconds from real time."""
    scenario = yaml.safe_load(AUTH_SCENARIO.read_text(encoding="utf-8"))
    scenario["clock_offset"] = request.param
    return simulator_factory(scenario)


def test_module_drifted_clock_works(run_module, simulator, bare_env, work_dir):
    env = with_environment(bare_env, key_settings(simulator.url))

    outcome = run_module(INFO_MODULE, {"status": "error", "arguments": True}, env=env, cwd=work_dir)

    assert module_task_ids(outcome) == ERROR_TASK_IDS, outcome.playbook.describe()


def test_module_reads_time_once(run_module, simulator, bare_env, work_dir):
    env = with_environment(bare_env, key_settings(simulator.url))

    run_module(INFO_MODULE, {"status": "error", "arguments": True, "progress": True}, env=env, cwd=work_dir)
    log = simulator.requests()

    assert len(log) > 3
    assert count_calls(log, "GET", "/auth/time") == 1


def test_playbook_reads_time_once_per_run(run_playbook, simulator, bare_env, work_dir):
    env = with_environment(bare_env, key_settings(simulator.url))

    result = run_playbook(yaml.safe_dump(PLAY, sort_keys=False), env, cwd=work_dir)
    statuses = [entry["status"] for entry in result.tasks]

    assert statuses == ["ok"] * 4, result.describe()
    assert count_calls(simulator.requests(), "GET", "/auth/time") == 4
