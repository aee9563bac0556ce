"""Routes of the simulated API for the caller's account: ``/auth`` credential details, ``/me/document`` and ``/me/contact``."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from .clock import format_datetime
from .errors import bad_request
from .scenario import ALL_RIGHTS

if TYPE_CHECKING:
    from .api import ApiRequest

LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1
UUID_TEXT = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")

# NOTE: invented customer identifier (nichandle) of the simulated account.
ACCOUNT_NICHANDLE = "xx11111-ovh"


# Parameter and body checks, with messages in the format of the API's type validation.

def _long_param(request: ApiRequest, name: str) -> int:
    text = request.params[name]
    if re.fullmatch(r"-?[0-9]+", text) is None or not LONG_MIN <= int(text) <= LONG_MAX:
        raise bad_request(f"[{name}] Given data ({text}) is not valid for type long")
    return int(text)


def _uuid_param(request: ApiRequest, name: str) -> str:
    text = request.params[name]
    if UUID_TEXT.fullmatch(text) is None:
        raise bad_request(f"[{name}] Given data ({text}) is not valid for type uuid")
    return text.lower()


def _json_object(request: ApiRequest) -> dict:
    # NOTE: the messages for a body that is not a JSON object are guesses.
    try:
        body = json.loads(request.body.decode("utf-8") or "null")
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise bad_request("Invalid JSON received in the request body") from None
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object")
    return body


def _required_string(body: dict, name: str) -> str:
    if body.get(name) is None:
        raise bad_request(f"[{name}] Property is mandatory")
    value = body[name]
    if not isinstance(value, str):
        raise bad_request(f"[{name}] Given data ({json.dumps(value)}) is not valid for type string")
    return value


# /auth: what the caller's credential is and may do.

def _rule_list(request: ApiRequest) -> list[dict]:
    return [{"method": rule.method, "path": rule.path} for rule in request.caller.rules]


def get_current_credential(request: ApiRequest) -> dict:
    caller = request.caller
    return {
        "credentialId": caller.credential_id,
        "applicationId": caller.application_id,
        "creation": format_datetime(caller.created_at),
        "expiration": format_datetime(caller.expires_at),
        "lastUse": format_datetime(request.clock.now()),
        "ovhSupport": False,
        "rules": _rule_list(request),
        "status": "validated",
        "allowedIPs": None,
    }


def get_auth_details(request: ApiRequest) -> dict:
    caller = request.caller
    # NOTE: the identity URNs follow the format of OVHcloud's IAM documentation,
    # but which ones the real API lists for each method is a guess.
    if caller.method == "oauth2_client_credentials":
        identities = [f"urn:v1:eu:identity:credential:{ACCOUNT_NICHANDLE}/oauth2-{caller.client_id}"]
    else:
        identities = [f"urn:v1:eu:identity:account:{ACCOUNT_NICHANDLE}"]
    unrestricted = set(caller.rules) >= set(ALL_RIGHTS)
    return {
        "account": ACCOUNT_NICHANDLE,
        "method": caller.method,
        "identities": identities,
        # The schema documents null as "every route".
        "allowedRoutes": None if unrestricted else _rule_list(request),
        "description": caller.description,
        "user": None,
        "roles": None,
    }


# /me/document

def list_documents(request: ApiRequest) -> list[str]:
    return request.account.documents.ids()


def create_document(request: ApiRequest) -> dict:
    body = _json_object(request)
    name = _required_string(body, "name")
    if not name.strip():
        raise bad_request("[name] Document name must not be empty")
    return request.account.documents.create(name, _read_tags(body.get("tags")), request.base_url)


def _read_tags(value: Any) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise bad_request(f"[tags] Given data ({json.dumps(value)}) is not valid for type complexType.SafeKeyValue<string>[]")
    tags = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("key"), str) or not isinstance(item.get("value"), str):
            raise bad_request(f"[tags] Given data ({json.dumps(item)}) is not a {{\"key\": string, \"value\": string}} pair")
        tags.append((item["key"], item["value"]))
    return tuple(tags)


def get_document(request: ApiRequest) -> dict:
    return request.account.documents.get(_uuid_param(request, "id"), request.base_url)


def delete_document(request: ApiRequest) -> None:
    request.account.documents.delete(_uuid_param(request, "id"))
    return None


def declare_document_cors(request: ApiRequest) -> None:
    # Browsers need this before uploading from another origin; the simulator
    # only checks the body, because it sends no CORS headers.
    _required_string(_json_object(request), "origin")
    return None


# /me/contact

def list_contacts(request: ApiRequest) -> list[int]:
    return request.account.contacts.ids()


def get_contact(request: ApiRequest) -> dict:
    return request.account.contacts.get(_long_param(request, "contactId"))
