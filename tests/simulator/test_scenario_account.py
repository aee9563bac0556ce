"""Scenario sections for OAuth2 clients, documents, contacts, progress steps and argument acceptance rules."""

from __future__ import annotations

import copy

import pytest
import yaml

import ovhsim_testlib  # noqa: F401  (puts simulator/ on sys.path)
from ovhsim.scenario import ScenarioError, load_scenario
from ovhsim_testlib import KINDS_SCENARIO, write_scenario


def _kinds() -> dict:
    return yaml.safe_load(KINDS_SCENARIO.read_text(encoding="utf-8"))


def _task(document: dict, task_id: int) -> dict:
    return next(task for task in document["tasks"] if task["id"] == task_id)


def test_kinds_scenario_content():
    scenario = load_scenario(KINDS_SCENARIO)
    tasks = {task.id: task for task in scenario.tasks}

    assert sorted(tasks) == list(range(3000, 3011))
    assert {task.todo_seconds for task in scenario.tasks} == {1}
    assert {task.doing_seconds for task in scenario.tasks} == {1}
    assert tasks[3000].domain == "xn--caf-dma.fr"
    assert tasks[3008].status == "problem"
    assert tasks[3009].status == "cancelled"
    assert tasks[3010].type == "alldom"
    evidence, owner = tasks[3003].arguments
    assert evidence.accept_document is True
    assert owner.accept_contact_fields is True
    assert [client.client_id for client in scenario.oauth2_clients] == ["demo-client-id", "scoped-client-id"]
    assert scenario.oauth2_clients[0].token_lifetime == 3599
    assert [document.size for document in scenario.documents] == [48213, 3020, 0]
    assert [contact["id"] for contact in scenario.contacts] == [1104, 1105, 1106, 1107]


def test_contact_defaults_to_null():
    contact = load_scenario(KINDS_SCENARIO).contacts[2]

    assert contact["phone"] is None
    assert contact["vat"] is None
    assert contact["address"]["zip"] is None
    assert contact["address"]["line2"] is None


def test_unquoted_birthday_accepted(tmp_path):
    document = _kinds()
    document["contacts"][0]["birthDay"] = "1980-05-17"
    text = yaml.safe_dump(document, sort_keys=False).replace("'1980-05-17'", "1980-05-17")
    path = tmp_path / "birthday.yaml"
    path.write_text(text, encoding="utf-8")

    assert load_scenario(path).contacts[0]["birthDay"] == "1980-05-17"


INVALID_CASES = [
    (lambda d: d["oauth2_clients"][1].update(client_id="demo-client-id"), "oauth2_clients[1].client_id: duplicate client id"),
    (lambda d: d["oauth2_clients"][0].pop("client_secret"), "oauth2_clients[0].client_secret: missing required field"),
    (lambda d: d["oauth2_clients"][0].update(token_lifetime=0), "oauth2_clients[0].token_lifetime: expected seconds >= 1"),
    (lambda d: d["oauth2_clients"][1]["rules"][0].update(method="ANY"), "oauth2_clients[1].rules[0].method: expected one of"),
    (lambda d: d["oauth2_clients"][0].update(scope="all"), "oauth2_clients[0].scope: unknown field"),
    (lambda d: d["documents"][0].update(id="not-a-uuid"), "documents[0].id: expected a lower-case UUID"),
    (lambda d: d["documents"][1].update(id=d["documents"][0]["id"]), "documents[1].id: duplicate document id"),
    (lambda d: d["documents"][0].update(size=-1), "documents[0].size: expected bytes >= 0"),
    (lambda d: d["documents"][0].update(tags=[{"key": "a"}]), "documents[0].tags[0].value: missing required field"),
    (lambda d: d["contacts"][0].pop("email"), "contacts[0].email: missing required field"),
    (lambda d: d["contacts"][1].update(id=1104), "contacts[1].id: duplicate contact id 1104"),
    (lambda d: d["contacts"][0].update(language="fr"), "contacts[0].language: expected one of"),
    (lambda d: d["contacts"][0].update(legalForm="company"), "contacts[0].legalForm: expected one of"),
    (lambda d: d["contacts"][0].update(gender="x"), "contacts[0].gender: expected one of"),
    (lambda d: d["contacts"][0].update(shoeSize=42), "contacts[0].shoeSize: unknown field"),
    (lambda d: d["contacts"][0]["address"].update(country="France"), "contacts[0].address.country: expected a two-letter"),
    (lambda d: d["contacts"][0]["address"].pop("city"), "contacts[0].address.city: missing required field"),
    (lambda d: d["contacts"][0].update(birthDay="17/05/1980"), "contacts[0].birthDay: expected a date"),
    (lambda d: _task(d, 3000)["arguments"][0].update(simulation={"accept_document": True}),
     "tasks[0].arguments[0].simulation.accept_document: applies to arguments of type /me/document"),
    (lambda d: _task(d, 3000)["arguments"][0].update(simulation={"accept_contact_fields": True}),
     "tasks[0].arguments[0].simulation.accept_contact_fields: applies to arguments of type /me/contact"),
    (lambda d: _task(d, 3004)["arguments"][0].update(fields=None),
     "tasks[4].arguments[0].simulation.accept_contact_fields: needs a non-empty fields list"),
    (lambda d: _task(d, 3003)["arguments"][0]["simulation"].update(accept_document="yes"),
     "tasks[3].arguments[0].simulation.accept_document: expected true or false"),
    (lambda d: _task(d, 3001)["simulation"].update(progress_steps=[{"step": "only", "description": "One step"}]),
     "tasks[1].simulation.progress_steps: expected at least 2 steps"),
    (lambda d: _task(d, 3001)["simulation"].update(progress_error_step=5),
     "tasks[1].simulation.progress_error_step: expected a step index from 0 to 4"),
    (lambda d: _task(d, 3001)["simulation"]["progress_steps"][0].update(executionDuration=-1),
     "tasks[1].simulation.progress_steps[0].executionDuration: expected seconds >= 0"),
    (lambda d: _task(d, 3001)["simulation"]["progress_steps"][0].pop("description"),
     "tasks[1].simulation.progress_steps[0].description: missing required field"),
    (lambda d: _task(d, 3000).update(simulation={"progress_error_step": 1}),
     "tasks[0].simulation.progress_error_step: needs progress_steps"),
]


@pytest.mark.parametrize(("change", "expected"), INVALID_CASES, ids=[case[1].split(":")[0] for case in INVALID_CASES])
def test_invalid_account_scenario_names_field(tmp_path, change, expected):
    document = copy.deepcopy(_kinds())
    change(document)
    path = write_scenario(document, tmp_path / "scenario.yaml")

    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    assert expected in str(raised.value)
