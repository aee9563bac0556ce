"""OAuth2 client credentials: the token route and the bearer tokens of API calls.

``POST /auth/oauth2/token`` sits at the host root, as on www.ovh.com. A client
authenticates with HTTP Basic (what requests-oauthlib sends) or with
``client_id`` and ``client_secret`` in the form, and gets a bearer token that
is valid for the client's ``token_lifetime`` on the simulated clock. API calls
then send ``Authorization: Bearer TOKEN`` instead of the signature headers.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Mapping
from urllib.parse import parse_qs

from .clock import SimClock
from .errors import ApiError
from .scenario import OAuth2ClientSpec

TOKEN_PATH = "/auth/oauth2/token"

# python-ovh 1.2.0 requests this scope, the only one the OVHcloud guide on
# service accounts documents.
SCOPE = "all"


class TokenError(Exception):
    """Error of the token route, sent as ``{"error", "error_description"}`` (RFC 6749, section 5.2)."""

    def __init__(self, status: int, error: str, description: str):
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description

    def body(self) -> dict:
        return {"error": self.error, "error_description": self.description}


def _invalid_client(description: str) -> TokenError:
    return TokenError(401, "invalid_client", description)


def invalid_token() -> ApiError:
    """Build the 401 of an API call whose bearer token is unknown, expired or malformed."""
    # NOTE: guessed body and header, because OVHcloud documents neither. The header is the one RFC 6750 defines.
    return ApiError(401, "Client::Unauthorized", "The access token is invalid or expired",
                    headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


@dataclass(frozen=True)
class IssuedToken:
    client: OAuth2ClientSpec
    # Position of the client in the scenario, which numbers its credential.
    client_index: int
    issued_at: datetime
    expires_at: datetime


class TokenRegistry:
    """OAuth2 clients of a scenario and the tokens issued to them. Every public method is thread-safe."""

    def __init__(self, clients: tuple[OAuth2ClientSpec, ...], clock: SimClock):
        self._clock = clock
        self._clients = {client.client_id: (index, client) for index, client in enumerate(clients)}
        self._tokens: dict[str, IssuedToken] = {}
        self._lock = threading.Lock()

    def issue(self, headers: Mapping[str, str], body: bytes) -> dict:
        """Serve one token request and return the token response. Raises TokenError."""
        try:
            form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            raise TokenError(400, "invalid_request", "the request body is not UTF-8 form data") from None

        def form_value(name: str) -> str | None:
            values = form.get(name)
            return values[-1] if values else None

        client_id, client_secret = self._client_credentials(headers.get("Authorization"), form_value)

        grant_type = form_value("grant_type")
        if grant_type is None:
            raise TokenError(400, "invalid_request", "missing grant_type")
        if grant_type != "client_credentials":
            raise TokenError(400, "unsupported_grant_type", f"grant_type {grant_type} is not supported; use client_credentials")

        # NOTE: OVHcloud documents only scope=all, so rejecting other scopes is a guess.
        scope = form_value("scope")
        if scope is not None and scope.split() != [SCOPE]:
            raise TokenError(400, "invalid_scope", f"scope {scope!r} is not supported; use {SCOPE}")

        entry = self._clients.get(client_id)
        if entry is None:
            # The description the real service gives, as python-ovh 1.2.0's tests quote it.
            raise _invalid_client("ovhcloud oauth2 client does not exists")
        index, client = entry
        if not secrets.compare_digest(client.client_secret.encode("utf-8"), client_secret.encode("utf-8")):
            raise _invalid_client("ovhcloud oauth2 client secret is invalid")

        now = self._clock.now()
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = IssuedToken(client=client, client_index=index, issued_at=now,
                                              expires_at=now + timedelta(seconds=client.token_lifetime))
        return {"access_token": token, "token_type": "Bearer", "expires_in": client.token_lifetime, "scope": SCOPE}

    @staticmethod
    def _client_credentials(authorization: str | None, form_value: Callable[[str], str | None]) -> tuple[str, str]:
        """Return (client_id, client_secret) from HTTP Basic or from the form. Raises TokenError."""
        if authorization is not None and authorization.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                raise _invalid_client("malformed HTTP Basic credentials") from None
            client_id, separator, client_secret = decoded.partition(":")
            if not separator:
                raise _invalid_client("malformed HTTP Basic credentials")
            return client_id, client_secret

        client_id = form_value("client_id")
        client_secret = form_value("client_secret")
        if not client_id or client_secret is None:
            raise _invalid_client("missing client credentials: send HTTP Basic or client_id and client_secret")
        return client_id, client_secret

    def authenticate(self, authorization: str) -> IssuedToken:
        """Return the token of an ``Authorization`` header. Raises ApiError 401 when it is not a valid bearer token."""
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise invalid_token()

        with self._lock:
            issued = self._tokens.get(token.strip())
        if issued is None or self._clock.now() >= issued.expires_at:
            raise invalid_token()
        return issued

    def expire_all(self) -> int:
        """Make every issued token invalid and return how many there were."""
        with self._lock:
            count = len(self._tokens)
            self._tokens.clear()
            return count
