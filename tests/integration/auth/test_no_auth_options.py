"""A playbook that names no credential at all runs every module and the
lookup from the environment, from an ovh.conf or from an OAuth2 service
account, as a user of OVHcloud's own clients would set them up."""

from __future__ import annotations

import pytest
import yaml

from auth_testlib import (
    ACTION_MODULE,
    ARGUMENT_MODULE,
    INFO_MODULE,
    LOOKUP,
    NEW_AUTH_INFO,
    TRANSFER_TASK_ID,
    key_settings,
    oauth2_settings,
    place_settings,
)

PLAY = [
    {
        "name": "Fix and relaunch a transfer without any auth option",
        "hosts": "localhost",
        "gather_facts": False,
        "tasks": [
            {"name": "info", INFO_MODULE: {"status": "error", "arguments": True}},
            {"name": "argument", ARGUMENT_MODULE: {"task_id": TRANSFER_TASK_ID, "key": "authInfo",
                                                   "value": NEW_AUTH_INFO}},
            {"name": "action", ACTION_MODULE: {"task_id": TRANSFER_TASK_ID, "action": "relaunch"}},
            {"name": "lookup", "ansible.builtin.debug": {"msg": f"{{{{ query('{LOOKUP}', {TRANSFER_TASK_ID}) }}}}"}},
        ],
    }
]
TASK_NAMES = ["info", "argument", "action", "lookup"]

# (case, credentials, source)
CASES = [
    ("keys-environment", "keys", "environment"),
    ("keys-cwd-file", "keys", "cwd_file"),
    ("keys-home-file", "keys", "home_file"),
    ("oauth2-environment", "oauth2", "environment"),
    ("oauth2-cwd-file", "oauth2", "cwd_file"),
]


@pytest.mark.parametrize("credentials, source", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_playbook_without_auth_options(credentials, source, run_playbook, simulator, bare_env, home_dir, work_dir,
                                       tmp_path):
    settings = key_settings(simulator.url) if credentials == "keys" else oauth2_settings(simulator.url)
    _, env, _ = place_settings(source, settings, bare_env, home_dir, work_dir, tmp_path)

    result = run_playbook(yaml.safe_dump(PLAY, sort_keys=False), env, cwd=work_dir)
    statuses = [entry["status"] for entry in result.tasks]

    assert statuses == ["ok"] * len(TASK_NAMES), result.describe()
    assert simulator.argument(TRANSFER_TASK_ID, "authInfo")["value"] == NEW_AUTH_INFO
    assert simulator.task(TRANSFER_TASK_ID)["status"] in ("todo", "doing", "done")
