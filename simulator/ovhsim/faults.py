"""Fault injection and the base latency: the network conditions imposed on API requests.

A fault rule matches requests by method and path glob and hits the next
``times`` of them. Faults split in two groups by where they happen:

- before processing, like a load balancer in front of the API: ``drop``,
  ``http_error`` and ``rate_limit`` reply (or close) without authenticating
  the request or running it, so a write has no effect;
- after processing: ``lost_response`` and ``empty_body`` let the request run
  to the end (authentication, then the handler, so a write takes effect) and
  then lose or empty the reply.

``latency`` only delays the request before it is processed. A rule's
``seconds`` delays any fault kind the same way.
"""

from __future__ import annotations

import fnmatch
import math
import threading
from dataclasses import dataclass
from typing import Any

FAULT_KINDS = ("latency", "http_error", "rate_limit", "drop", "empty_body", "lost_response")

# Kinds that act before the request is authenticated or processed.
BEFORE_PROCESSING = ("http_error", "rate_limit", "drop")

RULE_METHODS = ("*", "GET", "POST", "PUT", "DELETE")

# Fields each kind accepts besides method, path, fault and times.
_KIND_FIELDS = {
    "latency": ("seconds",),
    "http_error": ("seconds", "status", "body", "retry_after"),
    "rate_limit": ("seconds", "retry_after"),
    "drop": ("seconds",),
    "empty_body": ("seconds",),
    "lost_response": ("seconds",),
}
_COMMON_FIELDS = ("method", "path", "fault", "times")

DEFAULT_LATENCY_FAULT_SECONDS = 1.0
DEFAULT_HTTP_ERROR_STATUS = 502
DEFAULT_RETRY_AFTER = 1

# NOTE: the wording of this page is invented. OVHcloud's load balancers
# presumably send their own HTML page, not JSON, for a 5xx.
_ERROR_PAGE = (
    "<html>\r\n<head><title>{status} {phrase}</title></head>\r\n<body>\r\n"
    "<center><h1>{status} {phrase}</h1></center>\r\n"
    "<hr><center>The server is temporarily unable to serve the request.</center>\r\n"
    "</body>\r\n</html>\r\n"
)

_PHRASES = {
    500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
}


class FaultRuleError(ValueError):
    """Invalid fault rule. The message starts with the dotted path of the bad field."""


@dataclass(frozen=True)
class FaultRule:
    method: str
    path: str
    kind: str
    # None: every matching request, until the rules are cleared.
    times: int | None
    seconds: float
    status: int | None
    body: str | None
    retry_after: int | None

    @property
    def before_processing(self) -> bool:
        return self.kind in BEFORE_PROCESSING

    def matches(self, method: str, path: str) -> bool:
        if self.method != "*" and self.method != method:
            return False
        return fnmatch.fnmatchcase(path, self.path)

    def error_page(self) -> str:
        """Return the HTML body of an ``http_error`` reply."""
        if self.body is not None:
            return self.body
        return _ERROR_PAGE.format(status=self.status, phrase=_PHRASES.get(self.status, "Error"))

    def to_json(self) -> dict:
        item: dict[str, Any] = {"method": self.method, "path": self.path, "fault": self.kind, "times": self.times}
        if self.seconds:
            item["seconds"] = self.seconds
        if self.kind == "http_error":
            item["status"] = self.status
            if self.body is not None:
                item["body"] = self.body
        if self.retry_after is not None:
            item["retry_after"] = self.retry_after
        return item


def _fail(where: str, message: str) -> None:
    raise FaultRuleError(f"{where}: {message}")


def parse_rule(value: Any, where: str) -> FaultRule:
    """Validate one rule given as a mapping. Raises FaultRuleError."""
    if not isinstance(value, dict):
        _fail(where, f"expected a mapping, got {type(value).__name__}")

    kind = value.get("fault")
    if kind not in FAULT_KINDS:
        _fail(f"{where}.fault", f"expected one of {', '.join(FAULT_KINDS)}, got {kind!r}")
    allowed = _COMMON_FIELDS + _KIND_FIELDS[kind]
    for key in value:
        if key not in allowed:
            _fail(f"{where}.{key}", f"unknown field for fault {kind} (allowed: {', '.join(allowed)})")

    method = value.get("method", "*")
    if method not in RULE_METHODS:
        _fail(f"{where}.method", f"expected one of {', '.join(RULE_METHODS)}, got {method!r}")

    path = value.get("path", "*")
    if not isinstance(path, str) or not path:
        _fail(f"{where}.path", f"expected a non-empty path glob such as /me/task/domain/*, got {path!r}")

    times = value.get("times", 1)
    if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
        _fail(f"{where}.times", f"expected an integer >= 1, or null for every matching request, got {times!r}")

    default_seconds = DEFAULT_LATENCY_FAULT_SECONDS if kind == "latency" else 0.0
    seconds = value.get("seconds", default_seconds)
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not math.isfinite(seconds) or seconds < 0:
        _fail(f"{where}.seconds", f"expected a number of seconds >= 0, got {seconds!r}")

    status = None
    if kind == "http_error":
        status = value.get("status", DEFAULT_HTTP_ERROR_STATUS)
        if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
            _fail(f"{where}.status", f"expected an HTTP error status from 400 to 599, got {status!r}")

    body = value.get("body")
    if body is not None and not isinstance(body, str):
        _fail(f"{where}.body", f"expected a string (the HTML page to send), got {type(body).__name__}")

    retry_after = value.get("retry_after", DEFAULT_RETRY_AFTER if kind == "rate_limit" else None)
    if retry_after is not None and (isinstance(retry_after, bool) or not isinstance(retry_after, int) or retry_after < 0):
        _fail(f"{where}.retry_after", f"expected a whole number of seconds >= 0, got {retry_after!r}")

    return FaultRule(method=method, path=path, kind=kind, times=times, seconds=float(seconds), status=status,
                     body=body, retry_after=retry_after)


def parse_rules(value: Any, where: str) -> tuple[FaultRule, ...]:
    """Validate a list of rules. Raises FaultRuleError."""
    if not isinstance(value, list):
        _fail(where, f"expected a list of fault rules, got {type(value).__name__}")
    return tuple(parse_rule(item, f"{where}[{index}]") for index, item in enumerate(value))


def parse_latency_ms(value: Any, where: str) -> float:
    """Validate a latency in milliseconds and return it in seconds. Raises FaultRuleError."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        _fail(where, f"expected a number of milliseconds >= 0, got {value!r}")
    return value / 1000.0


class _ActiveRule:
    def __init__(self, rule: FaultRule):
        self.rule = rule
        self.remaining = rule.times
        self.hits = 0


class FaultInjector:
    """Fault rules and base latency of one scenario run. Every method is thread-safe.

    Rules are tried in the order they were added, and the first one that matches
    and still has hits left takes the request. Exhausted rules stay listed.
    """

    def __init__(self, rules: tuple[FaultRule, ...] = (), latency_seconds: float = 0.0):
        self._lock = threading.Lock()
        self._rules = [_ActiveRule(rule) for rule in rules]
        self._latency = latency_seconds

    @property
    def latency_seconds(self) -> float:
        with self._lock:
            return self._latency

    def set_latency(self, seconds: float) -> None:
        with self._lock:
            self._latency = seconds

    def add(self, rules: tuple[FaultRule, ...]) -> None:
        with self._lock:
            self._rules.extend(_ActiveRule(rule) for rule in rules)

    def clear(self) -> int:
        with self._lock:
            count = len(self._rules)
            self._rules.clear()
            return count

    def take(self, method: str, path: str) -> FaultRule | None:
        """Return the rule that hits this request and count the hit, or None."""
        with self._lock:
            for active in self._rules:
                if active.remaining == 0 or not active.rule.matches(method, path):
                    continue
                if active.remaining is not None:
                    active.remaining -= 1
                active.hits += 1
                return active.rule
        return None

    def describe(self) -> list[dict]:
        """Return the rules with their ``remaining`` (null: unlimited) and ``hits`` counts."""
        with self._lock:
            return [{**active.rule.to_json(), "remaining": active.remaining, "hits": active.hits}
                    for active in self._rules]
