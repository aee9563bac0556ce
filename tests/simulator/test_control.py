"""Control routes under /_simulator: request log, state, clock and reset."""

from __future__ import annotations

from datetime import datetime

import ovhsim_testlib  # noqa: F401  (puts simulator/ on sys.path)
from ovhsim.control import RequestLog
from ovhsim_testlib import load_guide, signed_request, write_scenario

JUSTIFICATION = "I am the mayor of the city Example."


def test_request_log_records_writes(guide_sim):
    signed_request(guide_sim, "GET", "/me/task/domain?status=error&domain=example.fr")
    signed_request(guide_sim, "PUT", "/me/task/domain/1000/argument/legitimacyAfnic", {"value": JUSTIFICATION})
    signed_request(guide_sim, "POST", "/me/task/domain/1000/relaunch")

    entries = guide_sim.requests_log()
    assert [entry["seq"] for entry in entries] == [1, 2, 3]
    listing, put, relaunch = entries

    assert listing["method"] == "GET"
    assert listing["path"] == "/me/task/domain"
    assert listing["query"] == {"status": ["error"], "domain": ["example.fr"]}
    assert listing["body"] is None
    assert put["path"] == "/me/task/domain/1000/argument/legitimacyAfnic"
    assert put["body"] == {"value": JUSTIFICATION}
    assert put["status"] == 200
    assert put["application_key"] == "demo-application-key"
    assert put["consumer_key"] == "demo-consumer-key"
    assert relaunch["path"] == "/me/task/domain/1000/relaunch"
    assert relaunch["method"] == "POST"
    datetime.fromisoformat(relaunch["time"])


def test_request_log_records_failures(guide_sim):
    signed_request(guide_sim, "GET", "/me/task/domain", tamper=True)
    guide_sim.http.get(guide_sim.url + "/auth/time")

    rejected, unsigned = guide_sim.requests_log()
    assert rejected["status"] == 400
    assert unsigned["path"] == "/auth/time"
    assert unsigned["consumer_key"] is None


def test_request_log_skips_control_calls(guide_sim):
    guide_sim.state()
    guide_sim.advance(1)

    assert guide_sim.requests_log() == []


def test_clear_request_log(guide_sim):
    signed_request(guide_sim, "GET", "/me/task/domain")
    signed_request(guide_sim, "GET", "/me/task/domain/1000")

    assert guide_sim.control_call("DELETE", "/requests") == {"cleared": 2}
    assert guide_sim.requests_log() == []
    signed_request(guide_sim, "GET", "/me/task/domain")
    assert [entry["seq"] for entry in guide_sim.requests_log()] == [3]


def test_state_lists_tasks_with_arguments(guide_sim):
    state = guide_sim.state()

    assert [task["id"] for task in state["tasks"]] == [1000, 1001, 1002, 1003, 1004, 1005, 1006]
    first = state["tasks"][0]
    assert first["arguments"][0]["key"] == "legitimacyAfnic"
    assert first["arguments"][0]["value"] is None
    assert datetime.fromisoformat(state["now"]).utcoffset() is not None


def test_clock_advance_moves_now(guide_sim):
    before = datetime.fromisoformat(guide_sim.state()["now"])

    answer = guide_sim.advance(3600)

    assert answer["advanced_seconds"] == 3600
    moved = (datetime.fromisoformat(answer["now"]) - before).total_seconds()
    assert 3599 <= moved <= 3610


def test_clock_advance_rejects_bad_values(guide_sim):
    for body in ({"advance": -1}, {"advance": "soon"}, {"advance": True}, {}, [60]):
        answer = guide_sim.control_call("POST", "/clock", expected_status=400, json=body)
        assert "advance must be a number of seconds >= 0" in answer["error"]
    answer = guide_sim.control_call("POST", "/clock", expected_status=400, data=b"not json")
    assert "invalid JSON body" in answer["error"]


def test_reset_restores_scenario(guide_sim):
    signed_request(guide_sim, "PUT", "/me/task/domain/1000/argument/legitimacyAfnic", {"value": JUSTIFICATION})
    signed_request(guide_sim, "POST", "/me/task/domain/1000/relaunch")
    guide_sim.advance(600)

    answer = guide_sim.control_call("POST", "/reset")

    assert answer["tasks"] == 7
    task = guide_sim.task(1000)
    assert task["status"] == "error"
    assert task["arguments"][0]["value"] is None
    assert guide_sim.requests_log() == []
    assert guide_sim.control_call("GET", "/state")["now"] < "2100"
    assert abs(datetime.fromisoformat(answer["now"]).timestamp() - datetime.now().timestamp()) < 30


def test_reset_reloads_file(start_sim, tmp_path):
    document = load_guide()
    sim = start_sim(document)
    document["tasks"][0]["comment"] = "Changed on disk"
    write_scenario(document, sim.scenario)

    sim.control_call("POST", "/reset")

    assert sim.task(1000)["comment"] == "Changed on disk"


def test_reset_with_invalid_file_keeps_state(start_sim):
    document = load_guide()
    sim = start_sim(document)
    signed_request(sim, "POST", "/me/task/domain/1002/cancel")
    document["tasks"][0]["status"] = "broken"
    write_scenario(document, sim.scenario)

    answer = sim.control_call("POST", "/reset", expected_status=400)

    assert "tasks[0].status" in answer["error"]
    assert sim.task(1002)["status"] == "cancelled"
    assert signed_request(sim, "GET", "/me/task/domain/1000").status_code == 200


def test_unknown_control_route(guide_sim):
    answer = guide_sim.control_call("GET", "/tasks", expected_status=404)
    assert "unknown control route /_simulator/tasks" in answer["error"]

    answer = guide_sim.control_call("POST", "/state", expected_status=405)
    assert "method POST is not allowed on /_simulator/state" in answer["error"]


def test_request_log_keeps_newest():
    log = RequestLog(max_entries=3)
    for index in range(5):
        log.append({"index": index})

    assert [entry["seq"] for entry in log.entries()] == [3, 4, 5]
    assert log.clear() == 3
    log.append({"index": 5})
    assert [entry["seq"] for entry in log.entries()] == [6]
