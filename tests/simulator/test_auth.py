"""Authentication: signature, credentials, timestamps and access rules."""

from __future__ import annotations

import time

import ovh
import pytest

from ovhsim_testlib import (
    EXPIRED_CONSUMER_KEY,
    QUERY_ID_PATTERN,
    READ_ONLY_CONSUMER_KEY,
    REFUSED_CONSUMER_KEY,
    SUBTREE_ONLY_CONSUMER_KEY,
    TEST_APPLICATION_KEY,
    TEST_APPLICATION_SECRET,
    load_guide,
    signed_request,
)

INVALID_SIGNATURE = {"errorCode": "INVALID_SIGNATURE", "httpCode": "400 Bad Request", "message": "Invalid signature"}
INVALID_CREDENTIAL = {"errorCode": "INVALID_CREDENTIAL", "httpCode": "403 Forbidden", "message": "This credential is not valid"}
INVALID_KEY = {"errorCode": "INVALID_KEY", "httpCode": "403 Forbidden", "message": "This application key is invalid"}
NOT_GRANTED = {"errorCode": "NOT_GRANTED_CALL", "httpCode": "403 Forbidden", "message": "This call has not been granted"}


def test_tampered_signature_rejected(guide_sim):
    response = signed_request(guide_sim, "GET", "/me/task/domain", tamper=True)

    assert response.status_code == 400
    assert response.json() == INVALID_SIGNATURE


def test_signature_covers_query_string(guide_sim):
    url = guide_sim.url + "/me/task/domain?status=error"
    signed = signed_request(guide_sim, "GET", "/me/task/domain?status=error")
    assert signed.status_code == 200
    assert signed.json() == [1000, 1001, 1002]

    # Same headers, other query string: the signature no longer matches.
    response = guide_sim.http.get(url.replace("error", "done"), headers=dict(signed.request.headers))
    assert response.status_code == 400
    assert response.json() == INVALID_SIGNATURE


def test_signature_covers_body(guide_sim):
    path = "/me/task/domain/1000/argument/legitimacyAfnic"
    signed = signed_request(guide_sim, "PUT", path, {"value": "I am the mayor of the city Example."})
    assert signed.status_code == 200

    response = guide_sim.http.put(guide_sim.url + path, data=b'{"value":"I am someone else entirely."}',
                                  headers=dict(signed.request.headers))
    assert response.status_code == 400
    assert response.json() == INVALID_SIGNATURE


def test_ovh_wrong_secret_invalid_signature(guide_sim, ovh_client):
    client = ovh_client(guide_sim, application_secret="not-the-secret")

    with pytest.raises(ovh.exceptions.APIError) as raised:
        client.get("/me/task/domain")
    assert isinstance(raised.value, ovh.exceptions.BadParametersError)
    assert raised.value.args[0] == "Invalid signature"
    assert QUERY_ID_PATTERN.fullmatch(raised.value.query_id)


def test_ovh_unknown_consumer_key(guide_sim, ovh_client):
    client = ovh_client(guide_sim, consumer_key="no-such-consumer-key")

    with pytest.raises(ovh.exceptions.InvalidCredential, match="This credential is not valid"):
        client.get("/me/task/domain")


@pytest.mark.parametrize("consumer_key", [EXPIRED_CONSUMER_KEY, REFUSED_CONSUMER_KEY], ids=["expired", "refused"])
def test_ovh_unusable_consumer_key(edge_sim, ovh_client, consumer_key):
    client = ovh_client(edge_sim, application_key=TEST_APPLICATION_KEY, application_secret=TEST_APPLICATION_SECRET,
                        consumer_key=consumer_key)

    with pytest.raises(ovh.exceptions.InvalidCredential, match="This credential is not valid"):
        client.get("/me/task/domain")


def test_consumer_key_of_other_application(edge_sim):
    response = signed_request(edge_sim, "GET", "/me/task/domain", consumer_key=READ_ONLY_CONSUMER_KEY)

    assert response.status_code == 403
    assert response.json() == INVALID_CREDENTIAL


def test_ovh_unknown_application_key(guide_sim, ovh_client):
    client = ovh_client(guide_sim, application_key="no-such-application")

    with pytest.raises(ovh.exceptions.InvalidKey, match="This application key is invalid"):
        client.get("/me/task/domain")


def test_missing_application_header(guide_sim):
    response = guide_sim.http.get(guide_sim.url + "/me/task/domain")

    assert response.status_code == 403
    assert response.json() == INVALID_KEY


def test_missing_consumer_header(guide_sim):
    response = guide_sim.http.get(guide_sim.url + "/me/task/domain", headers={"X-Ovh-Application": "demo-application-key"})

    assert response.status_code == 403
    assert response.json()["errorCode"] == "NOT_CREDENTIAL"


def test_missing_signature_headers(guide_sim):
    headers = {"X-Ovh-Application": "demo-application-key", "X-Ovh-Consumer": "demo-consumer-key"}
    response = guide_sim.http.get(guide_sim.url + "/me/task/domain", headers=headers)

    assert response.status_code == 400
    assert response.json() == INVALID_SIGNATURE


@pytest.mark.parametrize("drift", [-600, 600])
def test_stale_timestamp_rejected(guide_sim, drift):
    response = signed_request(guide_sim, "GET", "/me/task/domain", timestamp=int(time.time()) + drift)

    assert response.status_code == 400
    assert response.json() == {"errorCode": "QUERY_TIME_OUT", "httpCode": "400 Bad Request", "message": "Query out of time"}


def test_timestamp_within_tolerance(guide_sim):
    response = signed_request(guide_sim, "GET", "/me/task/domain", timestamp=int(time.time()) - 120)

    assert response.status_code == 200


def test_ovh_client_follows_clock_offset(start_sim, ovh_client):
    document = load_guide()
    document["clock_offset"] = -7200
    sim = start_sim(document)

    # A request stamped with the local clock is two hours ahead of the server.
    assert signed_request(sim, "GET", "/me/task/domain").json()["errorCode"] == "QUERY_TIME_OUT"
    # ovh reads /auth/time first and signs with the server's time.
    assert ovh_client(sim).get("/me/task/domain") == [1000, 1001, 1002, 1003, 1004, 1005, 1006]


def test_ovh_read_only_key_not_granted_write(edge_sim, ovh_client):
    client = ovh_client(edge_sim, application_key=TEST_APPLICATION_KEY, application_secret=TEST_APPLICATION_SECRET,
                        consumer_key=READ_ONLY_CONSUMER_KEY)

    assert client.get("/me/task/domain/1000")["id"] == 1000
    with pytest.raises(ovh.exceptions.NotGrantedCall, match="This call has not been granted"):
        client.post("/me/task/domain/1000/relaunch")
    with pytest.raises(ovh.exceptions.NotGrantedCall):
        client.put("/me/task/domain/1000/argument/legitimacyAfnic", value="I am the mayor of the city Example.")
    assert edge_sim.task(1000)["status"] == "error"


def test_subtree_rule_excludes_base_path(edge_sim, ovh_client):
    client = ovh_client(edge_sim, application_key=TEST_APPLICATION_KEY, application_secret=TEST_APPLICATION_SECRET,
                        consumer_key=SUBTREE_ONLY_CONSUMER_KEY)

    assert client.get("/me/task/domain/1000/argument") == ["legitimacyAfnic"]
    with pytest.raises(ovh.exceptions.NotGrantedCall):
        client.get("/me/task/domain")


def test_not_granted_body(edge_sim):
    response = signed_request(edge_sim, "GET", "/domain/example.fr/task", application_key=TEST_APPLICATION_KEY,
                              secret=TEST_APPLICATION_SECRET, consumer_key=READ_ONLY_CONSUMER_KEY)

    assert response.status_code == 403
    assert response.json() == NOT_GRANTED


def test_auth_time_needs_no_signature(guide_sim):
    response = guide_sim.http.get(guide_sim.url + "/auth/time")

    assert response.status_code == 200
