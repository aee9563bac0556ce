"""Account routes: /auth/currentCredential, /auth/details, /me/document with its upload area, and /me/contact."""

from __future__ import annotations

import ovh
import pytest

from ovhsim_testlib import DEMO_CLIENT_ID, UUID_PATTERN, signed_request

KNOWN_DOCUMENTS = [
    "3f2c9a64-8b1e-4d7a-9c55-0e6b2d8f1a37",
    "ba5e1c2d-4f6a-4b8c-9d0e-1f2a3b4c5d6e",
    "c0ffee00-1d2e-4f3a-8b4c-5d6e7f8a9b0c",
]
ALL_RIGHTS = [{"method": method, "path": "/*"} for method in ("GET", "POST", "PUT", "DELETE")]
SCOPED_RULES = [
    {"method": "GET", "path": "/domain/example.net/task"},
    {"method": "GET", "path": "/domain/example.net/task/*"},
    {"method": "POST", "path": "/domain/example.net/task/*"},
]
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


# /auth routes.

def test_current_credential_key_mode(kinds_sim, ovh_client):
    credential = ovh_client(kinds_sim).get("/auth/currentCredential")

    assert credential["rules"] == ALL_RIGHTS
    assert credential["status"] == "validated"
    assert credential["ovhSupport"] is False
    assert credential["expiration"] is None
    assert credential["allowedIPs"] is None
    assert isinstance(credential["credentialId"], int)
    assert isinstance(credential["applicationId"], int)


def test_current_credential_ignores_rules(kinds_sim, ovh_client):
    # A key without any /auth rule still reads its own credential.
    scoped = ovh_client(kinds_sim, consumer_key="scoped-consumer-key")
    demo = ovh_client(kinds_sim)

    credential = scoped.get("/auth/currentCredential")
    assert credential["rules"] == SCOPED_RULES
    assert credential["credentialId"] != demo.get("/auth/currentCredential")["credentialId"]
    assert scoped.get("/auth/details")["allowedRoutes"] == SCOPED_RULES


def test_auth_details_key_mode(kinds_sim, ovh_client):
    details = ovh_client(kinds_sim).get("/auth/details")

    assert details["method"] == "account"
    assert details["allowedRoutes"] is None
    assert details["account"] == "xx11111-ovh"
    assert details["identities"] == ["urn:v1:eu:identity:account:xx11111-ovh"]


def test_auth_details_oauth2(kinds_sim, ovh_oauth2_client):
    client = ovh_oauth2_client(kinds_sim)

    details = client.get("/auth/details")
    assert details["method"] == "oauth2_client_credentials"
    assert details["description"] == "Demo service account with every right"
    assert details["identities"] == [f"urn:v1:eu:identity:credential:xx11111-ovh/oauth2-{DEMO_CLIENT_ID}"]
    credential = client.get("/auth/currentCredential")
    assert credential["expiration"] is not None
    assert credential["expiration"] > credential["creation"]


def test_auth_routes_need_credentials(kinds_sim):
    response = kinds_sim.http.get(kinds_sim.url + "/auth/currentCredential", timeout=10)

    assert response.status_code == 403
    assert response.json()["errorCode"] == "INVALID_KEY"


# /me/document and its upload area.

def test_document_lifecycle(kinds_sim, ovh_client):
    client = ovh_client(kinds_sim)

    created = client.post("/me/document", name="passport.jpg", tags=[{"key": "task", "value": "3003"}])
    assert UUID_PATTERN.fullmatch(created["id"])
    assert created["name"] == "passport.jpg"
    assert created["size"] == 0
    assert created["tags"] == [{"key": "task", "value": "3003"}]
    assert created["validationDate"] is None
    assert created["putUrl"] == f"{kinds_sim.url.removesuffix('/1.0')}/_storage/documents/{created['id']}"
    assert client.get("/me/document") == KNOWN_DOCUMENTS + [created["id"]]

    content = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40
    upload = kinds_sim.http.put(created["putUrl"], data=content, timeout=10)
    assert upload.status_code == 200
    assert upload.content == b""
    assert client.get(f"/me/document/{created['id']}")["size"] == len(content)
    assert kinds_sim.http.get(created["getUrl"], timeout=10).content == content

    assert client.post("/me/document/cors", origin="https://www.example.com") is None
    assert client.delete(f"/me/document/{created['id']}") is None
    assert client.get("/me/document") == KNOWN_DOCUMENTS


def test_upload_replaces_content(kinds_sim, ovh_client):
    created = ovh_client(kinds_sim).post("/me/document", name="scan.pdf")

    kinds_sim.http.put(created["putUrl"], data=b"x" * 500, timeout=10)
    kinds_sim.http.put(created["putUrl"], data=b"y" * 20, timeout=10)
    documents = {document["id"]: document for document in kinds_sim.control_call("GET", "/documents")}
    assert documents[created["id"]]["size"] == 20


def test_upload_needs_no_signature_and_is_logged(kinds_sim, ovh_client):
    created = ovh_client(kinds_sim).post("/me/document", name="scan.pdf")

    kinds_sim.http.put(created["putUrl"], data=b'{"value": "not logged"}', timeout=10)
    (entry,) = [entry for entry in kinds_sim.requests_log() if entry["path"].startswith("/_storage/")]
    assert (entry["method"], entry["path"], entry["status"]) == ("PUT", f"/_storage/documents/{created['id']}", 200)
    assert entry["body"] is None
    assert entry["application_key"] is None


def test_upload_over_limit_rejected(kinds_sim, ovh_client):
    created = ovh_client(kinds_sim).post("/me/document", name="big.pdf")

    response = kinds_sim.http.put(created["putUrl"], data=b"\0" * (MAX_UPLOAD_BYTES + 1), timeout=30)
    assert response.status_code == 413
    assert str(MAX_UPLOAD_BYTES) in response.json()["message"]
    assert ovh_client(kinds_sim).get(f"/me/document/{created['id']}")["size"] == 0

    at_limit = kinds_sim.http.put(created["putUrl"], data=b"\0" * MAX_UPLOAD_BYTES, timeout=30)
    assert at_limit.status_code == 200
    assert ovh_client(kinds_sim).get(f"/me/document/{created['id']}")["size"] == MAX_UPLOAD_BYTES


def test_upload_unknown_document(kinds_sim):
    response = kinds_sim.http.put(kinds_sim.url.removesuffix("/1.0") + "/_storage/documents/00000000-0000-4000-8000-000000000000",
                                  data=b"abc", timeout=10)

    assert response.status_code == 404
    assert response.json()["class"] == "Client::NotFound"


def test_storage_method_not_allowed(kinds_sim):
    response = kinds_sim.http.post(kinds_sim.url.removesuffix("/1.0") + f"/_storage/documents/{KNOWN_DOCUMENTS[0]}",
                                   data=b"abc", timeout=10)

    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, PUT"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "[name] Property is mandatory"),
        ({"name": 5}, "[name] Given data (5) is not valid for type string"),
        ({"name": "  "}, "[name] Document name must not be empty"),
        ({"name": "a.pdf", "tags": "x"}, "[tags] Given data"),
        ({"name": "a.pdf", "tags": [{"key": "k"}]}, "[tags] Given data"),
    ],
)
def test_document_create_invalid(kinds_sim, body, message):
    response = signed_request(kinds_sim, "POST", "/me/document", body)

    assert response.status_code == 400
    assert response.json()["message"].startswith(message)


def test_document_cors_needs_origin(kinds_sim):
    response = signed_request(kinds_sim, "POST", "/me/document/cors", {})

    assert response.status_code == 400
    assert response.json()["message"] == "[origin] Property is mandatory"


def test_document_get_errors(kinds_sim, ovh_client):
    client = ovh_client(kinds_sim)

    with pytest.raises(ovh.exceptions.BadParametersError, match=r"\[id\] Given data \(nope\) is not valid for type uuid"):
        client.get("/me/document/nope")
    with pytest.raises(ovh.exceptions.ResourceNotFoundError):
        client.get("/me/document/00000000-0000-4000-8000-000000000000")


def test_scenario_documents(kinds_sim, ovh_client):
    document = ovh_client(kinds_sim).get(f"/me/document/{KNOWN_DOCUMENTS[0]}")

    assert document["name"] == "identity-card.pdf"
    assert document["size"] == 48213
    assert document["creationDate"] == "2024-03-01T09:00:00+01:00"
    # Nothing was uploaded through the simulator, so the file reads back empty.
    assert kinds_sim.http.get(document["getUrl"], timeout=10).content == b""


# /me/contact

def test_contacts(kinds_sim, ovh_client):
    client = ovh_client(kinds_sim)

    assert client.get("/me/contact") == [1104, 1105, 1106, 1107]
    contact = client.get("/me/contact/1105")
    assert contact["organisationName"] == "Example Trading SARL"
    assert contact["address"]["zip"] == "69001"
    assert contact["gender"] is None
    assert client.get("/me/contact/1106")["address"]["zip"] is None
    assert kinds_sim.control_call("GET", "/contacts")[0] == client.get("/me/contact/1104")


def test_contact_errors(kinds_sim, ovh_client):
    client = ovh_client(kinds_sim)

    with pytest.raises(ovh.exceptions.ResourceNotFoundError, match=r"contactId = 42"):
        client.get("/me/contact/42")
    with pytest.raises(ovh.exceptions.BadParametersError, match=r"\[contactId\] Given data \(abc\) is not valid for type long"):
        client.get("/me/contact/abc")


def test_contacts_need_rights(kinds_sim, ovh_client):
    scoped = ovh_client(kinds_sim, consumer_key="scoped-consumer-key")

    with pytest.raises(ovh.exceptions.NotGrantedCall):
        scoped.get("/me/contact")
    with pytest.raises(ovh.exceptions.NotGrantedCall):
        scoped.post("/me/document", name="a.pdf")
