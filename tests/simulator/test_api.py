"""The /me/task/domain and /domain/{serviceName}/task routes, driven by the official ovh client.

Every successful response received through ``ovh_client`` is checked against the
reference schema (see ``CheckedClient``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import ovh
import pytest

from ovhsim_testlib import DATETIME_PATTERN, signed_request

# Task 1000 and its argument exactly as OVHcloud's task guide shows them, plus "type".
GUIDE_TASK = {
    "id": 1000,
    "function": "DomainCreate",
    "domain": "example.fr",
    "status": "error",
    "comment": "You have to explain in a few words how you'd like to use this domain name "
               "(AFNIC will use it to decide if you can register this domain)",
    "creationDate": "2022-01-01T12:00:00+01:00",
    "todoDate": "2022-01-01T13:00:00+01:00",
    "lastUpdate": "2022-01-01T12:40:00+01:00",
    "doneDate": None,
    "canAccelerate": False,
    "canRelaunch": True,
    "canCancel": False,
    "type": "domain",
}
GUIDE_ARGUMENT = {
    "key": "legitimacyAfnic",
    "description": "Update legitimacyAfnic with valid content",
    "type": "string",
    "value": None,
    "acceptedValues": None,
    "readOnly": False,
    "minimumSize": None,
    "maximumSize": None,
    "fields": None,
    "template": None,
    "acceptedFormats": None,
}
JUSTIFICATION = "I am the mayor of the city Example."


def _parse(text: str) -> datetime:
    assert DATETIME_PATTERN.fullmatch(text), text
    return datetime.fromisoformat(text)


def test_guide_fix_and_relaunch(guide_sim, ovh_client):
    client = ovh_client(guide_sim)

    assert client.get("/me/task/domain") == [1000, 1001, 1002, 1003, 1004, 1005, 1006]
    assert client.get("/me/task/domain/1000") == GUIDE_TASK
    assert client.get("/me/task/domain/1000/argument") == ["legitimacyAfnic"]
    assert client.get("/me/task/domain/1000/argument/legitimacyAfnic") == GUIDE_ARGUMENT

    assert client.put("/me/task/domain/1000/argument/legitimacyAfnic", value=JUSTIFICATION) is None
    assert client.get("/me/task/domain/1000/argument/legitimacyAfnic")["value"] == JUSTIFICATION

    assert client.post("/me/task/domain/1000/relaunch") is None
    relaunched = client.get("/me/task/domain/1000")
    assert relaunched["status"] == "todo"
    assert relaunched["canRelaunch"] is False
    assert relaunched["todoDate"] == relaunched["lastUpdate"]
    assert abs(_parse(relaunched["todoDate"]) - _parse(guide_sim.state()["now"])) < timedelta(seconds=5)

    guide_sim.advance(5)
    done = client.get("/me/task/domain/1000")
    assert done["status"] == "done"
    assert done["doneDate"] is not None
    assert (done["canAccelerate"], done["canRelaunch"], done["canCancel"]) == (False, False, False)
    assert _parse(done["doneDate"]) > _parse(relaunched["todoDate"])
    assert client.get("/me/task/domain", status="done") == [1000, 1003, 1006]


def test_relaunch_phases_in_order(edge_sim, ovh_client):
    client = ovh_client(edge_sim)
    client.put("/me/task/domain/1000/argument/legitimacyAfnic", value=JUSTIFICATION)
    client.post("/me/task/domain/1000/relaunch")
    seen = [client.get("/me/task/domain/1000")["status"]]

    for _ in range(2):
        edge_sim.advance(30)
        seen.append(client.get("/me/task/domain/1000")["status"])

    assert seen == ["todo", "doing", "done"]


def test_relaunch_without_fix_fails_again(edge_sim, ovh_client):
    client = ovh_client(edge_sim)
    client.put("/me/task/domain/1000/argument/legitimacyAfnic", value="short")
    client.post("/me/task/domain/1000/relaunch")

    edge_sim.advance(60)
    task = client.get("/me/task/domain/1000")

    assert task["status"] == "error"
    assert task["comment"] == "AFNIC rejected the explanation: describe in a few words how you'd like to use this domain name"
    assert task["canRelaunch"] is True
    assert task["doneDate"] is None


def test_relaunch_needs_every_argument_accepted(edge_sim, ovh_client):
    client = ovh_client(edge_sim)
    client.post("/me/task/domain/2000/relaunch")
    edge_sim.advance(60)
    assert client.get("/me/task/domain/2000")["comment"] == "The identification number is still invalid"

    client.put("/me/task/domain/2000/argument/identificationNumber", value="12345678")
    client.post("/me/task/domain/2000/relaunch")
    edge_sim.advance(60)
    assert client.get("/me/task/domain/2000")["status"] == "done"


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"status": "error"}, [1000, 1001, 1002, 2000]),
        ({"status": "todo"}, [1004]),
        ({"domain": "example.fr"}, [1000]),
        ({"domain": "example.%"}, [1000, 1001, 1002, 1003, 1004, 1005, 1006, 2000]),
        ({"domain": "%.net"}, [1003, 1005]),
        ({"domain": "EXAMPLE.FR"}, []),
        ({"function": "DomainCreate"}, [1000]),
        ({"function": "DomainRenew"}, [1003, 2001]),
        ({"type": "alldom"}, [2001]),
        ({"type": "domain", "status": "done"}, [1003, 1006]),
        ({"domain": "example.org", "status": "todo"}, [1004]),
    ],
)
def test_list_filters(edge_sim, ovh_client, filters, expected):
    assert ovh_client(edge_sim).get("/me/task/domain", **filters) == expected


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"status": "xyz"}, "[status] Given data (xyz) does not belong to the OperationStatusEnum enumeration"),
        ({"type": "zone"}, "[type] Given data (zone) does not belong to the OperationTypeEnum enumeration"),
        ({"function": "DomainCreat%"}, "[function] Given data (DomainCreat%) does not belong to the OperationFunctionEnum enumeration"),
    ],
)
def test_list_invalid_filter(guide_sim, ovh_client, filters, message):
    with pytest.raises(ovh.exceptions.BadParametersError) as raised:
        ovh_client(guide_sim).get("/me/task/domain", **filters)
    assert raised.value.args[0] == message


def test_invalid_status_body(guide_sim):
    response = signed_request(guide_sim, "GET", "/me/task/domain?status=xyz")

    assert response.status_code == 400
    assert response.json() == {
        "class": "Client::BadRequest",
        "message": "[status] Given data (xyz) does not belong to the OperationStatusEnum enumeration",
    }


def test_task_id_not_long(guide_sim, ovh_client):
    for path in ("/me/task/domain/abc", "/me/task/domain/abc/argument", "/domain/example.fr/task/abc"):
        with pytest.raises(ovh.exceptions.BadParametersError) as raised:
            ovh_client(guide_sim).get(path)
        assert raised.value.args[0] == "[id] Given data (abc) is not valid for type long"


def test_task_not_found(guide_sim, ovh_client):
    client = ovh_client(guide_sim)

    with pytest.raises(ovh.exceptions.ResourceNotFoundError) as raised:
        client.get("/me/task/domain/999")
    assert raised.value.args[0] == "The requested object (id = 999) does not exist"
    assert raised.value.response.json() == {"class": "Client::NotFound", "message": "The requested object (id = 999) does not exist"}

    with pytest.raises(ovh.exceptions.ResourceNotFoundError):
        client.post("/me/task/domain/999/relaunch")


def test_argument_not_found(guide_sim, ovh_client):
    with pytest.raises(ovh.exceptions.ResourceNotFoundError) as raised:
        ovh_client(guide_sim).get("/me/task/domain/1000/argument/authInfo")
    assert raised.value.args[0] == "The requested object (key = authInfo) does not exist"


def test_task_dates_format(edge_sim, ovh_client):
    client = ovh_client(edge_sim)
    client.post("/me/task/domain/1004/accelerate")

    for task_id in client.get("/me/task/domain"):
        task = client.get(f"/me/task/domain/{task_id}")
        for name in ("creationDate", "todoDate", "lastUpdate", "doneDate"):
            if task[name] is not None:
                assert DATETIME_PATTERN.fullmatch(task[name]), (task_id, name, task[name])
                assert task[name][-6:] in ("+01:00", "+02:00"), (task_id, name, task[name])


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("nicowner", "2000", "[value] Argument nicowner of task 2000 is read-only"),
        ("language", "de_DE", "[value] Given data (de_DE) is not an accepted value for argument language (accepted values: fr_FR, en_GB)"),
        ("identificationNumber", "1234", "[value] Argument identificationNumber needs at least 5 characters, got 4"),
        ("identificationNumber", "1" * 21, "[value] Argument identificationNumber accepts at most 20 characters, got 21"),
    ],
)
def test_argument_value_rejected(edge_sim, ovh_client, key, value, message):
    client = ovh_client(edge_sim)
    before = client.get(f"/me/task/domain/2000/argument/{key}")

    with pytest.raises(ovh.exceptions.BadParametersError) as raised:
        client.put(f"/me/task/domain/2000/argument/{key}", value=value)

    assert raised.value.args[0] == message
    assert client.get(f"/me/task/domain/2000/argument/{key}") == before


def test_argument_value_accepted(edge_sim, ovh_client):
    client = ovh_client(edge_sim)

    client.put("/me/task/domain/2000/argument/language", value="en_GB")
    client.put("/me/task/domain/2000/argument/identificationNumber", value="12345")
    # A document argument's sizes bound the file, not the document id.
    client.put("/me/task/domain/2000/argument/identityEvidence", value="0b7a1c1e-6c32-4b59-9d0e-5c1a2b3c4d5e")

    arguments = {key: client.get(f"/me/task/domain/2000/argument/{key}")["value"]
                 for key in client.get("/me/task/domain/2000/argument")}
    assert arguments == {
        "nicowner": "1104",
        "identificationNumber": "12345",
        "language": "en_GB",
        "identityEvidence": "0b7a1c1e-6c32-4b59-9d0e-5c1a2b3c4d5e",
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"value": 12}, "[value] Given data (12) is not valid for type string"),
        ({"description": "x"}, "[value] Property is mandatory"),
        ([1, 2], 'The request body must be a JSON object such as {"value": "..."}'),
    ],
)
def test_argument_body_rejected(guide_sim, body, message):
    response = signed_request(guide_sim, "PUT", "/me/task/domain/1000/argument/legitimacyAfnic", body)

    assert response.status_code == 400
    assert response.json() == {"class": "Client::BadRequest", "message": message}


def test_argument_of_finished_task_rejected(edge_sim, ovh_client):
    with pytest.raises(ovh.exceptions.APIError) as raised:
        ovh_client(edge_sim).put("/me/task/domain/2001/argument/duration", value="P2Y")

    assert raised.value.response.status_code == 403
    assert raised.value.args[0] == "The arguments of task 2001 cannot be changed while its status is done"


def test_relaunch_refused_without_flag(guide_sim, ovh_client):
    with pytest.raises(ovh.exceptions.APIError) as raised:
        ovh_client(guide_sim).post("/me/task/domain/1001/relaunch")

    assert raised.value.response.status_code == 403
    assert raised.value.response.json() == {
        "class": "Client::Forbidden",
        "message": "Task 1001 cannot be relaunched because canRelaunch is false (status error)",
    }
    assert guide_sim.task(1001)["status"] == "error"


@pytest.mark.parametrize(
    ("task_id", "action", "message"),
    [
        (1000, "accelerate", "Task 1000 cannot be accelerated because canAccelerate is false (status error)"),
        (1000, "cancel", "Task 1000 cannot be cancelled because canCancel is false (status error)"),
        (1003, "relaunch", "Task 1003 cannot be relaunched because canRelaunch is false (status done)"),
    ],
)
def test_action_refused(guide_sim, ovh_client, task_id, action, message):
    with pytest.raises(ovh.exceptions.APIError) as raised:
        ovh_client(guide_sim).post(f"/me/task/domain/{task_id}/{action}")

    assert raised.value.response.status_code == 403
    assert raised.value.args[0] == message


def test_relaunch_twice_refused(guide_sim, ovh_client):
    client = ovh_client(guide_sim)
    client.post("/me/task/domain/1000/relaunch")

    with pytest.raises(ovh.exceptions.APIError, match="canRelaunch is false"):
        client.post("/me/task/domain/1000/relaunch")


def test_accelerate_held_todo_task(edge_sim, ovh_client):
    client = ovh_client(edge_sim)
    edge_sim.advance(3600)
    assert client.get("/me/task/domain/1004")["status"] == "todo"

    client.post("/me/task/domain/1004/accelerate")
    task = client.get("/me/task/domain/1004")
    assert task["canAccelerate"] is False
    assert task["todoDate"] == task["lastUpdate"]
    assert abs(_parse(task["todoDate"]) - _parse(edge_sim.state()["now"])) < timedelta(seconds=5)

    edge_sim.advance(120)
    assert client.get("/me/task/domain/1004")["status"] == "done"


def test_cancel_task(guide_sim, ovh_client):
    client = ovh_client(guide_sim)
    client.post("/me/task/domain/1002/cancel")
    task = client.get("/me/task/domain/1002")

    assert task["status"] == "cancelled"
    assert (task["canAccelerate"], task["canRelaunch"], task["canCancel"]) == (False, False, False)
    with pytest.raises(ovh.exceptions.APIError, match="cannot be relaunched"):
        client.post("/me/task/domain/1002/relaunch")


def test_held_tasks_stay_put(guide_sim, ovh_client):
    client = ovh_client(guide_sim)
    before = [client.get(f"/me/task/domain/{task_id}") for task_id in (1003, 1004, 1005, 1006)]

    guide_sim.advance(86400)

    assert [client.get(f"/me/task/domain/{task_id}") for task_id in (1003, 1004, 1005, 1006)] == before


def test_progressbar_follows_status(edge_sim, ovh_client):
    client = ovh_client(edge_sim)
    in_error = client.get("/me/task/domain/1000/progressbar")
    assert (in_error["taskStatus"], in_error["progress"]) == ("error", 50)
    assert in_error["taskActions"] == ["canCorrect", "canRelaunch"]
    assert in_error["expectedDoneDate"] is None

    client.put("/me/task/domain/1000/argument/legitimacyAfnic", value=JUSTIFICATION)
    client.post("/me/task/domain/1000/relaunch")
    waiting = client.get("/me/task/domain/1000/progressbar")
    assert (waiting["taskStatus"], waiting["progress"], waiting["currentStep"]["step"]) == ("todo", 0, "initialisation")
    assert waiting["expectedDoneDate"] is not None

    edge_sim.advance(60)
    finished = client.get("/me/task/domain/1000/progressbar")
    assert (finished["taskStatus"], finished["progress"], finished["currentStep"]["step"]) == ("done", 100, "finalization")
    assert finished["expectedDoneDate"] == client.get("/me/task/domain/1000")["doneDate"]
    assert finished["taskActions"] == []


def test_service_task_list(edge_sim, ovh_client):
    client = ovh_client(edge_sim)

    assert client.get("/domain/example.org/task") == [1004, 1006]
    assert client.get("/domain/example.org/task", status="done") == [1006]
    assert client.get("/domain/example.net/task", function="DomainRenew") == [1003]
    # The function filter of this family is a plain string.
    assert client.get("/domain/example.net/task", function="Domain%Update") == [1005]
    assert client.get("/domain/unknown.example/task") == []


def test_service_task_scoped_to_domain(guide_sim, ovh_client):
    client = ovh_client(guide_sim)

    assert client.get("/domain/example.fr/task/1000") == GUIDE_TASK
    with pytest.raises(ovh.exceptions.ResourceNotFoundError, match=r"The requested object \(id = 1000\) does not exist"):
        client.get("/domain/example.com/task/1000")
    with pytest.raises(ovh.exceptions.ResourceNotFoundError):
        client.post("/domain/example.com/task/1000/relaunch")
    assert guide_sim.task(1000)["status"] == "error"


def test_service_task_actions(guide_sim, ovh_client):
    client = ovh_client(guide_sim)

    client.put("/me/task/domain/1000/argument/legitimacyAfnic", value=JUSTIFICATION)
    assert client.post("/domain/example.fr/task/1000/relaunch") is None
    assert client.get("/domain/example.fr/task/1000")["status"] == "todo"
    assert client.post("/domain/example.org/task/1004/accelerate") is None
    assert client.post("/domain/example.eu/task/1002/cancel") is None

    guide_sim.advance(5)
    assert client.get("/domain/example.fr/task", status="done") == [1000]
    assert client.get("/domain/example.org/task/1004")["status"] == "done"
    assert client.get("/domain/example.eu/task/1002")["status"] == "cancelled"


def test_service_task_invalid_status(guide_sim, ovh_client):
    with pytest.raises(ovh.exceptions.BadParametersError, match=r"\[status\] Given data \(broken\)"):
        ovh_client(guide_sim).get("/domain/example.fr/task", status="broken")
