"""The simulator's own schema check (--schema) and GET /_simulator/violations."""

from __future__ import annotations

import subprocess

import pytest
import yaml

from ovhsim_testlib import (
    KINDS_SCENARIO,
    SCHEMA_PATH,
    signed_request,
    simulator_command,
    simulator_env,
    start_simulator,
    write_scenario,
)


def _kinds_with_bad_country() -> dict:
    # "ZZ" passes the scenario check (two upper-case letters) but is not in nichandle.CountryEnum.
    document = yaml.safe_load(KINDS_SCENARIO.read_text(encoding="utf-8"))
    document["contacts"][0]["nationality"] = "ZZ"
    return document


def test_violation_recorded(start_sim, api_schema):
    sim = start_sim(_kinds_with_bad_country())
    assert sim.violations() == []

    response = signed_request(sim, "GET", "/me/contact/1104")
    assert response.status_code == 200

    (violation,) = sim.violations()
    assert violation["method"] == "GET"
    assert violation["path"] == "/me/contact/1104"
    assert violation["route"] == "/me/contact/{contactId}"
    assert violation["type"] == "me.contact.Contact"
    assert violation["errors"] == ["value.nationality: 'ZZ' is not in nichandle.CountryEnum"]
    assert violation["query_id"] == response.headers["X-Ovh-Queryid"]
    assert "schema violation: GET /me/contact/1104" in sim.stderr_path.read_text()

    # Violations outlive a reset. Clearing them keeps this test's teardown check green.
    sim.control_call("POST", "/reset")
    assert len(sim.violations()) == 1
    assert sim.control_call("DELETE", "/violations") == {"cleared": 1}
    assert sim.violations() == []


def test_errors_not_checked(start_sim, api_schema):
    sim = start_sim(_kinds_with_bad_country())

    assert signed_request(sim, "GET", "/me/contact/9999").status_code == 404
    assert signed_request(sim, "GET", "/me/task/domain?status=nope").status_code == 400
    assert sim.violations() == []


def test_no_check_without_schema(tmp_path):
    # start_simulator, unlike the start_sim fixture, adds no --schema.
    sim = start_simulator(write_scenario(_kinds_with_bad_country(), tmp_path / "scenario.yaml"), tmp_path / "simulator")
    try:
        assert signed_request(sim, "GET", "/me/contact/1104").json()["nationality"] == "ZZ"
        assert sim.violations() == []
    finally:
        sim.stop()


def test_every_account_route_valid(kinds_sim, ovh_client, ovh_oauth2_client, api_schema):
    # The fixture's teardown fails on any violation these calls produce.
    signed = ovh_client(kinds_sim)
    bearer = ovh_oauth2_client(kinds_sim)
    for client in (signed, bearer):
        client.get("/auth/currentCredential")
        client.get("/auth/details")
        client.get("/me/contact")
        for contact_id in (1104, 1105, 1106, 1107):
            client.get(f"/me/contact/{contact_id}")
        created = client.post("/me/document", name="a.pdf", tags=[{"key": "k", "value": "v"}])
        client.post("/me/document/cors", origin="https://www.example.com")
        for document_id in client.get("/me/document"):
            client.get(f"/me/document/{document_id}")
        client.delete(f"/me/document/{created['id']}")
        for task_id in range(3000, 3011):
            client.get(f"/me/task/domain/{task_id}/progressbar")

    assert kinds_sim.violations() == []


@pytest.mark.parametrize(("content", "message"), [(None, "cannot read the schema file"), ("{", "invalid JSON"),
                                                  ("{}", "not a native OVH API schema")])
def test_invalid_schema_option(tmp_path, content, message):
    schema = tmp_path / "schema.json"
    if content is not None:
        schema.write_text(content, encoding="utf-8")

    completed = subprocess.run(simulator_command(KINDS_SCENARIO, tmp_path / "ready.json", "--schema", str(schema)),
                               env=simulator_env(), capture_output=True, text=True, timeout=30)
    assert completed.returncode == 2
    assert "invalid --schema" in completed.stderr
    assert message in completed.stderr


def test_reference_schema_used_by_fixture(kinds_sim):
    if not SCHEMA_PATH.is_file():
        pytest.skip(f"reference schema not found at {SCHEMA_PATH}; the simulator ran without --schema")
    assert "--schema" in kinds_sim.process.args
