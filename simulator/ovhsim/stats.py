"""Counters of the API requests served, by method, route template, status and fault."""

from __future__ import annotations

import threading
from collections import Counter

from . import api
from .account import STORAGE_PREFIX
from .oauth2 import TOKEN_PATH

# Route key of a request that matches no route template.
UNKNOWN_ROUTE = "(unknown route)"
# Status key of a request whose connection was closed without a reply.
NO_REPLY = "none"


def route_template(path: str) -> str:
    """Return the template of the route serving ``path``, whatever the method.

    ``path`` is relative to /1.0 for API routes, or the path from the host root
    for the OAuth2 token route and document uploads.
    """
    if path == TOKEN_PATH:
        return TOKEN_PATH
    if path.startswith(STORAGE_PREFIX):
        return STORAGE_PREFIX + "{id}"
    for route in api.ROUTES:
        if route.match(path) is not None:
            return route.template
    return UNKNOWN_ROUTE


class RequestStats:
    """Thread-safe request counters. Unlike the request log, they keep no per-request data."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clear()

    def _clear(self) -> None:
        self._requests = 0
        self._by_method: Counter[str] = Counter()
        self._by_route: Counter[str] = Counter()
        self._by_call: Counter[str] = Counter()
        self._by_status: Counter[str] = Counter()
        self._by_fault: Counter[str] = Counter()

    def record(self, method: str, path: str, status: int | None, fault: str | None) -> None:
        template = route_template(path)
        with self._lock:
            self._requests += 1
            self._by_method[method] += 1
            self._by_route[template] += 1
            self._by_call[f"{method} {template}"] += 1
            self._by_status[NO_REPLY if status is None else str(status)] += 1
            if fault is not None:
                self._by_fault[fault] += 1

    def clear(self) -> int:
        with self._lock:
            count = self._requests
            self._clear()
            return count

    def to_json(self) -> dict:
        with self._lock:
            return {
                "requests": self._requests,
                "by_method": dict(self._by_method),
                "by_route": dict(self._by_route),
                "by_call": dict(self._by_call),
                "by_status": dict(self._by_status),
                "by_fault": dict(self._by_fault),
            }
