"""Signed-request checks of the OVHcloud API v1 (application key + consumer key)."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Mapping

from .clock import SimClock
from .errors import AuthError
from .oauth2 import TokenRegistry
from .scenario import ALL_RIGHTS, AccessRule, ApplicationSpec, ConsumerKeySpec

# NOTE: OVHcloud does not document its tolerance for X-Ovh-Timestamp drift, so
# 180 seconds is a guess.
TIMESTAMP_TOLERANCE_SECONDS = 180

# Routes that describe the caller's own credential. A user reported that a
# consumer key restricted to /domain/zone/* could read /auth/currentCredential
# (node-ovh, 2017), so access rules do not apply to them here.
RULE_EXEMPT_PATHS = ("/auth/currentCredential", "/auth/details")

# Invented numbering of the scenario's credentials for /auth/currentCredential.
APPLICATION_ID_BASE = 100_000
CONSUMER_KEY_ID_BASE = 200_000
OAUTH2_CLIENT_ID_BASE = 300_000


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
    """The credential behind an authenticated call, as /auth/currentCredential and /auth/details describe it."""

    application_key: str | None
    consumer_key: str | None
    client_id: str | None = None
    # auth.MethodEnum value: account (signed request) or oauth2_client_credentials (bearer token).
    method: str = "account"
    rules: tuple[AccessRule, ...] = ALL_RIGHTS
    credential_id: int = 0
    application_id: int = 0
    created_at: datetime | None = None
    expires_at: datetime | None = None
    description: str | None = None


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

    def __init__(self, applications: tuple[ApplicationSpec, ...], clock: SimClock, tokens: TokenRegistry | None = None):
        self._clock = clock
        self._tokens = tokens
        self._started_at = clock.now()
        self._applications = {app.application_key: app for app in applications}
        self._consumer_keys: dict[str, tuple[ApplicationSpec, ConsumerKeySpec]] = {}
        # Numbers for /auth/currentCredential, in scenario order.
        self._application_ids = {app.application_key: APPLICATION_ID_BASE + index + 1 for index, app in enumerate(applications)}
        self._credential_ids: dict[str, int] = {}
        for app in applications:
            for key in app.consumer_keys:
                self._consumer_keys[key.consumer_key] = (app, key)
                self._credential_ids[key.consumer_key] = CONSUMER_KEY_ID_BASE + len(self._credential_ids) + 1

    def check(self, headers: Mapping[str, str], method: str, url: str, body: bytes, path: str) -> Caller:
        """Authenticate one call to ``path`` (the part after ``/1.0``). Raises AuthError, or ApiError 401 for a bad bearer token."""
        # NOTE: a bearer token wins over signature headers sent along with it,
        # because the real API's behaviour with both is not documented.
        authorization = headers.get("Authorization")
        if authorization is not None and self._tokens is not None:
            return self._check_bearer(authorization, method, path)

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

        _check_rules(key_spec.rules, method, path)

        return Caller(
            application_key=application.application_key,
            consumer_key=consumer_key,
            rules=key_spec.rules,
            credential_id=self._credential_ids[consumer_key],
            application_id=self._application_ids[application.application_key],
            created_at=self._started_at,
        )

    def _check_bearer(self, authorization: str, method: str, path: str) -> Caller:
        token = self._tokens.authenticate(authorization)
        client = token.client
        try:
            _check_rules(client.rules, method, path)
        except AuthError as error:
            error.client_id = client.client_id
            raise

        # NOTE: the numbers and dates an OAuth2 caller gets from /auth/currentCredential are invented.
        number = OAUTH2_CLIENT_ID_BASE + token.client_index + 1
        return Caller(
            application_key=None,
            consumer_key=None,
            client_id=client.client_id,
            method="oauth2_client_credentials",
            rules=client.rules,
            credential_id=number,
            application_id=number,
            created_at=token.issued_at,
            expires_at=token.expires_at,
            description=client.description,
        )


def _check_rules(rules: tuple[AccessRule, ...], method: str, path: str) -> None:
    if path in RULE_EXEMPT_PATHS:
        return
    if not any(rule_matches(rule, method, path) for rule in rules):
        raise _not_granted()
