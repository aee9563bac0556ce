"""Bulk listing ("iceberg" pages) of full objects, driven by X-Pagination-* request headers.

OVHcloud's web manager sends ``X-Pagination-Mode: CachedObjectList-Pages``
with ``X-Pagination-Size`` and ``X-Pagination-Number`` (1-based) to list routes
such as ``GET /me/task/domain``. The reply is then a JSON array of full objects
instead of ids, with the page and the total count in response headers.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any, Mapping

from .errors import bad_request

PAGES_MODE = "CachedObjectList-Pages"
DEFAULT_MAX_PAGE_SIZE = 5000

# Iceberg features the simulator does not implement. A request that uses one
# gets a 400 instead of a list that silently ignores it.
_UNSUPPORTED_HEADERS = ("X-Pagination-Cursor", "X-Pagination-Filter", "X-Pagination-Sort", "X-Pagination-Sort-Order")


class PaginationSettingsError(ValueError):
    """Invalid pagination settings. The message starts with the dotted path of the bad field."""


@dataclass(frozen=True)
class PaginationConfig:
    enabled: bool = True
    max_page_size: int = DEFAULT_MAX_PAGE_SIZE


def parse_config(value: Any, where: str) -> PaginationConfig:
    """Validate the scenario's ``pagination`` mapping. Raises PaginationSettingsError."""
    if not isinstance(value, dict):
        raise PaginationSettingsError(f"{where}: expected a mapping, got {type(value).__name__}")
    for key in value:
        if key not in ("enabled", "max_page_size"):
            raise PaginationSettingsError(f"{where}.{key}: unknown field (allowed: enabled, max_page_size)")
    enabled = value.get("enabled", True)
    if not isinstance(enabled, bool):
        raise PaginationSettingsError(f"{where}.enabled: expected true or false, got {enabled!r}")
    max_page_size = check_max_page_size(value.get("max_page_size", DEFAULT_MAX_PAGE_SIZE), f"{where}.max_page_size")
    return PaginationConfig(enabled=enabled, max_page_size=max_page_size)


def check_max_page_size(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise PaginationSettingsError(f"{where}: expected an integer >= 1, got {value!r}")
    return value


class PaginationSettings:
    """Run-time pagination switch and page size cap. Thread-safe."""

    def __init__(self, config: PaginationConfig):
        self._lock = threading.Lock()
        self._config = config

    @property
    def config(self) -> PaginationConfig:
        with self._lock:
            return self._config

    def update(self, enabled: bool | None = None, max_page_size: int | None = None) -> PaginationConfig:
        with self._lock:
            self._config = PaginationConfig(
                enabled=self._config.enabled if enabled is None else enabled,
                max_page_size=self._config.max_page_size if max_page_size is None else max_page_size,
            )
            return self._config


@dataclass(frozen=True)
class PageRequest:
    number: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    def response_headers(self, total: int) -> dict[str, str]:
        return {
            "X-Pagination-Mode": PAGES_MODE,
            "X-Pagination-Number": str(self.number),
            "X-Pagination-Size": str(self.size),
            "X-Pagination-Elements": str(total),
        }


def _header_integer(headers: Mapping[str, str], name: str, default: int, expected: str) -> int:
    text = headers.get(name)
    if text is None:
        return default
    text = text.strip()
    if re.fullmatch(r"[0-9]+", text) is None or int(text) < 1:
        raise bad_request(f"Invalid {name} header {text!r}: expected {expected}")
    return int(text)


def read_page_request(headers: Mapping[str, str] | None, settings: PaginationSettings | None) -> PageRequest | None:
    """Return the page a bulk-mode request selects, or None for a plain list of ids.

    Raises ApiError 400 on an unsupported mode or header and on an invalid size or number.
    """
    if headers is None or settings is None:
        return None
    mode = headers.get("X-Pagination-Mode")
    config = settings.config
    if mode is None or not config.enabled:
        return None
    if mode.strip() != PAGES_MODE:
        raise bad_request(f"Unsupported X-Pagination-Mode {mode!r}: the simulator serves only {PAGES_MODE}")
    for name in _UNSUPPORTED_HEADERS:
        if headers.get(name) is not None:
            raise bad_request(f"The {name} header is not supported by the simulator, which always sorts objects by id")

    size = _header_integer(headers, "X-Pagination-Size", config.max_page_size, "an integer >= 1")
    # NOTE: the real maximum page size and what the API does above it are not
    # documented. The simulator serves at most max_page_size objects and reports
    # the size used in the X-Pagination-Size response header.
    size = min(size, config.max_page_size)
    number = _header_integer(headers, "X-Pagination-Number", 1, "a page number >= 1 (pages start at 1)")
    return PageRequest(number=number, size=size)
