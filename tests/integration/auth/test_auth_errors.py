"""Each rejected credential gets its own message: it names the credential or
the access rule to check, the API's error code and the OVH query id that
OVHcloud support needs. Secrets never appear in it."""

from __future__ import annotations

import re

import pytest

from auth_testlib import (
    ACTION_MODULE,
    APPLICATION_SECRET,
    CONSUMER_KEY,
    EXPIRED_CONSUMER_KEY,
    INFO_MODULE,
    READONLY_CONSUMER_KEY,
    UNKNOWN_APPLICATION_KEY,
    UNKNOWN_CONSUMER_KEY,
    WRONG_APPLICATION_SECRET,
    key_settings,
    lookup_playbook,
    with_environment,
)

QUERY_ID = re.compile(r"OVH query id: (EU\.ext-sim\.[0-9a-f]+\.\d+\.[0-9a-f-]+)")

# (case, wrong setting, API error code, what the message must name)
REJECTED_KEYS = [
    ("unknown_application_key", {"application_key": UNKNOWN_APPLICATION_KEY}, "INVALID_KEY", "application_key"),
    ("wrong_application_secret", {"application_secret": WRONG_APPLICATION_SECRET}, "INVALID_SIGNATURE",
     "application_secret"),
    ("unknown_consumer_key", {"consumer_key": UNKNOWN_CONSUMER_KEY}, "INVALID_CREDENTIAL", "consumer_key"),
    ("expired_consumer_key", {"consumer_key": EXPIRED_CONSUMER_KEY}, "INVALID_CREDENTIAL", "consumer_key"),
]
SECRETS = (APPLICATION_SECRET, CONSUMER_KEY, WRONG_APPLICATION_SECRET, UNKNOWN_CONSUMER_KEY, EXPIRED_CONSUMER_KEY,
           READONLY_CONSUMER_KEY)


def case_ids(cases):
    return [case[0] for case in cases]


@pytest.mark.parametrize("case", REJECTED_KEYS, ids=case_ids(REJECTED_KEYS))
def test_module_rejected_key_message(case, run_module, simulator, bare_env, work_dir):
    _, wrong, code, credential = case
    env = with_environment(bare_env, key_settings(simulator.url, **wrong))

    outcome = run_module(INFO_MODULE, {"status": "error"}, env=env, cwd=work_dir)

    assert outcome.failed, outcome.playbook.describe()
    assert code in outcome.msg
    assert credential in outcome.msg
    assert "Traceback" not in outcome.playbook.output


@pytest.mark.parametrize("case", REJECTED_KEYS, ids=case_ids(REJECTED_KEYS))
def test_module_rejected_key_query_id(case, run_module, simulator, bare_env, work_dir):
    env = with_environment(bare_env, key_settings(simulator.url, **case[1]))

    outcome = run_module(INFO_MODULE, {"status": "error"}, env=env, cwd=work_dir)

    match = QUERY_ID.search(outcome.msg)
    assert match, outcome.msg
    assert outcome.get("query_id") == match.group(1)
    # The id is the one the simulator sent with its error, not an invented one.
    assert match.group(1) in simulator.log()


@pytest.mark.parametrize("case", REJECTED_KEYS, ids=case_ids(REJECTED_KEYS))
def test_module_rejected_key_no_secret(case, run_module, simulator, bare_env, work_dir):
    env = with_environment(bare_env, key_settings(simulator.url, **case[1]))

    outcome = run_module(INFO_MODULE, {"status": "error"}, env=env, cwd=work_dir)

    for secret in SECRETS:
        assert secret not in outcome.playbook.output


@pytest.mark.parametrize("case", REJECTED_KEYS, ids=case_ids(REJECTED_KEYS))
def test_lookup_rejected_key_message(case, run_playbook, simulator, bare_env, work_dir):
    _, wrong, code, credential = case
    env = with_environment(bare_env, key_settings(simulator.url, **wrong))

    result = run_playbook(lookup_playbook(), env, cwd=work_dir)
    message = str(result.entry("lookup")["result"].get("msg"))

    assert result.entry("lookup")["status"] != "ok", result.describe()
    assert code in message
    assert credential in message
    assert QUERY_ID.search(message), message
    assert "Traceback" not in result.output


def test_module_not_granted_call(run_module, simulator, bare_env, work_dir):
    env = with_environment(bare_env, key_settings(simulator.url, consumer_key=READONLY_CONSUMER_KEY))

    outcome = run_module(ACTION_MODULE, {"task_id": 4000, "action": "relaunch"}, env=env, cwd=work_dir)

    assert outcome.failed, outcome.playbook.describe()
    assert "NOT_GRANTED_CALL" in outcome.msg
    assert "POST /me/task/domain/*/relaunch" in outcome.msg
    assert QUERY_ID.search(outcome.msg), outcome.msg


def test_module_not_granted_sends_no_write(run_module, simulator, bare_env, work_dir):
    env = with_environment(bare_env, key_settings(simulator.url, consumer_key=READONLY_CONSUMER_KEY))

    run_module(ACTION_MODULE, {"task_id": 4000, "action": "relaunch"}, env=env, cwd=work_dir)

    assert simulator.task(4000)["status"] == "error"


def test_module_missing_secret_names_it(run_module, simulator, bare_env, work_dir):
    settings = key_settings(simulator.url)
    del settings["application_secret"]

    outcome = run_module(INFO_MODULE, {"status": "error"}, env=with_environment(bare_env, settings), cwd=work_dir)

    assert outcome.failed, outcome.playbook.describe()
    assert "application_secret (OVH_APPLICATION_SECRET)" in outcome.msg
    assert simulator.requests() == []
