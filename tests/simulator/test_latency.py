"""Base latency, request counters and concurrent keep-alive clients.

No test here asserts durations: timing depends on the machine. Measured
round trips are in simulator/PERFORMANCE.md.
"""

from __future__ import annotations

import threading
import time

import pytest
import requests

import ovhsim_testlib  # noqa: F401  (puts simulator/ on sys.path)
from ovhsim.scenario import ScenarioError, load_scenario
from ovhsim_testlib import (
    DEMO_APPLICATION_KEY,
    DEMO_APPLICATION_SECRET,
    DEMO_CONSUMER_KEY,
    load_guide,
    sign,
    signed_request,
    write_scenario,
)


def test_latency_from_scenario(start_sim):
    scenario = load_guide()
    scenario["latency_ms"] = 20
    sim = start_sim(scenario)

    assert sim.control_call("GET", "/latency") == {"seconds": 0.02}
    assert signed_request(sim, "GET", "/me/task/domain/1000").status_code == 200


def test_latency_set_and_reset(guide_sim):
    assert guide_sim.control_call("GET", "/latency") == {"seconds": 0.0}

    assert guide_sim.control_call("POST", "/latency", json={"seconds": 0.05}) == {"seconds": 0.05}
    assert guide_sim.control_call("GET", "/latency") == {"seconds": 0.05}
    response = signed_request(guide_sim, "GET", "/me/task/domain/1000")
    assert response.status_code == 200
    assert response.json()["id"] == 1000

    guide_sim.control_call("POST", "/reset")
    assert guide_sim.control_call("GET", "/latency") == {"seconds": 0.0}


@pytest.mark.parametrize("body", [{"seconds": -1}, {"seconds": "fast"}, {"seconds": True}, {}, [0.1]],
                         ids=["negative", "text", "boolean", "missing", "list"])
def test_invalid_latency_rejected(guide_sim, body):
    answer = guide_sim.control_call("POST", "/latency", expected_status=400, json=body)

    assert answer["error"].startswith("seconds must be a number >= 0")


def test_scenario_latency_error_names_field(tmp_path):
    scenario = load_guide()
    scenario["latency_ms"] = "slow"
    path = write_scenario(scenario, tmp_path / "scenario.yaml")

    with pytest.raises(ScenarioError, match=r"latency_ms: expected a number of milliseconds >= 0"):
        load_scenario(path)


def test_stats_count_by_method_and_route(guide_sim):
    signed_request(guide_sim, "GET", "/me/task/domain")
    signed_request(guide_sim, "GET", "/me/task/domain/1000")
    signed_request(guide_sim, "GET", "/me/task/domain/1001")
    signed_request(guide_sim, "PUT", "/me/task/domain/1000/argument/legitimacyAfnic", {"value": "For my city hall"})
    signed_request(guide_sim, "GET", "/me/task/domain/1000/argument/legitimacyAfnic")
    signed_request(guide_sim, "GET", "/no/such/route")
    guide_sim.state()

    stats = guide_sim.control_call("GET", "/stats")

    assert stats["requests"] == 6
    assert stats["by_method"] == {"GET": 5, "PUT": 1}
    assert stats["by_route"] == {
        "/me/task/domain": 1,
        "/me/task/domain/{id}": 2,
        "/me/task/domain/{id}/argument/{key}": 2,
        "(unknown route)": 1,
    }
    assert stats["by_call"]["PUT /me/task/domain/{id}/argument/{key}"] == 1
    assert stats["by_call"]["GET /me/task/domain/{id}/argument/{key}"] == 1
    assert stats["by_status"] == {"200": 5, "404": 1}
    assert stats["by_fault"] == {}


def test_stats_count_faults(guide_sim):
    guide_sim.control_call("POST", "/faults", json=[{"fault": "drop", "times": 1}, {"fault": "rate_limit", "times": 1}])

    with pytest.raises(requests.ConnectionError):
        signed_request(guide_sim, "GET", "/me/task/domain")
    signed_request(guide_sim, "GET", "/me/task/domain")

    stats = guide_sim.control_call("GET", "/stats")
    assert stats["by_fault"] == {"drop": 1, "rate_limit": 1}
    assert stats["by_status"] == {"none": 1, "429": 1}


def test_clearing_request_log_clears_stats(guide_sim):
    signed_request(guide_sim, "GET", "/me/task/domain")

    guide_sim.control_call("DELETE", "/requests")

    assert guide_sim.control_call("GET", "/stats")["requests"] == 0


def test_clear_stats_keeps_request_log(guide_sim):
    signed_request(guide_sim, "GET", "/me/task/domain")
    signed_request(guide_sim, "GET", "/me/task/domain")

    assert guide_sim.control_call("DELETE", "/stats") == {"cleared": 2}

    assert guide_sim.control_call("GET", "/stats")["requests"] == 0
    assert len(guide_sim.requests_log()) == 2


def test_reset_clears_stats(guide_sim):
    signed_request(guide_sim, "GET", "/me/task/domain")

    guide_sim.control_call("POST", "/reset")

    assert guide_sim.control_call("GET", "/stats") == {
        "requests": 0, "by_method": {}, "by_route": {}, "by_call": {}, "by_status": {}, "by_fault": {},
    }


def signed_get(sim, session: requests.Session, path: str) -> requests.Response:
    """Send a signed GET through ``session``; each client thread has its own keep-alive session."""
    url = sim.url + path
    stamp = str(int(time.time()))
    headers = {
        "X-Ovh-Application": DEMO_APPLICATION_KEY,
        "X-Ovh-Consumer": DEMO_CONSUMER_KEY,
        "X-Ovh-Timestamp": stamp,
        "X-Ovh-Signature": sign(DEMO_APPLICATION_SECRET, DEMO_CONSUMER_KEY, "GET", url, "", stamp),
    }
    return session.get(url, headers=headers, timeout=30)


def test_concurrent_keep_alive_clients(guide_sim):
    guide_sim.control_call("POST", "/latency", json={"seconds": 0.01})
    clients, calls = 16, 25
    failures: list[str] = []
    lock = threading.Lock()

    def run_client(number: int) -> None:
        with requests.Session() as session:
            session.trust_env = False
            for call in range(calls):
                task_id = 1000 + (number + call) % 7
                try:
                    response = signed_get(guide_sim, session, f"/me/task/domain/{task_id}")
                    if response.status_code != 200 or response.json()["id"] != task_id:
                        raise AssertionError(f"status {response.status_code}: {response.text}")
                except (requests.RequestException, AssertionError) as error:
                    with lock:
                        failures.append(f"client {number} call {call}: {error}")

    threads = [threading.Thread(target=run_client, args=(number,)) for number in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    stats = guide_sim.control_call("GET", "/stats")
    assert stats["by_call"] == {"GET /me/task/domain/{id}": clients * calls}
