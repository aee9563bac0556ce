"""Control routes for credentials, account objects and the schema check: token expiry, documents, contacts and violations."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .app import Simulator


def expire_tokens(simulator: "Simulator", body: bytes) -> dict:
    """Make every OAuth2 token issued so far invalid, so clients must fetch a new one."""
    return {"expired": simulator.run.tokens.expire_all()}


def get_documents(simulator: "Simulator", body: bytes) -> list[dict]:
    """Return every document as GET /me/document/{id} shows it, with ``size`` 0 until a file is uploaded."""
    return simulator.run.account.documents.snapshot(simulator.base_url)


def get_contacts(simulator: "Simulator", body: bytes) -> list[dict]:
    return simulator.run.account.contacts.snapshot()


def get_violations(simulator: "Simulator", body: bytes) -> list[dict]:
    """Return the responses that did not match the schema given with --schema (always empty without it)."""
    return simulator.violations.entries()


def clear_violations(simulator: "Simulator", body: bytes) -> dict:
    return {"cleared": simulator.violations.clear()}


ROUTES = {
    "/tokens/expire": {"POST": expire_tokens},
    "/documents": {"GET": get_documents},
    "/contacts": {"GET": get_contacts},
    "/violations": {"GET": get_violations, "DELETE": clear_violations},
}
