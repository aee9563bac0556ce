"""Validation of API responses against OVHcloud's native schema (the ``apis`` and ``models`` of a schema JSON).

The simulator loads a checker with ``--schema FILE`` and validates every
successful JSON response of an API route against the type that route returns
in the schema. The test suite uses the same checker on the results its
clients receive.
"""

from __future__ import annotations

import copy
import ipaddress
import json
import logging
import re
import threading
from collections import deque
from datetime import date, datetime
from pathlib import Path
from typing import Any

logger = logging.getLogger("ovhsim")

DATETIME_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([+-][0-9]{2}:[0-9]{2}|Z)")
DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
UUID_PATTERN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

# Native types whose values are plain JSON strings. NOTE: the schema documents no
# notation for phoneNumber or password, so any string passes.
_STRING_TYPES = ("string", "phoneNumber", "password")


class SchemaError(ValueError):
    """The schema file cannot be read or lacks the ``apis``/``models`` sections."""


class SchemaChecker:
    """Validate JSON values against the native OVH API schema (``apis`` and ``models``).

    Objects are checked strictly: every property of the model must be present and
    no other key may appear, because the simulator serialises every field.
    """

    def __init__(self, document: dict):
        self.models = dict(document["models"])

        # domain.Task gained "type" in 2025, which only the OpenAPI rendering has.
        type_schema = document["openapi3_2025"]["components"]["schemas"]["domain.OperationTypeEnum"]
        self.models["domain.OperationTypeEnum"] = {"enum": type_schema["enum"], "enumType": "string"}
        task = copy.deepcopy(self.models["domain.Task"])
        task["properties"]["type"] = {"canBeNull": False, "fullType": "domain.OperationTypeEnum"}
        self.models["domain.Task"] = task

        self.operations: dict[tuple[str, str], str] = {}
        for api in document["apis"]:
            for operation in api["operations"]:
                self.operations[(operation["httpMethod"], api["path"])] = operation["responseType"]

    @classmethod
    def from_file(cls, path: str | Path) -> "SchemaChecker":
        """Load the checker from a schema JSON file. Raises SchemaError."""
        try:
            document = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as error:
            raise SchemaError(f"{path}: cannot read the schema file: {error.strerror}") from error
        except json.JSONDecodeError as error:
            raise SchemaError(f"{path}: invalid JSON: {error}") from error
        try:
            return cls(document)
        except (KeyError, TypeError) as error:
            raise SchemaError(f"{path}: not a native OVH API schema (missing {error})") from error

    def route_type(self, method: str, template: str) -> str | None:
        """Return the responseType of ``method template`` (a schema path such as ``/me/task/domain/{id}``), or None."""
        return self.operations.get((method, template))

    def response_type(self, method: str, path: str) -> str:
        """Return the schema's responseType of ``method path`` (``path`` relative to /1.0, query allowed)."""
        parts = path.split("?")[0].split("/")
        for (operation_method, template), response_type in self.operations.items():
            template_parts = template.split("/")
            if operation_method != method or len(template_parts) != len(parts):
                continue
            if all(t.startswith("{") or t == p for t, p in zip(template_parts, parts)):
                return response_type
        raise KeyError(f"{method} {path} is not in the reference schema")

    def errors(self, type_name: str, value: Any, where: str = "value") -> list[str]:
        """Return one message per mismatch between ``value`` and ``type_name``, or an empty list when it matches."""
        if type_name.endswith("[]"):
            if not isinstance(value, list):
                return [f"{where}: expected a list for {type_name}, got {value!r}"]
            found = []
            for index, item in enumerate(value):
                found += self.errors(type_name[:-2], item, f"{where}[{index}]")
            return found

        if type_name == "void":
            return [] if value is None else [f"{where}: expected null for void, got {value!r}"]
        if type_name == "long":
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif type_name in _STRING_TYPES:
            ok = isinstance(value, str)
        elif type_name == "boolean":
            ok = isinstance(value, bool)
        elif type_name == "datetime":
            ok = isinstance(value, str) and DATETIME_PATTERN.fullmatch(value) is not None and _parses_datetime(value)
        elif type_name == "date":
            ok = isinstance(value, str) and DATE_PATTERN.fullmatch(value) is not None and _parses_date(value)
        elif type_name == "uuid":
            ok = isinstance(value, str) and UUID_PATTERN.fullmatch(value) is not None
        elif type_name == "ipBlock":
            ok = isinstance(value, str) and _parses_network(value)
        elif type_name in self.models:
            return self._model_errors(type_name, value, where)
        else:
            return [f"{where}: the checker does not know type {type_name}"]
        return [] if ok else [f"{where}: expected {type_name}, got {value!r}"]

    def _model_errors(self, type_name: str, value: Any, where: str) -> list[str]:
        model = self.models[type_name]
        if "enum" in model:
            if value in model["enum"]:
                return []
            return [f"{where}: {value!r} is not in {type_name}"]

        if not isinstance(value, dict):
            return [f"{where}: expected a {type_name} object, got {value!r}"]

        # A generic model such as complexType.SafeKeyValue<string> names its
        # parameter (T) in its properties, and the type in brackets replaces it.
        generic_arguments = {}
        if "<" in type_name and model.get("generics"):
            arguments = type_name[type_name.index("<") + 1:-1].split(",")
            generic_arguments = dict(zip(model["generics"], (argument.strip() for argument in arguments)))

        properties = model["properties"]
        found = [f"{where}.{key}: not a property of {type_name}" for key in value if key not in properties]
        for name, spec in properties.items():
            if name not in value:
                found.append(f"{where}.{name}: missing")
            elif value[name] is None:
                if not spec["canBeNull"]:
                    found.append(f"{where}.{name}: null, but {type_name}.{name} cannot be null")
            else:
                property_type = generic_arguments.get(spec["fullType"], spec["fullType"])
                found += self.errors(property_type, value[name], f"{where}.{name}")
        return found

    def assert_valid(self, type_name: str, value: Any) -> None:
        found = self.errors(type_name, value)
        assert not found, f"{type_name} does not match the schema:\n" + "\n".join(found)

    def assert_response(self, method: str, path: str, value: Any) -> None:
        self.assert_valid(self.response_type(method, path), value)


class ViolationLog:
    """Thread-safe list of the responses that did not match the schema, newest ``max_entries`` kept."""

    def __init__(self, max_entries: int = 10_000) -> None:
        self._lock = threading.Lock()
        self._entries: deque[dict] = deque(maxlen=max_entries)

    def append(self, entry: dict) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[dict]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> int:
        with self._lock:
            count = len(self._entries)
            self._entries.clear()
            return count


# Lists that return full objects instead of ids in bulk mode (X-Pagination-Mode).
# The 2025 OpenAPI rendering names the model in x-expanded-response.
EXPANDED_TYPES = {
    ("GET", "/me/task/domain"): "domain.Task[]",
    ("GET", "/domain/{serviceName}/task"): "domain.Task[]",
}


def check_response(checker: SchemaChecker, violations: ViolationLog, method: str, template: str, path: str,
                   payload: Any, query_id: str, expanded: bool = False) -> None:
    """Validate one successful response of ``method template`` and record a violation when it does not match.

    With ``expanded`` true, the response is a bulk-mode page and is checked
    against the list of full objects instead of the list of ids.
    """
    type_name = checker.route_type(method, template)
    if expanded and (method, template) in EXPANDED_TYPES:
        type_name = EXPANDED_TYPES[(method, template)]
    if type_name is None:
        found = [f"{method} {template} is not in the schema"]
        type_name = "unknown"
    else:
        found = checker.errors(type_name, payload)
    if not found:
        return

    logger.warning("schema violation: %s %s does not match %s (query id %s): %s",
                   method, path, type_name, query_id, "; ".join(found[:5]))
    violations.append({"method": method, "path": path, "route": template, "type": type_name,
                       "errors": found, "query_id": query_id})


def _parses_datetime(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _parses_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _parses_network(text: str) -> bool:
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False
    return True
