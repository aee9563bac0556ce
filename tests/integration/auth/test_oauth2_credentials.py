"""OAuth2 service accounts (client credentials): every source of client_id
and client_secret, the failures that must stop a run before or at the token
request, and a token that expires during a run."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from auth_testlib import (
    ACTION_MODULE,
    CLIENT_ID,
    CLIENT_SECRET,
    ERROR_TASK_IDS,
    INFO_MODULE,
    LOOKUP_SOURCES,
    SOURCES,
    UNKNOWN_CLIENT_ID,
    WRONG_CLIENT_SECRET,
    count_calls,
    key_settings,
    lookup_arguments,
    lookup_playbook,
    lookup_task_ids,
    module_task_ids,
    oauth2_settings,
    place_settings,
    with_environment,
)

TOKEN_PATH = "/auth/oauth2/token"
READONLY_CLIENT_ID = "auth-readonly-client-id"
READONLY_CLIENT_SECRET = "auth-readonly-client-secret-Tz63"


@pytest.mark.parametrize("source", SOURCES)
def test_module_oauth2_from(source, run_module, simulator, bare_env, home_dir, work_dir, tmp_path):
    options, env, _ = place_settings(source, oauth2_settings(simulator.url), bare_env, home_dir, work_dir, tmp_path)

    outcome = run_module(INFO_MODULE, dict(options, status="error"), env=env, cwd=work_dir)

    assert module_task_ids(outcome) == ERROR_TASK_IDS, outcome.playbook.describe()


@pytest.mark.parametrize("source", LOOKUP_SOURCES)
def test_lookup_oauth2_from(source, run_playbook, simulator, bare_env, home_dir, work_dir, tmp_path):
    options, env, task_vars = place_settings(source, oauth2_settings(simulator.url), bare_env, home_dir, work_dir,
                                             tmp_path)

    result = run_playbook(lookup_playbook(lookup_arguments(options), task_vars), env, cwd=work_dir)

    assert lookup_task_ids(result) == ERROR_TASK_IDS, result.describe()


def test_module_oauth2_one_token(run_module, simulator, bare_env, work_dir):
    env = with_environment(bare_env, oauth2_settings(simulator.url))

    run_module(INFO_MODULE, {"status": "error", "arguments": True}, env=env, cwd=work_dir)
    log = simulator.requests()

    assert count_calls(log, "POST", TOKEN_PATH) == 1
    assert count_calls(log, "GET", "/auth/time") == 0


@pytest.mark.parametrize("wrong", [{"client_id": UNKNOWN_CLIENT_ID}, {"client_secret": WRONG_CLIENT_SECRET}],
                         ids=["unknown_client", "wrong_secret"])
def test_module_oauth2_rejected(wrong, run_module, simulator, bare_env, work_dir):
    env = with_environment(bare_env, oauth2_settings(simulator.url, **wrong))

    outcome = run_module(INFO_MODULE, {"status": "error"}, env=env, cwd=work_dir)

    assert outcome.failed, outcome.playbook.describe()
    assert "OAuth2 failure" in outcome.msg
    assert "invalid_client" in outcome.msg
    assert "client_secret (OVH_CLIENT_SECRET)" in outcome.msg
    assert WRONG_CLIENT_SECRET not in outcome.playbook.output
    assert CLIENT_SECRET not in outcome.playbook.output
    assert "Traceback" not in outcome.playbook.output


@pytest.mark.parametrize("wrong", [{"client_id": UNKNOWN_CLIENT_ID}, {"client_secret": WRONG_CLIENT_SECRET}],
                         ids=["unknown_client", "wrong_secret"])
def test_lookup_oauth2_rejected(wrong, run_playbook, simulator, bare_env, work_dir):
    env = with_environment(bare_env, oauth2_settings(simulator.url, **wrong))

    result = run_playbook(lookup_playbook(), env, cwd=work_dir)

    assert lookup_task_ids(result) is None, result.describe()
    assert "OAuth2 failure" in result.entry("lookup")["result"]["msg"]
    assert WRONG_CLIENT_SECRET not in result.output
    assert CLIENT_SECRET not in result.output


def test_module_oauth2_not_granted(run_module, simulator, bare_env, work_dir):
    settings = oauth2_settings(simulator.url, client_id=READONLY_CLIENT_ID, client_secret=READONLY_CLIENT_SECRET)

    outcome = run_module(ACTION_MODULE, {"task_id": 4000, "action": "relaunch"},
                         env=with_environment(bare_env, settings), cwd=work_dir)

    assert outcome.failed, outcome.playbook.describe()
    assert "NOT_GRANTED_CALL" in outcome.msg
    assert "POST /me/task/domain/*/relaunch" in outcome.msg
    assert "OVH query id:" in outcome.msg


def test_module_oauth2_kimsufi(run_module, simulator, bare_env, work_dir, closed_port_url):
    # The proxy catches any request to the real kimsufi API and fails it on this machine.
    env = with_environment(bare_env, oauth2_settings("kimsufi-eu"))
    env.update(HTTPS_PROXY=closed_port_url.rsplit("/", 1)[0], https_proxy=closed_port_url.rsplit("/", 1)[0])

    outcome = run_module(INFO_MODULE, {"status": "error", "timeout": 5}, env=env, cwd=work_dir)

    assert outcome.failed, outcome.playbook.describe()
    assert "kimsufi-eu has no OAuth2" in outcome.msg
    assert "Traceback" not in outcome.playbook.output


def test_lookup_oauth2_kimsufi(run_playbook, simulator, bare_env, work_dir, closed_port_url):
    env = with_environment(bare_env, oauth2_settings("kimsufi-eu"))
    env.update(HTTPS_PROXY=closed_port_url.rsplit("/", 1)[0], https_proxy=closed_port_url.rsplit("/", 1)[0])

    result = run_playbook(lookup_playbook(), env, cwd=work_dir)

    assert lookup_task_ids(result) is None, result.describe()
    assert "kimsufi-eu has no OAuth2" in result.entry("lookup")["result"]["msg"]


def test_module_oauth2_client_id_only(run_module, simulator, bare_env, work_dir):
    env = with_environment(bare_env, {"endpoint": simulator.url, "client_id": CLIENT_ID})

    outcome = run_module(INFO_MODULE, {"status": "error"}, env=env, cwd=work_dir)

    assert outcome.failed, outcome.playbook.describe()
    assert "OAuth2 credentials are incomplete" in outcome.msg
    assert "client_secret (OVH_CLIENT_SECRET) is missing" in outcome.msg
    assert simulator.requests() == []


def test_module_oauth2_client_id_only_source(run_module, simulator, bare_env, work_dir):
    env = with_environment(bare_env, {"endpoint": simulator.url, "client_id": CLIENT_ID})

    outcome = run_module(INFO_MODULE, {"status": "error"}, env=env, cwd=work_dir)

    assert "client_id from environment (OVH_CLIENT_ID) is set" in outcome.msg


def test_module_oauth2_secret_only(run_module, simulator, bare_env, work_dir):
    env = with_environment(bare_env, {"endpoint": simulator.url, "client_secret": CLIENT_SECRET})

    outcome = run_module(INFO_MODULE, {"status": "error"}, env=env, cwd=work_dir)

    assert outcome.failed, outcome.playbook.describe()
    assert "client_id (OVH_CLIENT_ID) is missing" in outcome.msg
    assert CLIENT_SECRET not in outcome.playbook.output
    assert simulator.requests() == []


def test_module_keys_and_client_id(run_module, simulator, bare_env, work_dir):
    env = with_environment(bare_env, dict(key_settings(simulator.url), client_id=CLIENT_ID))

    outcome = run_module(INFO_MODULE, {"status": "error"}, env=env, cwd=work_dir)

    assert outcome.failed, outcome.playbook.describe()
    assert "Both OAuth2 credentials" in outcome.msg
    assert simulator.requests() == []


def test_module_keys_and_client_id_sources(run_module, simulator, bare_env, work_dir):
    # The message names the source of each credential, so that the user can tell what to unset.
    env = with_environment(bare_env, dict(key_settings(simulator.url), client_id=CLIENT_ID))

    outcome = run_module(INFO_MODULE, {"status": "error"}, env=env, cwd=work_dir)

    assert "client_id from environment (OVH_CLIENT_ID)" in outcome.msg
    assert "consumer_key from environment (OVH_CONSUMER_KEY)" in outcome.msg


def test_lookup_keys_and_client_id(run_playbook, simulator, bare_env, work_dir):
    env = with_environment(bare_env, key_settings(simulator.url))

    result = run_playbook(lookup_playbook(task_vars={"ovh_client_id": CLIENT_ID}), env, cwd=work_dir)

    assert lookup_task_ids(result) is None, result.describe()
    assert "Both OAuth2 credentials" in result.entry("lookup")["result"]["msg"]
    assert simulator.requests() == []


def expire_tokens(simulator):
    """Make every token the simulator issued so far invalid, and return its reply ``{"expired": N}``."""
    with requests.Session() as session:
        # Proxy settings from the environment must not apply to 127.0.0.1.
        session.trust_env = False
        response = session.post(f"{simulator.control}/tokens/expire", timeout=10)
    response.raise_for_status()
    return response.json()


def test_module_oauth2_token_expired_mid_run(run_module, simulator, bare_env, work_dir):
    """Expire every token right after the relaunch, so the wait's next read gets 401 and the client renews once."""
    env = with_environment(bare_env, oauth2_settings(simulator.url))
    stop = threading.Event()
    expired = []

    def expire_after_relaunch():
        while not stop.is_set():
            log = simulator.requests()
            if any(entry["path"] == "/me/task/domain/4000/relaunch" and entry["status"] == 200 for entry in log):
                expired.append(expire_tokens(simulator))
                return
            time.sleep(0.05)

    watcher = threading.Thread(target=expire_after_relaunch, daemon=True)
    watcher.start()
    try:
        outcome = run_module(ACTION_MODULE, {"task_id": 4000, "action": "relaunch", "wait": True,
                                             "wait_timeout": 60}, env=env, cwd=work_dir)
    finally:
        stop.set()
        watcher.join(timeout=10)
    log = simulator.requests()

    assert not outcome.failed, outcome.playbook.describe()
    assert outcome["task"]["status"] == "done"
    assert expired == [{"expired": 1}]
    assert [entry["status"] for entry in log if entry["path"] == TOKEN_PATH] == [200, 200]
    assert sum(1 for entry in log if entry["status"] == 401) == 1
