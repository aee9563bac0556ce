"""No secret reaches Ansible's output. Every module and the lookup run at
-vvvv in diff mode, with and without check mode, with succeeding and failing
tasks (an argument value the API limits reject, a rejected credential), with
the credentials given as module options, as OVH_* environment variables and
in ./ovh.conf. Each secret is a distinctive string, so any match in the
output is a leak. Ansible itself shows no_log option values as ********."""

from __future__ import annotations

import json

import pytest
import yaml

from auth_testlib import (
    ACTION_MODULE,
    APPLICATION_SECRET,
    ARGUMENT_MODULE,
    CLIENT_SECRET,
    CONSUMER_KEY,
    INFO_MODULE,
    LOOKUP,
    NEW_AUTH_INFO,
    OLD_AUTH_INFO,
    TRANSFER_TASK_ID,
    UNKNOWN_CONSUMER_KEY,
    WRONG_APPLICATION_SECRET,
    WRONG_CLIENT_SECRET,
    key_settings,
    oauth2_settings,
    place_settings,
)

# Longer than the argument's maximumSize of 50, so the module rejects it before any write.
TOO_LONG_AUTH_INFO = "Too-Long-Xfer-Code-4471-" + "Qz" * 20

SECRETS = (
    APPLICATION_SECRET, CONSUMER_KEY, CLIENT_SECRET, WRONG_APPLICATION_SECRET, UNKNOWN_CONSUMER_KEY,
    WRONG_CLIENT_SECRET, OLD_AUTH_INFO, NEW_AUTH_INFO, TOO_LONG_AUTH_INFO,
)

# Expected status of each task of the plays: ok, or ignored for the failures they provoke.
EXPECTED_STATUSES = {
    "info": "ok",
    "info in check mode": "ok",
    "argument in check mode": "ok",
    "argument": "ok",
    "argument again": "ok",
    "argument in bulk form": "ok",
    "argument too long": "ignored",
    "action in check mode": "ok",
    "action": "ok",
    "lookup": "ok",
}
EXPECTED_REJECTED_STATUSES = {"info": "ignored", "action": "ignored", "lookup": "ignored"}

# (credentials, source); ovh.conf is the one in the working directory.
CASES = [
    ("keys", "options"),
    ("keys", "environment"),
    ("keys", "cwd_file"),
    ("oauth2", "options"),
    ("oauth2", "environment"),
    ("oauth2", "cwd_file"),
]
CASE_IDS = [f"{case[0]}-{case[1]}" for case in CASES]


def wrong_credentials(credentials):
    """Return a rejected credential: a wrong secret and an unknown consumer key, or a wrong client secret."""
    if credentials == "keys":
        return {"application_secret": WRONG_APPLICATION_SECRET, "consumer_key": UNKNOWN_CONSUMER_KEY}
    return {"client_secret": WRONG_CLIENT_SECRET}


def write_vars_file(path, values):
    """Write ``values`` as a vars file and return ``{name: variable name}``.

    Plays refer to secrets through variables, as they would to a vault,
    because Ansible's error report quotes the playbook lines above a failed
    task: a secret written in the playbook itself shows there, whatever the
    collection does.
    """
    variables = {f"auth_test_{name}": value for name, value in values.items()}
    path.write_text(yaml.safe_dump(variables), encoding="utf-8")
    return {name: f"auth_test_{name}" for name in values}


def templates(variables):
    return {name: f"{{{{ {variable} }}}}" for name, variable in variables.items()}


def lookup_task(filters, variables):
    arguments = ", ".join([filters] + [f"{option}={variable}" for option, variable in variables.items()])
    return {"name": "lookup", "ansible.builtin.debug": {"msg": f"{{{{ query('{LOOKUP}', {arguments}) }}}}"}}


def build_play(tasks, variables, vars_file):
    """Return a play of ``tasks``, each ignoring errors and given the auth options of ``variables``."""
    options = templates(variables)
    for task in tasks:
        module = next(key for key in task if key.startswith("ovhcloud."))
        task[module].update(options)
    for task in tasks:
        task["ignore_errors"] = True
    return [{"name": "Modules and lookup at -vvvv", "hosts": "localhost", "gather_facts": False,
             "vars_files": [str(vars_file)], "tasks": tasks}]


def place_secrets(credentials, source, settings, env, home_dir, work_dir, tmp_path):
    """Put ``settings`` in ``source`` and the argument values in a vars file.

    Returns the variables of the auth options (set for the options source
    only) and the environment to run with.
    """
    options, env, _ = place_settings(source, settings, env, home_dir, work_dir, tmp_path)
    values = dict(options, new_auth_info=NEW_AUTH_INFO, too_long_auth_info=TOO_LONG_AUTH_INFO)
    variables = write_vars_file(tmp_path / "secrets.yml", values)
    auth_variables = {name: variables[name] for name in options}
    return auth_variables, env


def leaks(result, simulator):
    """Return the secrets found in the output, in the registered results or in the simulator's log."""
    places = {"output": result.output, "results": json.dumps(result.tasks), "simulator log": simulator.log()}
    return [f"{secret} in {place}" for secret in SECRETS for place, text in places.items() if secret in text]


@pytest.mark.parametrize("credentials, source", CASES, ids=CASE_IDS)
def test_no_secret_in_output(credentials, source, run_playbook, simulator, bare_env, home_dir, work_dir, tmp_path):
    settings = key_settings(simulator.url) if credentials == "keys" else oauth2_settings(simulator.url)
    variables, env = place_secrets(credentials, source, settings, bare_env, home_dir, work_dir, tmp_path)
    argument = {"task_id": TRANSFER_TASK_ID, "key": "authInfo", "value": "{{ auth_test_new_auth_info }}"}
    tasks = [
        {"name": "info", INFO_MODULE: {"status": "error", "arguments": True, "progress": True}},
        {"name": "info in check mode", INFO_MODULE: {"task_id": [TRANSFER_TASK_ID], "arguments": True},
         "check_mode": True},
        {"name": "argument in check mode", ARGUMENT_MODULE: dict(argument), "check_mode": True},
        {"name": "argument", ARGUMENT_MODULE: dict(argument)},
        {"name": "argument again", ARGUMENT_MODULE: dict(argument)},
        {"name": "argument in bulk form", ARGUMENT_MODULE: {"values": [dict(argument)]}},
        {"name": "argument too long", ARGUMENT_MODULE: dict(argument, value="{{ auth_test_too_long_auth_info }}")},
        {"name": "action in check mode", ACTION_MODULE: {"task_id": 4000, "action": "relaunch"}, "check_mode": True},
        {"name": "action", ACTION_MODULE: {"task_id": TRANSFER_TASK_ID, "action": "relaunch"}},
    ]
    play = build_play(tasks, variables, tmp_path / "secrets.yml")
    play[0]["tasks"].append(dict(lookup_task("status='error', arguments=true", variables), ignore_errors=True))

    result = run_playbook(yaml.safe_dump(play, sort_keys=False), env, diff=True, extra_args=("-vvvv",),
                          cwd=work_dir)
    statuses = {entry["task"]: entry["status"] for entry in result.tasks}

    assert leaks(result, simulator) == [], result.describe()
    assert statuses == EXPECTED_STATUSES, result.describe()
    assert simulator.argument(TRANSFER_TASK_ID, "authInfo")["value"] == NEW_AUTH_INFO


@pytest.mark.parametrize("credentials, source", CASES, ids=CASE_IDS)
def test_no_secret_when_rejected(credentials, source, run_playbook, simulator, bare_env, home_dir, work_dir,
                                 tmp_path):
    settings = key_settings(simulator.url) if credentials == "keys" else oauth2_settings(simulator.url)
    settings.update(wrong_credentials(credentials))
    variables, env = place_secrets(credentials, source, settings, bare_env, home_dir, work_dir, tmp_path)
    tasks = [
        {"name": "info", INFO_MODULE: {"status": "error", "arguments": True}},
        {"name": "action", ACTION_MODULE: {"task_id": 4000, "action": "relaunch"}},
    ]
    play = build_play(tasks, variables, tmp_path / "secrets.yml")
    play[0]["tasks"].append(dict(lookup_task("status='error'", variables), ignore_errors=True))

    result = run_playbook(yaml.safe_dump(play, sort_keys=False), env, diff=True, extra_args=("-vvvv",),
                          cwd=work_dir)
    statuses = {entry["task"]: entry["status"] for entry in result.tasks}

    assert leaks(result, simulator) == [], result.describe()
    assert statuses == EXPECTED_REJECTED_STATUSES, result.describe()
