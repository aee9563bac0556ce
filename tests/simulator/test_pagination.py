"""Bulk listing of tasks with X-Pagination-* headers (CachedObjectList-Pages)."""

from __future__ import annotations

import time

import pytest

import ovhsim_testlib  # noqa: F401  (puts simulator/ on sys.path)
from ovhsim.scenario import ScenarioError, load_scenario
from ovhsim_testlib import (
    DEMO_APPLICATION_KEY,
    DEMO_APPLICATION_SECRET,
    DEMO_CONSUMER_KEY,
    SCHEMA_PATH,
    load_guide,
    sign,
    write_scenario,
)

GUIDE_IDS = [1000, 1001, 1002, 1003, 1004, 1005, 1006]
PAGES = "CachedObjectList-Pages"


def bulk_get(sim, path: str, size: int | str | None = None, number: int | str | None = None,
             mode: str | None = PAGES, **extra_headers: str):
    """Send a signed GET with the pagination headers given; ``path`` is relative to /1.0."""
    url = sim.url + path
    stamp = str(int(time.time()))
    headers = {
        "X-Ovh-Application": DEMO_APPLICATION_KEY,
        "X-Ovh-Consumer": DEMO_CONSUMER_KEY,
        "X-Ovh-Timestamp": stamp,
        "X-Ovh-Signature": sign(DEMO_APPLICATION_SECRET, DEMO_CONSUMER_KEY, "GET", url, "", stamp),
    }
    if mode is not None:
        headers["X-Pagination-Mode"] = mode
    if size is not None:
        headers["X-Pagination-Size"] = str(size)
    if number is not None:
        headers["X-Pagination-Number"] = str(number)
    headers.update({name.replace("_", "-"): value for name, value in extra_headers.items()})
    return sim.http.get(url, headers=headers, timeout=10)


def test_first_page_of_full_objects(guide_sim):
    response = bulk_get(guide_sim, "/me/task/domain", size=3, number=1)

    assert response.status_code == 200
    tasks = response.json()
    assert [task["id"] for task in tasks] == [1000, 1001, 1002]
    assert tasks[0]["function"] == "DomainCreate"
    assert tasks[0]["status"] == "error"
    assert response.headers["X-Pagination-Mode"] == PAGES
    assert response.headers["X-Pagination-Number"] == "1"
    assert response.headers["X-Pagination-Size"] == "3"
    assert response.headers["X-Pagination-Elements"] == "7"


def test_pages_cover_every_task_once(guide_sim):
    seen = []
    for number in (1, 2, 3):
        response = bulk_get(guide_sim, "/me/task/domain", size=3, number=number)
        seen += [task["id"] for task in response.json()]

    assert seen == GUIDE_IDS


def test_page_past_end_is_empty(guide_sim):
    response = bulk_get(guide_sim, "/me/task/domain", size=3, number=4)

    assert response.status_code == 200
    assert response.json() == []
    assert response.headers["X-Pagination-Number"] == "4"
    assert response.headers["X-Pagination-Elements"] == "7"


def test_default_page_is_first(guide_sim):
    response = bulk_get(guide_sim, "/me/task/domain")

    assert [task["id"] for task in response.json()] == GUIDE_IDS
    assert response.headers["X-Pagination-Number"] == "1"
    assert response.headers["X-Pagination-Size"] == "5000"


def test_query_filters_still_apply(guide_sim):
    response = bulk_get(guide_sim, "/me/task/domain?status=error", size=2, number=2)

    assert [task["id"] for task in response.json()] == [1002]
    assert response.headers["X-Pagination-Elements"] == "3"


def test_objects_match_list_of_ids(guide_sim, ovh_client):
    client = ovh_client(guide_sim)

    tasks = bulk_get(guide_sim, "/me/task/domain?domain=example.fr").json()

    assert [task["id"] for task in tasks] == client.get("/me/task/domain", domain="example.fr")
    assert tasks == [client.get(f"/me/task/domain/{task['id']}") for task in tasks]


def test_service_task_list_in_bulk(guide_sim):
    response = bulk_get(guide_sim, "/domain/example.fr/task", size=10)

    assert [task["domain"] for task in response.json()] == ["example.fr"]
    assert response.headers["X-Pagination-Elements"] == "1"


def test_without_mode_header_returns_ids(guide_sim):
    response = bulk_get(guide_sim, "/me/task/domain", size=2, mode=None)

    assert response.json() == GUIDE_IDS
    assert "X-Pagination-Mode" not in response.headers


def test_objects_match_schema(guide_sim, api_schema):
    tasks = bulk_get(guide_sim, "/me/task/domain", size=5000).json()

    api_schema.assert_valid("domain.Task[]", tasks)


@pytest.mark.skipif(not SCHEMA_PATH.is_file(), reason="the reference schema file is absent")
def test_schema_check_accepts_pages(start_sim):
    sim = start_sim(load_guide(), "--schema", str(SCHEMA_PATH))

    assert bulk_get(sim, "/me/task/domain", size=2).status_code == 200
    assert bulk_get(sim, "/domain/example.fr/task").status_code == 200
    assert bulk_get(sim, "/me/task/domain", mode=None).status_code == 200

    assert sim.control_call("GET", "/violations") == []


@pytest.mark.parametrize("size, number, header", [
    ("abc", 1, "X-Pagination-Size"),
    ("0", 1, "X-Pagination-Size"),
    ("-5", 1, "X-Pagination-Size"),
    ("2.5", 1, "X-Pagination-Size"),
    (10, "0", "X-Pagination-Number"),
    (10, "first", "X-Pagination-Number"),
], ids=["size-text", "size-zero", "size-negative", "size-decimal", "number-zero", "number-text"])
def test_invalid_size_or_number(guide_sim, size, number, header):
    response = bulk_get(guide_sim, "/me/task/domain", size=size, number=number)

    assert response.status_code == 400
    body = response.json()
    assert body["class"] == "Client::BadRequest"
    assert body["message"].startswith(f"Invalid {header} header")


def test_unsupported_mode_rejected(guide_sim):
    response = bulk_get(guide_sim, "/me/task/domain", mode="CachedObjectList-Cursor")

    assert response.status_code == 400
    assert "CachedObjectList-Cursor" in response.json()["message"]


def test_unsupported_filter_header_rejected(guide_sim):
    response = bulk_get(guide_sim, "/me/task/domain", X_Pagination_Filter="status:eq=error")

    assert response.status_code == 400
    assert "X-Pagination-Filter" in response.json()["message"]


def test_size_capped_at_max_page_size(start_sim):
    scenario = load_guide()
    scenario["pagination"] = {"enabled": True, "max_page_size": 4}
    sim = start_sim(scenario)

    response = bulk_get(sim, "/me/task/domain", size=100, number=2)

    assert [task["id"] for task in response.json()] == [1004, 1005, 1006]
    assert response.headers["X-Pagination-Size"] == "4"


def test_disabled_in_scenario(start_sim):
    scenario = load_guide()
    scenario["pagination"] = {"enabled": False}
    sim = start_sim(scenario)

    response = bulk_get(sim, "/me/task/domain", size=2)

    assert response.json() == GUIDE_IDS
    assert "X-Pagination-Elements" not in response.headers
    assert sim.control_call("GET", "/pagination") == {"enabled": False, "max_page_size": 5000}


def test_control_switches_pagination(guide_sim):
    assert guide_sim.control_call("POST", "/pagination", json={"enabled": False}) == {
        "enabled": False, "max_page_size": 5000}
    assert bulk_get(guide_sim, "/me/task/domain", size=2).json() == GUIDE_IDS

    guide_sim.control_call("POST", "/pagination", json={"enabled": True, "max_page_size": 2})
    response = bulk_get(guide_sim, "/me/task/domain")
    assert [task["id"] for task in response.json()] == [1000, 1001]

    guide_sim.control_call("POST", "/reset")
    assert guide_sim.control_call("GET", "/pagination") == {"enabled": True, "max_page_size": 5000}


@pytest.mark.parametrize("body", [
    {"enabled": "yes"},
    {"max_page_size": 0},
    {"size": 10},
    {},
], ids=["enabled", "max_page_size", "unknown-field", "empty"])
def test_invalid_pagination_control(guide_sim, body):
    answer = guide_sim.control_call("POST", "/pagination", expected_status=400, json=body)

    assert answer["error"]


def test_scenario_pagination_error_names_field(tmp_path):
    scenario = load_guide()
    scenario["pagination"] = {"enabled": True, "max_page_size": 0}
    path = write_scenario(scenario, tmp_path / "scenario.yaml")

    with pytest.raises(ScenarioError, match=r"pagination\.max_page_size: expected an integer >= 1"):
        load_scenario(path)
