"""Fault injection: rules from the scenario and from /_simulator/faults, and what each fault kind does."""

from __future__ import annotations

import json
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
    QUERY_ID_PATTERN,
    load_guide,
    sign,
    signed_request,
    write_scenario,
)

JUSTIFICATION = "I am the mayor of the city Example."
ARGUMENT_PATH = "/me/task/domain/1000/argument/legitimacyAfnic"
RELAUNCH_PATH = "/me/task/domain/1000/relaunch"


def add_faults(sim, *rules: dict) -> dict:
    return sim.control_call("POST", "/faults", json=list(rules))


def argument_value(sim, task_id: int, key: str):
    return next(argument["value"] for argument in sim.task(task_id)["arguments"] if argument["key"] == key)


def signed_request_with_timeout(sim, method: str, path: str, body: dict, timeout: float) -> requests.Response:
    """Send a signed request on a new connection with a short client timeout."""
    url = sim.url + path
    text = json.dumps(body, separators=(",", ":"))
    stamp = str(int(time.time()))
    headers = {
        "X-Ovh-Application": DEMO_APPLICATION_KEY,
        "X-Ovh-Consumer": DEMO_CONSUMER_KEY,
        "X-Ovh-Timestamp": stamp,
        "X-Ovh-Signature": sign(DEMO_APPLICATION_SECRET, DEMO_CONSUMER_KEY, method, url, text, stamp),
        "Content-Type": "application/json",
    }
    with requests.Session() as session:
        session.trust_env = False
        return session.request(method, url, data=text.encode("utf-8"), headers=headers, timeout=timeout)


def test_drop_closes_before_processing(guide_sim):
    signed_request(guide_sim, "PUT", ARGUMENT_PATH, {"value": JUSTIFICATION})
    add_faults(guide_sim, {"fault": "drop", "method": "POST", "path": "/me/task/domain/*/relaunch"})

    with pytest.raises(requests.ConnectionError):
        signed_request(guide_sim, "POST", RELAUNCH_PATH)

    assert guide_sim.task(1000)["status"] == "error"
    entry = guide_sim.requests_log()[-1]
    assert entry["path"] == RELAUNCH_PATH
    assert entry["fault"] == "drop"
    assert entry["status"] is None


def test_drop_hits_only_times_requests(guide_sim):
    add_faults(guide_sim, {"fault": "drop", "method": "GET", "path": "/me/task/domain/1000", "times": 1})

    with pytest.raises(requests.ConnectionError):
        signed_request(guide_sim, "GET", "/me/task/domain/1000")
    response = signed_request(guide_sim, "GET", "/me/task/domain/1000")

    assert response.status_code == 200
    assert response.json()["id"] == 1000
    assert [entry["fault"] for entry in guide_sim.requests_log()] == ["drop", None]


def test_lost_response_applies_argument_put(guide_sim):
    add_faults(guide_sim, {"fault": "lost_response", "method": "PUT", "path": "/me/task/domain/*/argument/*"})

    with pytest.raises(requests.ConnectionError):
        signed_request(guide_sim, "PUT", ARGUMENT_PATH, {"value": JUSTIFICATION})

    assert argument_value(guide_sim, 1000, "legitimacyAfnic") == JUSTIFICATION
    entry = guide_sim.requests_log()[-1]
    assert entry["fault"] == "lost_response"
    assert entry["status"] is None
    assert entry["body"] == {"value": JUSTIFICATION}


def test_lost_response_applies_relaunch(guide_sim):
    signed_request(guide_sim, "PUT", ARGUMENT_PATH, {"value": JUSTIFICATION})
    add_faults(guide_sim, {"fault": "lost_response", "method": "POST", "path": RELAUNCH_PATH})

    with pytest.raises(requests.ConnectionError):
        signed_request(guide_sim, "POST", RELAUNCH_PATH)

    assert guide_sim.task(1000)["status"] == "todo"
    # A second relaunch, as a client that retried blindly would send, is refused.
    assert signed_request(guide_sim, "POST", RELAUNCH_PATH).status_code == 403


def test_lost_response_after_failed_authentication(guide_sim):
    signed_request(guide_sim, "PUT", ARGUMENT_PATH, {"value": JUSTIFICATION})
    add_faults(guide_sim, {"fault": "lost_response", "method": "POST", "path": RELAUNCH_PATH})

    with pytest.raises(requests.ConnectionError):
        signed_request(guide_sim, "POST", RELAUNCH_PATH, tamper=True)

    assert guide_sim.task(1000)["status"] == "error"


def test_http_error_sends_html_page(guide_sim):
    add_faults(guide_sim, {"fault": "http_error", "status": 503, "path": "/me/task/domain"})

    response = signed_request(guide_sim, "GET", "/me/task/domain")

    assert response.status_code == 503
    assert response.headers["Content-Type"].startswith("text/html")
    assert "503 Service Unavailable" in response.text
    assert "X-Ovh-Queryid" not in response.headers
    entry = guide_sim.requests_log()[-1]
    assert entry["status"] == 503
    assert entry["fault"] == "http_error"


def test_http_error_custom_body_and_retry_after(guide_sim):
    page = "<html><body>maintenance</body></html>"
    add_faults(guide_sim, {"fault": "http_error", "status": 504, "body": page, "retry_after": 3})

    response = signed_request(guide_sim, "GET", "/me/task/domain/1000")

    assert response.status_code == 504
    assert response.text == page
    assert response.headers["Retry-After"] == "3"


def test_http_error_skips_authentication(guide_sim):
    add_faults(guide_sim, {"fault": "http_error", "status": 502})

    response = signed_request(guide_sim, "GET", "/me/task/domain", tamper=True)

    assert response.status_code == 502


def test_http_error_skips_write(guide_sim):
    signed_request(guide_sim, "PUT", ARGUMENT_PATH, {"value": JUSTIFICATION})
    add_faults(guide_sim, {"fault": "http_error", "method": "POST", "status": 502})

    response = signed_request(guide_sim, "POST", RELAUNCH_PATH)

    assert response.status_code == 502
    assert guide_sim.task(1000)["status"] == "error"


def test_rate_limit_reply(guide_sim):
    add_faults(guide_sim, {"fault": "rate_limit", "retry_after": 7})

    response = signed_request(guide_sim, "GET", "/me/task/domain")

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["class"] == "Client::TooManyRequests"
    assert QUERY_ID_PATTERN.fullmatch(response.headers["X-Ovh-Queryid"])


def test_rate_limit_default_retry_after(guide_sim):
    add_faults(guide_sim, {"fault": "rate_limit"})

    response = signed_request(guide_sim, "GET", "/me/task/domain")

    assert response.headers["Retry-After"] == "1"


def test_empty_body_on_read(guide_sim):
    add_faults(guide_sim, {"fault": "empty_body", "method": "GET"})

    response = signed_request(guide_sim, "GET", "/me/task/domain/1000")

    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["Content-Length"] == "0"
    assert guide_sim.requests_log()[-1]["fault"] == "empty_body"


def test_empty_body_on_write_applies_it(guide_sim):
    add_faults(guide_sim, {"fault": "empty_body", "method": "PUT"})

    response = signed_request(guide_sim, "PUT", ARGUMENT_PATH, {"value": JUSTIFICATION})

    assert response.status_code == 200
    assert response.content == b""
    assert argument_value(guide_sim, 1000, "legitimacyAfnic") == JUSTIFICATION


def test_latency_fault_answers_normally(guide_sim):
    add_faults(guide_sim, {"fault": "latency", "seconds": 0.2})

    response = signed_request(guide_sim, "GET", "/me/task/domain/1000")

    assert response.status_code == 200
    assert response.json()["id"] == 1000
    assert guide_sim.requests_log()[-1]["fault"] == "latency"


def test_rule_matches_method_and_path_glob(guide_sim):
    add_faults(guide_sim, {"fault": "http_error", "method": "GET", "path": "/me/task/domain/*", "times": 2})

    # The glob needs the "/" after domain, and the method must be GET.
    assert signed_request(guide_sim, "GET", "/me/task/domain").status_code == 200
    assert signed_request(guide_sim, "PUT", ARGUMENT_PATH, {"value": JUSTIFICATION}).status_code == 200
    assert signed_request(guide_sim, "GET", "/me/task/domain/1000").status_code == 502
    assert signed_request(guide_sim, "GET", "/me/task/domain/1001/argument").status_code == 502
    assert signed_request(guide_sim, "GET", "/me/task/domain/1000").status_code == 200

    [rule] = guide_sim.control_call("GET", "/faults")
    assert rule["remaining"] == 0
    assert rule["hits"] == 2


def test_rule_without_times_limit(guide_sim):
    add_faults(guide_sim, {"fault": "rate_limit", "times": None})

    statuses = [signed_request(guide_sim, "GET", "/me/task/domain").status_code for _ in range(5)]

    assert statuses == [429] * 5
    [rule] = guide_sim.control_call("GET", "/faults")
    assert rule["remaining"] is None
    assert rule["hits"] == 5


def test_first_matching_rule_wins(guide_sim):
    add_faults(guide_sim,
               {"fault": "http_error", "status": 503, "path": "/me/task/domain/1000"},
               {"fault": "http_error", "status": 504})

    assert signed_request(guide_sim, "GET", "/me/task/domain/1000").status_code == 503
    assert signed_request(guide_sim, "GET", "/me/task/domain/1000").status_code == 504
    assert signed_request(guide_sim, "GET", "/me/task/domain/1000").status_code == 200


def test_faults_skip_control_routes(guide_sim):
    add_faults(guide_sim, {"fault": "drop", "path": "*", "times": None})

    assert guide_sim.state()["tasks"]
    assert guide_sim.control_call("GET", "/requests") == []


def test_single_rule_object_accepted(guide_sim):
    answer = guide_sim.control_call("POST", "/faults", json={"fault": "drop"})

    assert answer["added"] == 1
    assert answer["faults"] == [{"method": "*", "path": "*", "fault": "drop", "times": 1, "remaining": 1, "hits": 0}]


def test_clear_faults(guide_sim):
    add_faults(guide_sim, {"fault": "drop"}, {"fault": "rate_limit"})

    assert guide_sim.control_call("DELETE", "/faults") == {"cleared": 2}
    assert guide_sim.control_call("GET", "/faults") == []
    assert signed_request(guide_sim, "GET", "/me/task/domain").status_code == 200


@pytest.mark.parametrize("rule, field", [
    ({"fault": "explode"}, "body[0].fault"),
    ({"fault": "drop", "times": 0}, "body[0].times"),
    ({"fault": "drop", "method": "PATCH"}, "body[0].method"),
    ({"fault": "drop", "status": 502}, "body[0].status"),
    ({"fault": "http_error", "status": 302}, "body[0].status"),
    ({"fault": "latency", "seconds": -1}, "body[0].seconds"),
    ({"fault": "rate_limit", "retry_after": 1.5}, "body[0].retry_after"),
    ({"fault": "drop", "path": ""}, "body[0].path"),
], ids=["kind", "times", "method", "field-of-other-kind", "status", "seconds", "retry_after", "path"])
def test_invalid_rule_rejected(guide_sim, rule, field):
    error = guide_sim.control_call("POST", "/faults", expected_status=400, json=[rule])["error"]

    assert error.startswith(f"{field}:")
    assert guide_sim.control_call("GET", "/faults") == []


def test_invalid_rule_body_not_json(guide_sim):
    error = guide_sim.control_call("POST", "/faults", expected_status=400, data=b"{not json")["error"]

    assert "invalid JSON body" in error


def test_scenario_faults_and_reset(start_sim):
    scenario = load_guide()
    scenario["faults"] = [{"fault": "http_error", "method": "GET", "path": "/me/task/domain", "status": 503}]
    sim = start_sim(scenario)

    assert signed_request(sim, "GET", "/me/task/domain").status_code == 503
    assert signed_request(sim, "GET", "/me/task/domain").status_code == 200
    add_faults(sim, {"fault": "drop"})

    sim.control_call("POST", "/reset")

    faults = sim.control_call("GET", "/faults")
    assert [(rule["fault"], rule["remaining"]) for rule in faults] == [("http_error", 1)]
    assert signed_request(sim, "GET", "/me/task/domain").status_code == 503


def test_scenario_fault_error_names_field(tmp_path):
    scenario = load_guide()
    scenario["faults"] = [{"fault": "drop"}, {"fault": "http_error", "status": "502"}]
    path = write_scenario(scenario, tmp_path / "scenario.yaml")

    with pytest.raises(ScenarioError, match=r"faults\[1\]\.status: expected an HTTP error status"):
        load_scenario(path)


def test_concurrent_requests_share_times(guide_sim):
    add_faults(guide_sim, {"fault": "http_error", "status": 503, "method": "GET", "times": 5})
    statuses: list[int] = []
    lock = threading.Lock()

    def call() -> None:
        session = requests.Session()
        session.trust_env = False
        response = session.get(guide_sim.url + "/auth/time", timeout=10)
        with lock:
            statuses.append(response.status_code)
        session.close()

    threads = [threading.Thread(target=call) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200] * 15 + [503] * 5
    [rule] = guide_sim.control_call("GET", "/faults")
    assert rule["hits"] == 5


def test_faults_cover_token_route(guide_sim):
    add_faults(guide_sim, {"fault": "drop", "method": "POST", "path": "/auth/oauth2/token"})

    with pytest.raises(requests.ConnectionError):
        guide_sim.http.post(guide_sim.url.rsplit("/", 1)[0] + "/auth/oauth2/token",
                            data={"grant_type": "client_credentials", "scope": "all"}, timeout=10)

    entry = guide_sim.requests_log()[-1]
    assert entry["path"] == "/auth/oauth2/token"
    assert entry["fault"] == "drop"


def test_client_timeout_during_latency_fault(guide_sim):
    add_faults(guide_sim, {"fault": "latency", "method": "PUT", "seconds": 1.5})

    with pytest.raises(requests.Timeout):
        signed_request_with_timeout(guide_sim, "PUT", ARGUMENT_PATH, {"value": JUSTIFICATION}, timeout=0.3)

    # The request is still processed after the client gave up, as on a real server.
    deadline = time.monotonic() + 10
    while argument_value(guide_sim, 1000, "legitimacyAfnic") is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert argument_value(guide_sim, 1000, "legitimacyAfnic") == JUSTIFICATION
    assert signed_request(guide_sim, "GET", "/me/task/domain/1000").status_code == 200
    assert "Traceback" not in guide_sim.stderr_path.read_text()

