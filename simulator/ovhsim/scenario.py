"""Scenario files: loading and validation.

A scenario is YAML. API objects use the API's camelCase field names, and every
simulator-only setting sits under a ``simulation`` key. Validation is strict so
that a typo fails at startup with the dotted path of the bad field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from .clock import parse_datetime
from .enums import CONTACT_FIELDS, CREDENTIAL_STATES, DOCUMENT_FORMATS, HTTP_METHODS, OPERATION_STATUSES, OPERATION_TYPES


class ScenarioError(ValueError):
    """Invalid scenario file. The message starts with the file and the dotted field path."""


@dataclass(frozen=True)
class AccessRule:
    method: str
    path: str


@dataclass(frozen=True)
class ConsumerKeySpec:
    consumer_key: str
    rules: tuple[AccessRule, ...]
    state: str


@dataclass(frozen=True)
class ApplicationSpec:
    application_key: str
    application_secret: str
    consumer_keys: tuple[ConsumerKeySpec, ...]


@dataclass(frozen=True)
class Timing:
    todo_seconds: float
    doing_seconds: float


@dataclass(frozen=True)
class ArgumentSpec:
    key: str
    type: str
    description: str | None
    value: str | None
    accepted_values: tuple[str, ...] | None
    read_only: bool
    minimum_size: int | None
    maximum_size: int | None
    fields: tuple[str, ...] | None
    template: str | None
    accepted_formats: tuple[str, ...] | None
    # Registry-side acceptance on relaunch: the value must match both when both are set.
    accept_pattern: re.Pattern | None
    accept_values: tuple[str, ...] | None


@dataclass(frozen=True)
class TaskSpec:
    id: int
    function: str
    domain: str | None
    status: str
    type: str
    comment: str | None
    creation_date: datetime
    todo_date: datetime
    last_update: datetime
    done_date: datetime | None
    can_accelerate: bool
    can_relaunch: bool
    can_cancel: bool
    arguments: tuple[ArgumentSpec, ...]
    todo_seconds: float
    doing_seconds: float
    error_comment: str | None
    hold: bool


@dataclass(frozen=True)
class Scenario:
    path: Path
    credentials: tuple[ApplicationSpec, ...]
    clock_offset: float
    timing: Timing
    tasks: tuple[TaskSpec, ...]


ALL_RIGHTS = tuple(AccessRule(method, "/*") for method in ("GET", "POST", "PUT", "DELETE"))

_TOP_FIELDS = ("credentials", "clock_offset", "timing", "tasks")
_APPLICATION_FIELDS = ("application_key", "application_secret", "consumer_keys")
_CONSUMER_KEY_FIELDS = ("consumer_key", "rules", "state")
_TASK_FIELDS = (
    "id", "function", "domain", "status", "type", "comment", "creationDate", "todoDate", "lastUpdate",
    "doneDate", "canAccelerate", "canRelaunch", "canCancel", "arguments", "simulation",
)
_TASK_SIMULATION_FIELDS = ("todo_seconds", "doing_seconds", "error_comment", "hold")
_ARGUMENT_FIELDS = (
    "key", "type", "description", "value", "acceptedValues", "readOnly", "minimumSize", "maximumSize",
    "fields", "template", "acceptedFormats", "simulation",
)
_ARGUMENT_SIMULATION_FIELDS = ("accept_pattern", "accept_values")


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file. Raises ScenarioError."""
    path = Path(path).resolve()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ScenarioError(f"{path}: cannot read the scenario file: {error.strerror}") from error

    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ScenarioError(f"{path}: invalid YAML: {error}") from error

    try:
        return _read_scenario(document, path)
    except ScenarioError as error:
        raise ScenarioError(f"{path}: {error}") from None


def _fail(where: str, message: str) -> None:
    raise ScenarioError(f"{where}: {message}")


def _join(where: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if where else key


def _mapping(value: Any, where: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> dict:
    if not isinstance(value, dict):
        _fail(where or "scenario", f"expected a mapping, got {type(value).__name__}")
    for key in value:
        if key not in allowed:
            _fail(_join(where, str(key)), f"unknown field (allowed: {', '.join(allowed)})")
    for key in required:
        if key not in value:
            _fail(_join(where, key), "missing required field")
    return value


def _list(value: Any, where: str) -> list:
    if not isinstance(value, list):
        _fail(where, f"expected a list, got {type(value).__name__}")
    return value


def _string(value: Any, where: str, nullable: bool = False, non_empty: bool = True) -> str | None:
    if value is None and nullable:
        return None
    if not isinstance(value, str):
        _fail(where, f"expected a string{' or null' if nullable else ''}, got {type(value).__name__}")
    if non_empty and not value:
        _fail(where, "must not be empty")
    return value


def _boolean(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        _fail(where, f"expected true or false, got {value!r}")
    return value


def _integer(value: Any, where: str, nullable: bool = False) -> int | None:
    if value is None and nullable:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        _fail(where, f"expected an integer{' or null' if nullable else ''}, got {value!r}")
    return value


def _seconds(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        _fail(where, f"expected a number of seconds >= 0, got {value!r}")
    return float(value)


def _choice(value: Any, where: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        _fail(where, f"expected one of {', '.join(choices)}, got {value!r}")
    return value


def _datetime(value: Any, where: str, nullable: bool = False) -> datetime | None:
    if value is None and nullable:
        return None
    if isinstance(value, datetime):
        # PyYAML turns unquoted timestamps into datetime objects.
        if value.tzinfo is None:
            _fail(where, "datetime has no UTC offset (write it like 2022-01-01T12:00:00+01:00)")
        return value
    if not isinstance(value, str):
        _fail(where, f"expected an ISO 8601 datetime{' or null' if nullable else ''}, got {value!r}")
    try:
        return parse_datetime(value)
    except ValueError as error:
        _fail(where, f"invalid datetime: {error}")


def _string_list(value: Any, where: str, choices: tuple[str, ...] | None = None) -> tuple[str, ...] | None:
    if value is None:
        return None
    items = _list(value, where)
    for index, item in enumerate(items):
        if choices is None:
            _string(item, _join(where, index), non_empty=False)
        else:
            _choice(item, _join(where, index), choices)
    return tuple(items)


def _read_scenario(document: Any, path: Path) -> Scenario:
    if document is None:
        _fail("scenario", "the file is empty")
    top = _mapping(document, "", _TOP_FIELDS, required=("credentials", "tasks"))

    credentials = _read_credentials(top["credentials"])

    clock_offset = top.get("clock_offset", 0)
    if isinstance(clock_offset, bool) or not isinstance(clock_offset, (int, float)):
        _fail("clock_offset", f"expected a number of seconds, got {clock_offset!r}")

    timing_fields = _mapping(top.get("timing", {}), "timing", ("todo_seconds", "doing_seconds"))
    timing = Timing(
        todo_seconds=_seconds(timing_fields.get("todo_seconds", 1), "timing.todo_seconds"),
        doing_seconds=_seconds(timing_fields.get("doing_seconds", 1), "timing.doing_seconds"),
    )

    tasks = []
    seen_ids: set[int] = set()
    for index, item in enumerate(_list(top["tasks"], "tasks")):
        task = _read_task(item, _join("tasks", index), timing)
        if task.id in seen_ids:
            _fail(_join(_join("tasks", index), "id"), f"duplicate task id {task.id}")
        seen_ids.add(task.id)
        tasks.append(task)

    return Scenario(path=path, credentials=credentials, clock_offset=float(clock_offset), timing=timing, tasks=tuple(tasks))


def _read_credentials(value: Any) -> tuple[ApplicationSpec, ...]:
    items = _list(value, "credentials")
    if not items:
        _fail("credentials", "at least one application is required")

    applications = []
    application_keys: set[str] = set()
    consumer_keys: set[str] = set()
    for index, item in enumerate(items):
        where = _join("credentials", index)
        fields = _mapping(item, where, _APPLICATION_FIELDS, required=_APPLICATION_FIELDS)
        application_key = _string(fields["application_key"], _join(where, "application_key"))
        if application_key in application_keys:
            _fail(_join(where, "application_key"), "duplicate application key")
        application_keys.add(application_key)

        keys = []
        for key_index, key_item in enumerate(_list(fields["consumer_keys"], _join(where, "consumer_keys"))):
            key_where = _join(_join(where, "consumer_keys"), key_index)
            spec = _read_consumer_key(key_item, key_where)
            if spec.consumer_key in consumer_keys:
                _fail(_join(key_where, "consumer_key"), "duplicate consumer key")
            consumer_keys.add(spec.consumer_key)
            keys.append(spec)

        applications.append(ApplicationSpec(
            application_key=application_key,
            application_secret=_string(fields["application_secret"], _join(where, "application_secret")),
            consumer_keys=tuple(keys),
        ))
    return tuple(applications)


def _read_consumer_key(value: Any, where: str) -> ConsumerKeySpec:
    fields = _mapping(value, where, _CONSUMER_KEY_FIELDS, required=("consumer_key",))

    rules = ALL_RIGHTS
    if "rules" in fields:
        rules_where = _join(where, "rules")
        parsed = []
        for index, rule in enumerate(_list(fields["rules"], rules_where)):
            rule_where = _join(rules_where, index)
            rule_fields = _mapping(rule, rule_where, ("method", "path"), required=("method", "path"))
            method = _choice(rule_fields["method"], _join(rule_where, "method"), HTTP_METHODS)
            rule_path = _string(rule_fields["path"], _join(rule_where, "path"))
            if not rule_path.startswith("/"):
                _fail(_join(rule_where, "path"), f"must start with '/', got {rule_path!r}")
            parsed.append(AccessRule(method, rule_path))
        rules = tuple(parsed)

    return ConsumerKeySpec(
        consumer_key=_string(fields["consumer_key"], _join(where, "consumer_key")),
        rules=rules,
        state=_choice(fields.get("state", "validated"), _join(where, "state"), CREDENTIAL_STATES),
    )


def _read_task(value: Any, where: str, timing: Timing) -> TaskSpec:
    fields = _mapping(value, where, _TASK_FIELDS, required=("id", "function", "status", "creationDate"))

    simulation = _mapping(fields.get("simulation", {}), _join(where, "simulation"), _TASK_SIMULATION_FIELDS)
    sim_where = _join(where, "simulation")

    arguments = []
    argument_keys: set[str] = set()
    for index, item in enumerate(_list(fields.get("arguments", []), _join(where, "arguments"))):
        argument = _read_argument(item, _join(_join(where, "arguments"), index))
        if argument.key in argument_keys:
            _fail(_join(_join(_join(where, "arguments"), index), "key"), f"duplicate argument key {argument.key!r}")
        argument_keys.add(argument.key)
        arguments.append(argument)

    creation_date = _datetime(fields["creationDate"], _join(where, "creationDate"))
    todo_date = _datetime(fields.get("todoDate", creation_date), _join(where, "todoDate"))
    last_update = _datetime(fields.get("lastUpdate", todo_date), _join(where, "lastUpdate"))

    return TaskSpec(
        id=_integer(fields["id"], _join(where, "id")),
        function=_string(fields["function"], _join(where, "function")),
        domain=_string(fields.get("domain"), _join(where, "domain"), nullable=True),
        status=_choice(fields["status"], _join(where, "status"), OPERATION_STATUSES),
        type=_choice(fields.get("type", "domain"), _join(where, "type"), OPERATION_TYPES),
        comment=_string(fields.get("comment"), _join(where, "comment"), nullable=True, non_empty=False),
        creation_date=creation_date,
        todo_date=todo_date,
        last_update=last_update,
        done_date=_datetime(fields.get("doneDate"), _join(where, "doneDate"), nullable=True),
        can_accelerate=_boolean(fields.get("canAccelerate", False), _join(where, "canAccelerate")),
        can_relaunch=_boolean(fields.get("canRelaunch", False), _join(where, "canRelaunch")),
        can_cancel=_boolean(fields.get("canCancel", False), _join(where, "canCancel")),
        arguments=tuple(arguments),
        todo_seconds=_seconds(simulation.get("todo_seconds", timing.todo_seconds), _join(sim_where, "todo_seconds")),
        doing_seconds=_seconds(simulation.get("doing_seconds", timing.doing_seconds), _join(sim_where, "doing_seconds")),
        error_comment=_string(simulation.get("error_comment"), _join(sim_where, "error_comment"), nullable=True),
        hold=_boolean(simulation.get("hold", False), _join(sim_where, "hold")),
    )


def _read_argument(value: Any, where: str) -> ArgumentSpec:
    fields = _mapping(value, where, _ARGUMENT_FIELDS, required=("key",))
    sim_where = _join(where, "simulation")
    simulation = _mapping(fields.get("simulation", {}), sim_where, _ARGUMENT_SIMULATION_FIELDS)

    accept_pattern = None
    if simulation.get("accept_pattern") is not None:
        pattern_text = _string(simulation["accept_pattern"], _join(sim_where, "accept_pattern"))
        try:
            accept_pattern = re.compile(pattern_text)
        except re.error as error:
            _fail(_join(sim_where, "accept_pattern"), f"invalid regular expression: {error}")

    minimum_size = _integer(fields.get("minimumSize"), _join(where, "minimumSize"), nullable=True)
    maximum_size = _integer(fields.get("maximumSize"), _join(where, "maximumSize"), nullable=True)
    if minimum_size is not None and maximum_size is not None and minimum_size > maximum_size:
        _fail(_join(where, "minimumSize"), f"{minimum_size} is greater than maximumSize {maximum_size}")

    return ArgumentSpec(
        key=_string(fields["key"], _join(where, "key")),
        type=_string(fields.get("type", "string"), _join(where, "type")),
        description=_string(fields.get("description"), _join(where, "description"), nullable=True, non_empty=False),
        value=_string(fields.get("value"), _join(where, "value"), nullable=True, non_empty=False),
        accepted_values=_string_list(fields.get("acceptedValues"), _join(where, "acceptedValues")),
        read_only=_boolean(fields.get("readOnly", False), _join(where, "readOnly")),
        minimum_size=minimum_size,
        maximum_size=maximum_size,
        fields=_string_list(fields.get("fields"), _join(where, "fields"), CONTACT_FIELDS),
        template=_string(fields.get("template"), _join(where, "template"), nullable=True, non_empty=False),
        accepted_formats=_string_list(fields.get("acceptedFormats"), _join(where, "acceptedFormats"), DOCUMENT_FORMATS),
        accept_pattern=accept_pattern,
        accept_values=_string_list(simulation.get("accept_values"), _join(sim_where, "accept_values")),
    )
