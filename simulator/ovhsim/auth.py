"""Signed-request checks of the OVHcloud API v1 (application key + consumer key)."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Mapping

from .clock import SimClock
from .errors import AuthError
from .scenario import AccessRule, ApplicationSpec, ConsumerKeySpec

# NOTE: OVHcloud does not document its tolerance for X-Ovh-Timestamp drift, so
# 180 seconds is a guess.
TIMESTAMP_TOLERANCE_SECONDS = 180


def compute_signature(application_secret: str, consumer_key: str, method: str, url: str, body: bytes | str, timestamp: str) -> str:
    """Compute the X-Ovh-Signature value.

    It is "$1$" followed by the hex SHA-1 of secret, consumer key, upper-case
    method, full URL with query string, body and timestamp, joined with "+".
    """
    if isinstance(body, str):
        body = body.encode("utf-8")
    head = "+".join([application_secret, consumer_key, method.upper(), url, ""]).encode("utf-8")
    digest = hashlib.sha1(head + body + b"+" + timestamp.encode("utf-8")).hexdigest()
    return "$1$" + digest


def rule_matches(rule: AccessRule, method: str, path: str) -> bool:
    """Tell whether an access rule grants a call.

    ``*`` matches any characters, ``/`` included, so ``/me/task/domain/*``
    grants ``/me/task/domain/1`` but not ``/me/task/domain`` itself.
    """
    if rule.method != method:
        return False
    pattern = ".*".join(re.escape(part) for part in rule.path.split("*"))
    return re.fullmatch(pattern, path) is not None


@dataclass(frozen=True)
class Caller:
    application_key: str
    consumer_key: str


# Authentication-layer errors. The INVALID_KEY, INVALID_CREDENTIAL, INVALID_SIGNATURE
# and NOT_GRANTED_CALL bodies match responses reported from the real API.
# NOTE: which of them a missing X-Ovh-Application header (INVALID_KEY here) and an
# expired, refused or pendingValidation key (INVALID_CREDENTIAL here) get is a guess.
def _invalid_key() -> AuthError:
    return AuthError(403, "INVALID_KEY", "This application key is invalid")


def _invalid_credential() -> AuthError:
    return AuthError(403, "INVALID_CREDENTIAL", "This credential is not valid")


def _invalid_signature() -> AuthError:
    return AuthError(400, "INVALID_SIGNATURE", "Invalid signature")


def _not_granted() -> AuthError:
    return AuthError(403, "NOT_GRANTED_CALL", "This call has not been granted")


def _not_credential() -> AuthError:
    # NOTE: guessed body, because OVHcloud documents neither the message nor the
    # status for a signed route called without X-Ovh-Consumer.
    return AuthError(403, "NOT_CREDENTIAL", "You must login first")


def _query_out_of_time() -> AuthError:
    # NOTE: guessed body, because the real code and message for a stale
    # timestamp are not documented.
    return AuthError(400, "QUERY_TIME_OUT", "Query out of time")


class Authenticator:
    """Check the signature headers of a request against the scenario's credentials."""

    def __init__(self, applications: tuple[ApplicationSpec, ...], clock: SimClock):
        self._clock = clock
        self._applications = {app.application_key: app for app in applications}
        self._consumer_keys: dict[str, tuple[ApplicationSpec, ConsumerKeySpec]] = {}
        for app in applications:
            for key in app.consumer_keys:
                self._consumer_keys[key.consumer_key] = (app, key)

    def check(self, headers: Mapping[str, str], method: str, url: str, body: bytes, path: str) -> Caller:
        """Authenticate one call to ``path`` (the part after ``/1.0``). Raises AuthError."""
        application_key = headers.get("X-Ovh-Application")
        application = self._applications.get(application_key or "")
        if application is None:
            raise _invalid_key()

        consumer_key = headers.get("X-Ovh-Consumer")
        if not consumer_key:
            raise _not_credential()
        owner = self._consumer_keys.get(consumer_key)
        if owner is None or owner[0] is not application:
            raise _invalid_credential()
        key_spec = owner[1]
        if key_spec.state != "validated":
            raise _invalid_credential()

        timestamp = headers.get("X-Ovh-Timestamp", "")
        signature = headers.get("X-Ovh-Signature", "")
        if not timestamp.isdigit() or not signature:
            raise _invalid_signature()
        expected = compute_signature(application.application_secret, consumer_key, method, url, body, timestamp)
        if not hmac.compare_digest(expected.encode("utf-8"), signature.encode("utf-8")):
            raise _invalid_signature()

        if abs(int(timestamp) - self._clock.server_timestamp()) > TIMESTAMP_TOLERANCE_SECONDS:
            raise _query_out_of_time()

        if not any(rule_matches(rule, method, path) for rule in key_spec.rules):
            raise _not_granted()

        return Caller(application_key=application.application_key, consumer_key=consumer_key)
