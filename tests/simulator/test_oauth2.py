"""OAuth2 client credentials: the token route, bearer tokens, their expiry and their access rules."""

from __future__ import annotations

import base64

import ovh
import pytest
import requests

from ovhsim_testlib import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    QUERY_ID_PATTERN,
    SimulatorProcess,
    load_guide,
)

UNKNOWN_CLIENT = {"error": "invalid_client", "error_description": "ovhcloud oauth2 client does not exists"}
INVALID_TOKEN = {"class": "Client::Unauthorized", "message": "The access token is invalid or expired"}
NOT_GRANTED = {"errorCode": "NOT_GRANTED_CALL", "httpCode": "403 Forbidden", "message": "This call has not been granted"}


def request_token(sim: SimulatorProcess, client_id: str = DEMO_CLIENT_ID, client_secret: str = DEMO_CLIENT_SECRET,
                  *, basic: bool = True, **form: str) -> requests.Response:
    """POST to the token route with HTTP Basic credentials (or in the form when ``basic`` is false)."""
    data = {"grant_type": "client_credentials", "scope": "all", **form}
    if basic:
        return sim.http.post(sim.token_url, data=data, auth=(client_id, client_secret), timeout=10)
    data.update(client_id=client_id, client_secret=client_secret)
    return sim.http.post(sim.token_url, data=data, timeout=10)


def bearer_get(sim: SimulatorProcess, path: str, token: str) -> requests.Response:
    return sim.http.get(sim.url + path, headers={"Authorization": f"Bearer {token}"}, timeout=10)


def token_of(sim: SimulatorProcess, client_id: str = DEMO_CLIENT_ID, client_secret: str = DEMO_CLIENT_SECRET) -> str:
    response = request_token(sim, client_id, client_secret)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def oauth2_scenario(**client: object) -> dict:
    """Return the demo scenario with one more OAuth2 client, ``test-client-id``."""
    document = load_guide()
    document["oauth2_clients"].append({"client_id": "test-client-id", "client_secret": "test-client-secret", **client})
    return document


# The token route.

@pytest.mark.parametrize("basic", [True, False], ids=["basic-auth", "form"])
def test_token_issued(guide_sim, basic):
    response = request_token(guide_sim, basic=basic)

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3599
    assert body["scope"] == "all"
    assert len(body["access_token"]) >= 32


def test_token_lifetime_from_scenario(start_sim):
    sim = start_sim(oauth2_scenario(token_lifetime=120))

    response = request_token(sim, "test-client-id", "test-client-secret")
    assert response.json()["expires_in"] == 120


def test_token_unknown_client(guide_sim):
    response = request_token(guide_sim, "no-such-client", "whatever")

    assert response.status_code == 401
    assert response.json() == UNKNOWN_CLIENT


@pytest.mark.parametrize("basic", [True, False], ids=["basic-auth", "form"])
def test_token_wrong_secret(guide_sim, basic):
    response = request_token(guide_sim, DEMO_CLIENT_ID, "not-the-secret", basic=basic)

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert "not-the-secret" not in response.text


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"grant_type": "password"}, "unsupported_grant_type"),
        ({"grant_type": ""}, "unsupported_grant_type"),
        ({"scope": "domain:read"}, "invalid_scope"),
    ],
)
def test_token_bad_request(guide_sim, form, error):
    response = request_token(guide_sim, **form)

    assert response.status_code == 400
    assert response.json()["error"] == error


def test_token_without_credentials(guide_sim):
    response = guide_sim.http.post(guide_sim.token_url, data={"grant_type": "client_credentials"}, timeout=10)

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_token_malformed_basic(guide_sim):
    response = guide_sim.http.post(guide_sim.token_url, data={"grant_type": "client_credentials"},
                                   headers={"Authorization": "Basic not-base64!"}, timeout=10)

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_token_route_post_only(guide_sim):
    response = guide_sim.http.get(guide_sim.token_url, timeout=10)

    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"


def test_token_request_logged_without_form(guide_sim):
    request_token(guide_sim)
    request_token(guide_sim, DEMO_CLIENT_ID, "not-the-secret")

    issued, refused = guide_sim.requests_log()
    assert (issued["method"], issued["path"], issued["status"], issued["body"]) == ("POST", "/auth/oauth2/token", 200, None)
    assert refused["status"] == 401
    guide_sim.stop()
    assert DEMO_CLIENT_SECRET not in guide_sim.stderr_path.read_text()


# Bearer tokens on API calls.

def test_bearer_call_served(guide_sim):
    response = bearer_get(guide_sim, "/me/task/domain", token_of(guide_sim))

    assert response.status_code == 200
    assert response.json() == [1000, 1001, 1002, 1003, 1004, 1005, 1006]
    assert QUERY_ID_PATTERN.fullmatch(response.headers["X-Ovh-Queryid"])
    entry = guide_sim.requests_log()[-1]
    assert entry["client_id"] == DEMO_CLIENT_ID
    assert entry["application_key"] is None
    assert entry["consumer_key"] is None


@pytest.mark.parametrize("authorization", ["Bearer not-a-token", "Bearer ", "Basic ZGVtbzpkZW1v", "token"])
def test_bearer_invalid_token(guide_sim, authorization):
    response = guide_sim.http.get(guide_sim.url + "/me/task/domain", headers={"Authorization": authorization}, timeout=10)

    assert response.status_code == 401
    assert response.json() == INVALID_TOKEN
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert QUERY_ID_PATTERN.fullmatch(response.headers["X-Ovh-Queryid"])


def test_bearer_expires_with_clock(start_sim):
    sim = start_sim(oauth2_scenario(token_lifetime=60))
    token = token_of(sim, "test-client-id", "test-client-secret")

    sim.advance(59)
    assert bearer_get(sim, "/me/task/domain", token).status_code == 200
    sim.advance(2)
    response = bearer_get(sim, "/me/task/domain", token)
    assert response.status_code == 401
    assert response.json() == INVALID_TOKEN


def test_expire_tokens_control(guide_sim):
    first, second = token_of(guide_sim), token_of(guide_sim)

    assert guide_sim.control_call("POST", "/tokens/expire") == {"expired": 2}
    assert bearer_get(guide_sim, "/me/task/domain", first).status_code == 401
    assert bearer_get(guide_sim, "/me/task/domain", second).status_code == 401
    assert bearer_get(guide_sim, "/me/task/domain", token_of(guide_sim)).status_code == 200


def test_reset_drops_tokens(guide_sim):
    token = token_of(guide_sim)

    guide_sim.control_call("POST", "/reset")
    assert bearer_get(guide_sim, "/me/task/domain", token).status_code == 401


def test_bearer_rules_apply(start_sim):
    sim = start_sim(oauth2_scenario(rules=[{"method": "GET", "path": "/me/task/domain/*"}]))
    token = token_of(sim, "test-client-id", "test-client-secret")

    assert bearer_get(sim, "/me/task/domain/1000", token).status_code == 200
    refused = bearer_get(sim, "/me/task/domain", token)
    assert refused.status_code == 403
    assert refused.json() == NOT_GRANTED
    assert sim.requests_log()[-1]["client_id"] == "test-client-id"
    relaunch = sim.http.post(sim.url + "/me/task/domain/1000/relaunch", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert relaunch.status_code == 403
    assert sim.task(1000)["status"] == "error"


def test_bearer_ignores_signature_headers(guide_sim):
    # A bearer token decides alone, even next to stale signature headers.
    headers = {"Authorization": f"Bearer {token_of(guide_sim)}", "X-Ovh-Application": "demo-application-key",
               "X-Ovh-Consumer": "demo-consumer-key", "X-Ovh-Timestamp": "1", "X-Ovh-Signature": "$1$0"}
    response = guide_sim.http.get(guide_sim.url + "/me/task/domain/1000", headers=headers, timeout=10)

    assert response.status_code == 200


# python-ovh 1.2.0 in OAuth2 mode against the same simulator as in key mode.

def _outcome(client, method: str, path: str, **kwargs):
    """Return ("ok", result) or ("error", exception class, message) of one ovh call."""
    try:
        return ("ok", getattr(client.client, method.lower())(path, **kwargs))
    except ovh.exceptions.APIError as error:
        return ("error", type(error), error.args[0])


# Calls that change nothing, or fail the same way whatever the credential.
SAME_OUTCOME_CALLS = [
    ("GET", "/me/task/domain", {}),
    ("GET", "/me/task/domain", {"status": "error", "domain": "%.fr"}),
    ("GET", "/me/task/domain", {"status": "failed"}),
    ("GET", "/me/task/domain/3003", {}),
    ("GET", "/me/task/domain/99999", {}),
    ("GET", "/me/task/domain/not-a-number", {}),
    ("GET", "/me/task/domain/3003/argument", {}),
    ("GET", "/me/task/domain/3003/argument/nicowner", {}),
    ("GET", "/me/task/domain/3003/argument/nope", {}),
    ("GET", "/me/task/domain/3001/progressbar", {}),
    ("GET", "/domain/example.net/task", {}),
    ("GET", "/domain/example.net/task/3000", {}),
    ("GET", "/me/contact", {}),
    ("GET", "/me/contact/1105", {}),
    ("GET", "/me/document", {}),
    ("GET", "/me/document/3f2c9a64-8b1e-4d7a-9c55-0e6b2d8f1a37", {}),
    ("GET", "/me/document/not-a-uuid", {}),
    ("POST", "/me/task/domain/3006/accelerate", {}),
    ("POST", "/me/task/domain/3009/relaunch", {}),
    ("PUT", "/me/task/domain/3001/argument/authInfo", {"value": "abc"}),
    ("PUT", "/me/task/domain/3010/argument/none", {"value": "abc"}),
    ("GET", "/me/nothing/here", {}),
]


def test_oauth2_same_outcomes_as_key_mode(kinds_sim, ovh_client, ovh_oauth2_client):
    signed = ovh_client(kinds_sim)
    bearer = ovh_oauth2_client(kinds_sim)

    for method, path, kwargs in SAME_OUTCOME_CALLS:
        expected = _outcome(signed, method, path, **kwargs)
        assert _outcome(bearer, method, path, **kwargs) == expected, (method, path, expected)


def test_oauth2_exception_classes(kinds_sim, ovh_oauth2_client):
    bearer = ovh_oauth2_client(kinds_sim).client

    with pytest.raises(ovh.exceptions.ResourceNotFoundError):
        bearer.get("/me/task/domain/99999")
    with pytest.raises(ovh.exceptions.BadParametersError):
        bearer.get("/me/task/domain", status="failed")
    # A 403 without errorCode (Client::Forbidden) is a plain APIError for ovh.
    with pytest.raises(ovh.exceptions.APIError) as raised:
        bearer.post("/me/task/domain/3006/accelerate")
    assert type(raised.value) is ovh.exceptions.APIError
    assert QUERY_ID_PATTERN.fullmatch(raised.value.query_id)


def test_oauth2_writes_seen_by_key_mode(kinds_sim, ovh_client, ovh_oauth2_client):
    signed = ovh_client(kinds_sim)
    bearer = ovh_oauth2_client(kinds_sim)

    assert bearer.put("/me/task/domain/3001/argument/authInfo", value="Tr4nsfer-Code-2024") is None
    assert signed.get("/me/task/domain/3001/argument/authInfo")["value"] == "Tr4nsfer-Code-2024"
    assert bearer.post("/me/task/domain/3001/relaunch") is None
    assert signed.get("/me/task/domain/3001")["status"] == "todo"

    # The token came on its own connection, so its log entry may land after the PUT's.
    entries = kinds_sim.requests_log()
    assert [entry["status"] for entry in entries if entry["path"] == "/auth/oauth2/token"] == [200]
    writes = [entry for entry in entries if entry["method"] != "GET" and entry["path"].startswith("/me/")]
    assert [(entry["method"], entry["client_id"]) for entry in writes] == [("PUT", DEMO_CLIENT_ID), ("POST", DEMO_CLIENT_ID)]


def test_oauth2_unknown_client_fails(kinds_sim, ovh_oauth2_client):
    client = ovh_oauth2_client(kinds_sim, client_id="no-such-client", client_secret="whatever").client

    with pytest.raises(ovh.exceptions.OAuth2FailureError) as raised:
        client.get("/me/task/domain")
    assert str(raised.value).startswith("OAuth2 failure: (invalid_client)")
    assert "ovhcloud oauth2 client does not exists" in str(raised.value)


def test_oauth2_expired_token_raises(kinds_sim, ovh_oauth2_client):
    client = ovh_oauth2_client(kinds_sim).client
    assert client.get("/me/task/domain/3000")["domain"] == "xn--caf-dma.fr"

    kinds_sim.control_call("POST", "/tokens/expire")
    # ovh 1.2.0 renews a token only when its own expiry time has passed, so the
    # server-side expiry reaches the caller as an APIError on HTTP 401.
    with pytest.raises(ovh.exceptions.APIError) as raised:
        client.get("/me/task/domain/3000")
    assert type(raised.value) is ovh.exceptions.APIError
    assert raised.value.response.status_code == 401
    assert raised.value.args[0] == INVALID_TOKEN["message"]


def test_oauth2_scoped_client_not_granted(kinds_sim, ovh_oauth2_client):
    client = ovh_oauth2_client(kinds_sim, client_id="scoped-client-id", client_secret="scoped-client-secret").client

    with pytest.raises(ovh.exceptions.NotGrantedCall, match="This call has not been granted"):
        client.get("/me/task/domain")
    assert client.get("/domain/example.net/task") == [3007]
    assert client.get("/domain/example.net/task/3007")["status"] == "error"


def test_basic_secret_with_colon(start_sim):
    # HTTP Basic credentials are base64("id:secret"), split at the first colon.
    sim = start_sim(oauth2_scenario(client_secret="se:cr:et"))
    header = "Basic " + base64.b64encode(b"test-client-id:se:cr:et").decode("ascii")
    response = sim.http.post(sim.token_url, data={"grant_type": "client_credentials"},
                             headers={"Authorization": header}, timeout=10)

    assert response.status_code == 200
