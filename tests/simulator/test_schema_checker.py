"""The schema checker itself, and a sweep of every route's response through it."""

from __future__ import annotations

import copy

import pytest

from ovhsim_testlib import SCHEMA_PATH, signed_request

TASK = {
    "id": 1000, "function": "DomainCreate", "domain": "example.fr", "status": "error", "comment": None,
    "creationDate": "2022-01-01T12:00:00+01:00", "todoDate": "2022-01-01T13:00:00+01:00",
    "lastUpdate": "2022-01-01T12:40:00+01:00", "doneDate": None, "canAccelerate": False,
    "canRelaunch": True, "canCancel": False, "type": "domain",
}


def test_reference_schema_present():
    if not SCHEMA_PATH.is_file():
        pytest.skip(f"reference schema not found at {SCHEMA_PATH}; ovh client answers went unchecked")


def test_checker_accepts_valid_task(api_schema):
    assert api_schema.errors("domain.Task", TASK) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda task: task.update(id="1000"), "value.id: expected long"),
        (lambda task: task.update(id=True), "value.id: expected long"),
        (lambda task: task.update(status="failed"), "value.status: 'failed' is not in domain.OperationStatusEnum"),
        (lambda task: task.update(type="zone"), "value.type: 'zone' is not in domain.OperationTypeEnum"),
        (lambda task: task.update(canRelaunch=None), "value.canRelaunch: null, but domain.Task.canRelaunch cannot be null"),
        (lambda task: task.update(todoDate="2022-01-01 13:00"), "value.todoDate: expected datetime"),
        (lambda task: task.update(todoDate="2022-01-01T13:00:00"), "value.todoDate: expected datetime"),
        (lambda task: task.pop("lastUpdate"), "value.lastUpdate: missing"),
        (lambda task: task.update(arguments=[]), "value.arguments: not a property of domain.Task"),
    ],
)
def test_checker_rejects_invalid_task(api_schema, change, expected):
    task = copy.deepcopy(TASK)
    change(task)

    errors = api_schema.errors("domain.Task", task)
    assert len(errors) == 1, errors
    assert errors[0].startswith(expected), errors


def test_checker_arrays_and_void(api_schema):
    assert api_schema.errors("long[]", [1, 2]) == []
    assert api_schema.errors("long[]", [1, "2"]) == ["value[1]: expected long, got '2'"]
    assert api_schema.errors("void", None) == []
    assert api_schema.errors("void", {}) == ["value: expected null for void, got {}"]
    assert api_schema.errors("domain.DocumentFormatsEnum[]", ["jpg", "tiff"]) == [
        "value[1]: 'tiff' is not in domain.DocumentFormatsEnum"]


def test_checker_response_types(api_schema):
    assert api_schema.response_type("GET", "/me/task/domain?status=error") == "long[]"
    assert api_schema.response_type("GET", "/me/task/domain/1000/argument/legitimacyAfnic") == "nichandle.DomainTaskArgument"
    assert api_schema.response_type("POST", "/domain/example.fr/task/1000/relaunch") == "void"
    assert api_schema.response_type("GET", "/auth/time") == "long"


# Every route, read in several task states, checked on raw HTTP responses.
SWEEP = [
    ("GET", "/auth/time"),
    ("GET", "/me/task/domain"),
    ("GET", "/domain/example.org/task"),
    ("GET", "/domain/example.fr/task/1000"),
    ("GET", "/me/task/domain/2000/argument"),
    ("GET", "/me/task/domain/2000/argument/nicowner"),
    ("GET", "/me/task/domain/2000/argument/identityEvidence"),
    ("GET", "/me/task/domain/2001/argument/duration"),
] + [("GET", f"/me/task/domain/{task_id}") for task_id in (1000, 1001, 1002, 1003, 1004, 1005, 1006, 2000, 2001)] \
  + [("GET", f"/me/task/domain/{task_id}/progressbar") for task_id in (1000, 1003, 1004, 1005, 2001)]


def test_every_route_matches_schema(edge_sim, api_schema):
    for stage in range(3):
        for method, path in SWEEP:
            response = signed_request(edge_sim, method, path)
            assert response.status_code == 200, (path, response.text)
            api_schema.assert_response(method, path, response.json())

        if stage == 0:
            for method, path, body in [
                ("PUT", "/me/task/domain/1000/argument/legitimacyAfnic", {"value": "I am the mayor of the city Example."}),
                ("POST", "/me/task/domain/1000/relaunch", None),
                ("POST", "/domain/example.org/task/1004/accelerate", None),
                ("POST", "/domain/example.eu/task/1002/cancel", None),
            ]:
                response = signed_request(edge_sim, method, path, body)
                api_schema.assert_response(method, path, response.json())
        edge_sim.advance(31)
