"""Failures that happen before any task is read: missing or wrong
credentials, and an endpoint where nothing listens. Each must fail with a
message that names what to fix, without a Python traceback."""

from __future__ import annotations

import socket

import pytest

INFO_MODULE = "ovhcloud.domain.domain_task_info"
LOOKUP_PLAYBOOK = """
- name: Read domain tasks through the lookup
  hosts: localhost
  gather_facts: false
  tasks:
    - name: lookup
      ansible.builtin.debug:
        msg: "{{ query('ovhcloud.domain.domain_tasks', status='error') }}"
"""
SECRETS = ("demo-application-secret", "demo-consumer-key")


@pytest.fixture
def closed_port_url():
    """URL of a port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/1.0"


def test_module_no_settings(run_module, ansible_base_env):
    outcome = run_module(INFO_MODULE, {"status": "error"}, env=ansible_base_env)

    assert outcome.failed, outcome.playbook.describe()
    assert "OVH_ENDPOINT" in outcome.msg
    assert "Traceback" not in outcome.playbook.output


def test_module_missing_application_key(run_module, ansible_env):
    env = dict(ansible_env)
    del env["OVH_APPLICATION_KEY"]

    outcome = run_module(INFO_MODULE, {"status": "error"}, env=env)

    assert outcome.failed, outcome.playbook.describe()
    assert "application_key" in outcome.msg or "OVH_APPLICATION_KEY" in outcome.msg
    assert "Traceback" not in outcome.playbook.output


def test_module_missing_consumer_key(run_module, ansible_env):
    env = dict(ansible_env)
    del env["OVH_CONSUMER_KEY"]

    outcome = run_module(INFO_MODULE, {"status": "error"}, env=env)

    assert outcome.failed, outcome.playbook.describe()
    assert "consumer_key" in outcome.msg or "OVH_CONSUMER_KEY" in outcome.msg
    assert "Traceback" not in outcome.playbook.output


def test_module_unreachable_endpoint(run_module, ansible_env, closed_port_url):
    env = dict(ansible_env, OVH_ENDPOINT=closed_port_url)

    outcome = run_module(INFO_MODULE, {"status": "error", "timeout": 5}, env=env)

    assert outcome.failed, outcome.playbook.describe()
    assert closed_port_url.split("//")[1].split("/")[0] in outcome.msg
    assert "Traceback" not in outcome.playbook.output
    for secret in SECRETS:
        assert secret not in outcome.playbook.output


def test_module_wrong_consumer_key(run_module, ansible_env, simulator):
    env = dict(ansible_env, OVH_CONSUMER_KEY="not-a-known-consumer-key")

    outcome = run_module(INFO_MODULE, {"status": "error"}, env=env)

    assert outcome.failed, outcome.playbook.describe()
    assert "consumer" in outcome.msg.lower()
    assert "Traceback" not in outcome.playbook.output
    assert "not-a-known-consumer-key" not in outcome.playbook.output


def test_module_wrong_application_secret(run_module, ansible_env, simulator):
    env = dict(ansible_env, OVH_APPLICATION_SECRET="not-the-application-secret")

    outcome = run_module(INFO_MODULE, {"status": "error"}, env=env)

    assert outcome.failed, outcome.playbook.describe()
    assert "secret" in outcome.msg.lower() or "signature" in outcome.msg.lower()
    assert "Traceback" not in outcome.playbook.output
    assert "not-the-application-secret" not in outcome.playbook.output


def test_lookup_no_settings(run_playbook, ansible_base_env):
    result = run_playbook(LOOKUP_PLAYBOOK, ansible_base_env)

    assert result.rc != 0, result.describe()
    assert "OVH_ENDPOINT" in result.output
    assert "Traceback" not in result.output


def test_lookup_missing_consumer_key(run_playbook, ansible_env):
    env = dict(ansible_env)
    del env["OVH_CONSUMER_KEY"]

    result = run_playbook(LOOKUP_PLAYBOOK, env)

    assert result.rc != 0, result.describe()
    assert "consumer_key" in result.output or "OVH_CONSUMER_KEY" in result.output
    assert "Traceback" not in result.output


def test_lookup_unreachable_endpoint(run_playbook, ansible_env, closed_port_url):
    env = dict(ansible_env, OVH_ENDPOINT=closed_port_url)

    result = run_playbook(LOOKUP_PLAYBOOK, env)

    assert result.rc != 0, result.describe()
    assert closed_port_url.split("//")[1].split("/")[0] in result.output
    assert "Traceback" not in result.output
    for secret in SECRETS:
        assert secret not in result.output
