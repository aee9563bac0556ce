"""Control API under ``/_simulator`` and the log of API requests it serves to tests."""

from __future__ import annotations

import json
import logging
import math
import threading
from collections import deque
from typing import TYPE_CHECKING, Any

from . import control_account, control_conditions
from .clock import format_datetime
from .scenario import ScenarioError

logger = logging.getLogger("ovhsim")

if TYPE_CHECKING:
    from .app import Simulator


class RequestLog:
    """Thread-safe, in-memory list of the API requests received (control calls excluded).

    Only the newest ``max_entries`` are kept, so a long benchmark cannot exhaust
    memory. ``seq`` keeps counting across dropped and cleared entries.
    """

    def __init__(self, max_entries: int = 100_000) -> None:
        self._lock = threading.Lock()
        self._entries: deque[dict] = deque(maxlen=max_entries)
        self._next_seq = 1

    def append(self, entry: dict) -> None:
        with self._lock:
            self._entries.append({"seq": self._next_seq, **entry})
            self._next_seq += 1

    def entries(self) -> list[dict]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> int:
        with self._lock:
            count = len(self._entries)
            self._entries.clear()
            return count


class ControlError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message

    def body(self) -> dict:
        return {"error": self.message}


def handle_control(simulator: "Simulator", method: str, path: str, body: bytes) -> tuple[int, Any]:
    """Serve one control call to ``path`` (relative to ``/_simulator``) and return (status, JSON payload)."""
    routes = {
        "/requests": {"GET": _get_requests, "DELETE": _clear_requests},
        "/state": {"GET": _get_state},
        "/clock": {"POST": _advance_clock},
        "/reset": {"POST": _reset},
        **control_conditions.ROUTES,
        **control_account.ROUTES,
    }
    handlers = routes.get(path)
    if handlers is None:
        raise ControlError(404, f"unknown control route /_simulator{path} (known: {', '.join('/_simulator' + p for p in routes)})")
    handler = handlers.get(method)
    if handler is None:
        raise ControlError(405, f"method {method} is not allowed on /_simulator{path} (allowed: {', '.join(handlers)})")
    try:
        return 200, handler(simulator, body)
    except control_conditions.ConditionsInputError as error:
        raise ControlError(400, str(error)) from None


def _get_requests(simulator: "Simulator", body: bytes) -> list[dict]:
    return simulator.log.entries()


def _clear_requests(simulator: "Simulator", body: bytes) -> dict:
    # The counters restart with the log, so both describe the same requests.
    simulator.stats.clear()
    return {"cleared": simulator.log.clear()}


def _get_state(simulator: "Simulator", body: bytes) -> dict:
    return {"tasks": simulator.store.snapshot(), "now": format_datetime(simulator.clock.now())}


def _advance_clock(simulator: "Simulator", body: bytes) -> dict:
    try:
        request = json.loads(body.decode("utf-8") or "null")
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ControlError(400, "invalid JSON body: send {\"advance\": SECONDS}") from None
    seconds = request.get("advance") if isinstance(request, dict) else None
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not math.isfinite(seconds) or seconds < 0:
        raise ControlError(400, f"advance must be a number of seconds >= 0, got {seconds!r}")

    simulator.clock.advance(seconds)
    return {"now": format_datetime(simulator.clock.now()), "advanced_seconds": simulator.clock.advanced_seconds}


def _reset(simulator: "Simulator", body: bytes) -> dict:
    try:
        simulator.reset()
    except ScenarioError as error:
        # The previous state stays in place, so the simulator keeps serving.
        logger.warning("scenario reload failed, previous state kept: %s", error)
        raise ControlError(400, f"scenario reload failed, previous state kept: {error}") from None
    return {"now": format_datetime(simulator.clock.now()), "tasks": len(simulator.store)}
