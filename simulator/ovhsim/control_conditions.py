"""Control routes for the run-time conditions: fault rules, latency, bulk listing and request counters.

Changes made here last until ``POST /_simulator/reset``, which restores the
scenario's settings and zeroes the counters.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

from .faults import FaultRuleError, parse_rules
from .pagination import PaginationSettingsError, check_max_page_size

if TYPE_CHECKING:
    from .app import Simulator


class ConditionsInputError(ValueError):
    """Invalid control request body, sent back as a 400 reply."""


def _json_body(body: bytes, expected: str) -> Any:
    try:
        return json.loads(body.decode("utf-8") or "null")
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ConditionsInputError(f"invalid JSON body: send {expected}") from None


def get_faults(simulator: "Simulator", body: bytes) -> list[dict]:
    return simulator.run.faults.describe()


def add_faults(simulator: "Simulator", body: bytes) -> dict:
    """Append fault rules: the body is one rule or a list of rules."""
    request = _json_body(body, '[{"fault": "drop", "method": "GET", "path": "/me/task/domain/*", "times": 1}]')
    if isinstance(request, dict):
        request = [request]
    try:
        rules = parse_rules(request, "body")
    except FaultRuleError as error:
        raise ConditionsInputError(str(error)) from None

    faults = simulator.run.faults
    faults.add(rules)
    return {"added": len(rules), "faults": faults.describe()}


def clear_faults(simulator: "Simulator", body: bytes) -> dict:
    return {"cleared": simulator.run.faults.clear()}


def get_latency(simulator: "Simulator", body: bytes) -> dict:
    return {"seconds": simulator.run.faults.latency_seconds}


def set_latency(simulator: "Simulator", body: bytes) -> dict:
    request = _json_body(body, '{"seconds": 0.025}')
    seconds = request.get("seconds") if isinstance(request, dict) else None
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not math.isfinite(seconds) or seconds < 0:
        raise ConditionsInputError(f"seconds must be a number >= 0, got {seconds!r}")

    simulator.run.faults.set_latency(float(seconds))
    return {"seconds": float(seconds)}


def get_pagination(simulator: "Simulator", body: bytes) -> dict:
    config = simulator.run.pagination.config
    return {"enabled": config.enabled, "max_page_size": config.max_page_size}


def set_pagination(simulator: "Simulator", body: bytes) -> dict:
    """Switch bulk listing on or off and optionally change the page size cap."""
    request = _json_body(body, '{"enabled": true, "max_page_size": 5000}')
    if not isinstance(request, dict) or not request:
        raise ConditionsInputError('expected a JSON object such as {"enabled": true, "max_page_size": 5000}')
    unknown = sorted(set(request) - {"enabled", "max_page_size"})
    if unknown:
        raise ConditionsInputError(f"unknown field {unknown[0]!r} (allowed: enabled, max_page_size)")

    enabled = request.get("enabled")
    if enabled is not None and not isinstance(enabled, bool):
        raise ConditionsInputError(f"enabled must be true or false, got {enabled!r}")
    max_page_size = request.get("max_page_size")
    if max_page_size is not None:
        try:
            check_max_page_size(max_page_size, "max_page_size")
        except PaginationSettingsError as error:
            raise ConditionsInputError(str(error)) from None

    config = simulator.run.pagination.update(enabled=enabled, max_page_size=max_page_size)
    return {"enabled": config.enabled, "max_page_size": config.max_page_size}


def get_stats(simulator: "Simulator", body: bytes) -> dict:
    return simulator.stats.to_json()


def clear_stats(simulator: "Simulator", body: bytes) -> dict:
    return {"cleared": simulator.stats.clear()}


ROUTES = {
    "/faults": {"GET": get_faults, "POST": add_faults, "DELETE": clear_faults},
    "/latency": {"GET": get_latency, "POST": set_latency},
    "/pagination": {"GET": get_pagination, "POST": set_pagination},
    "/stats": {"GET": get_stats, "DELETE": clear_stats},
}
