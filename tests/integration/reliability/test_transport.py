"""Transport safety seen from a playbook: an endpoint that would send the
credentials in clear text to another machine is rejected before any request,
and a CA bundle that does not exist fails with a message that names it.

The non-loopback endpoint is http://0.0.0.0 on the simulator's port. Linux
connects 0.0.0.0 to the local machine, so a request that the collection
failed to stop would reach the simulator and show in its log. No packet
leaves the machine either way.
"""

from __future__ import annotations

import pytest

from reliability_testlib import SCENARIO, TASK_NAME, Entry, crashed, module_play

MODULES = {
    "ovhcloud.domain.domain_task_info": {"status": "error"},
    "ovhcloud.domain.domain_task_argument": {"task_id": 5000, "key": "legitimacyAfnic", "value": "some value"},
    "ovhcloud.domain.domain_task_action": {"task_id": 5000, "action": "relaunch"},
}

LOOKUP_PLAY = """
- name: Read domain tasks through the lookup
  hosts: localhost
  gather_facts: false
  tasks:
    - name: {name}
      ansible.builtin.debug:
        msg: "{{{{ query('ovhcloud.domain.domain_tasks', status='error', endpoint='{endpoint}') }}}}"
      ignore_errors: true
"""

MISSING_CA_BUNDLE = "/nonexistent/ovhcloud-ca-bundle.pem"


def port_of(simulator) -> str:
    return simulator.url.split("//")[1].split("/")[0].split(":")[1]


def record(collector, scenario: str, entry: dict, requests: int) -> None:
    collector.add(Entry(scenario=f"transport/{scenario}", category="transport",
                        outcome="rejected" if entry["status"] == "ignored" else "not rejected", runs=1,
                        details={"requests_received": requests}))


@pytest.mark.parametrize("module", sorted(MODULES))
def test_plain_http_to_other_host_rejected(module, simulator_factory, env_for, run_playbook, collector):
    simulator = simulator_factory(SCENARIO)
    endpoint = f"http://0.0.0.0:{port_of(simulator)}/1.0"

    run = run_playbook(module_play(module, dict(MODULES[module], endpoint=endpoint)), env_for(simulator))

    entry = run.entry(TASK_NAME)
    message = str(entry["result"].get("msg", ""))
    received = simulator.requests()
    record(collector, f"plain-http-{module.rsplit('.', 1)[1]}", entry, len(received))
    assert entry["status"] == "ignored", run.describe()
    assert endpoint in message, run.describe()
    assert "plain http" in message, run.describe()
    assert not crashed(entry["result"]), run.describe()
    assert received == [], received


def test_plain_http_lookup_rejected(simulator_factory, env_for, run_playbook, collector):
    simulator = simulator_factory(SCENARIO)
    endpoint = f"http://0.0.0.0:{port_of(simulator)}/1.0"

    run = run_playbook(LOOKUP_PLAY.format(name=TASK_NAME, endpoint=endpoint), env_for(simulator))

    entry = run.entry(TASK_NAME)
    received = simulator.requests()
    record(collector, "plain-http-lookup", entry, len(received))
    assert entry["status"] == "ignored", run.describe()
    assert "plain http" in str(entry["result"].get("msg", "")), run.describe()
    assert received == [], received


def test_plain_http_to_loopback_allowed(simulator_factory, env_for, run_playbook, collector):
    simulator = simulator_factory(SCENARIO)

    run = run_playbook(module_play("ovhcloud.domain.domain_task_info", {"task_id": [5000]}), env_for(simulator))

    entry = run.entry(TASK_NAME)
    collector.add(Entry(scenario="transport/plain-http-loopback", category="transport",
                        outcome="succeeded" if entry["status"] == "ok" else "failed", runs=1))
    assert entry["status"] == "ok", run.describe()
    assert [task["id"] for task in entry["result"]["tasks"]] == [5000]


def test_missing_ca_bundle_fails_clearly(simulator_factory, env_for, run_playbook, collector):
    simulator = simulator_factory(SCENARIO)
    args = {"status": "error", "endpoint": f"https://127.0.0.1:{port_of(simulator)}/1.0",
            "ca_bundle": MISSING_CA_BUNDLE}

    run = run_playbook(module_play("ovhcloud.domain.domain_task_info", args), env_for(simulator))

    entry = run.entry(TASK_NAME)
    message = str(entry["result"].get("msg", ""))
    received = simulator.requests()
    record(collector, "missing-ca-bundle", entry, len(received))
    assert entry["status"] == "ignored", run.describe()
    assert received == [], received
    assert MISSING_CA_BUNDLE in message, run.describe()
    assert not crashed(entry["result"]), run.describe()
    assert "ca_bundle" in message, run.describe()
