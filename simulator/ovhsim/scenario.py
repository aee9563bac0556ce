"""Scenario files: loading and validation.

A scenario is YAML, or JSON in a file named ``*.json``. API objects use the API's camelCase field names, and every
simulator-only setting sits under a ``simulation`` key. Validation is strict so
that a typo fails at startup with the dotted path of the bad field.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from .clock import parse_datetime
from .enums import CONTACT_GENDERS, CONTACT_LANGUAGES, CONTACT_LEGAL_FORMS
from .enums import CONTACT_FIELDS, CREDENTIAL_STATES, DOCUMENT_FORMATS, HTTP_METHODS, OPERATION_STATUSES, OPERATION_TYPES
from .faults import FaultRule, FaultRuleError, parse_latency_ms, parse_rules
from .pagination import PaginationConfig, PaginationSettingsError, parse_config as parse_pagination_config


# libyaml's loader reads a 5,000-task scenario about four times faster than the pure-Python one.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
class OAuth2ClientSpec:
    client_id: str
    client_secret: str
    rules: tuple[AccessRule, ...]
    # Seconds a token stays valid on the simulated clock, also sent as expires_in in the token response.
    token_lifetime: int
    description: str | None


@dataclass(frozen=True)
class DocumentSpec:
    id: str
    name: str
    # Bytes already uploaded, 0 when nothing was uploaded.
    size: int
    tags: tuple[tuple[str, str], ...]
    creation_date: datetime | None
    validation_date: datetime | None
    expiration_date: datetime | None


@dataclass(frozen=True)
class ProgressStepSpec:
    step: str
    description: str
    execution_duration: int


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
    # /me/document argument: the value must be an uploaded document that fits acceptedFormats and the sizes.
    accept_document: bool = False
    # /me/contact argument: the value must be a contact with every property in fields set.
    accept_contact_fields: bool = False


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
    # Steps of the progress bar; None keeps the three invented default steps.
    progress_steps: tuple[ProgressStepSpec, ...] | None = None
    # Index of the step shown while the task is in doing, error or problem.
    progress_error_step: int | None = None


@dataclass(frozen=True)
class Scenario:
    path: Path
    credentials: tuple[ApplicationSpec, ...]
    clock_offset: float
    timing: Timing
    tasks: tuple[TaskSpec, ...]
    latency_seconds: float = 0.0
    pagination: PaginationConfig = PaginationConfig()
    faults: tuple[FaultRule, ...] = ()
    oauth2_clients: tuple[OAuth2ClientSpec, ...] = ()
    documents: tuple[DocumentSpec, ...] = ()
    # me.contact.Contact objects, complete, as the API returns them.
    contacts: tuple[dict, ...] = ()


ALL_RIGHTS = tuple(AccessRule(method, "/*") for method in ("GET", "POST", "PUT", "DELETE"))

_TOP_FIELDS = ("credentials", "clock_offset", "timing", "tasks", "latency_ms", "pagination", "faults",
               "oauth2_clients", "documents", "contacts")
_APPLICATION_FIELDS = ("application_key", "application_secret", "consumer_keys")
_CONSUMER_KEY_FIELDS = ("consumer_key", "rules", "state")
_TASK_FIELDS = (
    "id", "function", "domain", "status", "type", "comment", "creationDate", "todoDate", "lastUpdate",
    "doneDate", "canAccelerate", "canRelaunch", "canCancel", "arguments", "simulation",
)
_TASK_SIMULATION_FIELDS = ("todo_seconds", "doing_seconds", "error_comment", "hold", "progress_steps", "progress_error_step")
_ARGUMENT_FIELDS = (
    "key", "type", "description", "value", "acceptedValues", "readOnly", "minimumSize", "maximumSize",
    "fields", "template", "acceptedFormats", "simulation",
)
_ARGUMENT_SIMULATION_FIELDS = ("accept_pattern", "accept_values", "accept_document", "accept_contact_fields")


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file. Raises ScenarioError."""
    path = Path(path).resolve()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ScenarioError(f"{path}: cannot read the scenario file: {error.strerror}") from error

    if path.suffix == ".json":
        # JSON is a subset of YAML that the json module parses about ten times
        # faster than libyaml, which matters for generated scenarios.
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise ScenarioError(f"{path}: invalid JSON: {error}") from error
    else:
        try:
            document = yaml.load(text, Loader=_YAML_LOADER)
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

    oauth2_clients = _read_oauth2_clients(top.get("oauth2_clients", []))
    documents = _read_documents(top.get("documents", []))
    contacts = _read_contacts(top.get("contacts", []))

    try:
        latency_seconds = parse_latency_ms(top.get("latency_ms", 0), "latency_ms")
        faults = parse_rules(top.get("faults", []), "faults")
        pagination = parse_pagination_config(top.get("pagination", {}), "pagination")
    except (FaultRuleError, PaginationSettingsError) as error:
        raise ScenarioError(str(error)) from None

    return Scenario(path=path, credentials=credentials, clock_offset=float(clock_offset), timing=timing, tasks=tuple(tasks),
                    latency_seconds=latency_seconds, pagination=pagination, faults=faults,
                    oauth2_clients=oauth2_clients, documents=documents, contacts=contacts)


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

    return ConsumerKeySpec(
        consumer_key=_string(fields["consumer_key"], _join(where, "consumer_key")),
        rules=_read_rules(fields, where),
        state=_choice(fields.get("state", "validated"), _join(where, "state"), CREDENTIAL_STATES),
    )


def _read_rules(fields: dict, where: str) -> tuple[AccessRule, ...]:
    """Read the optional ``rules`` list of a consumer key or OAuth2 client. Without it, every call is granted."""
    if "rules" not in fields:
        return ALL_RIGHTS

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
    return tuple(parsed)


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

    progress_steps, progress_error_step = _read_progress_steps(simulation, sim_where)

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
        progress_steps=progress_steps,
        progress_error_step=progress_error_step,
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

    argument_type = _string(fields.get("type", "string"), _join(where, "type"))
    contact_fields = _string_list(fields.get("fields"), _join(where, "fields"), CONTACT_FIELDS)
    accept_document = _boolean(simulation.get("accept_document", False), _join(sim_where, "accept_document"))
    if accept_document and argument_type != "/me/document":
        _fail(_join(sim_where, "accept_document"), f"applies to arguments of type /me/document, not {argument_type}")
    accept_contact_fields = _boolean(simulation.get("accept_contact_fields", False),
                                     _join(sim_where, "accept_contact_fields"))
    if accept_contact_fields and argument_type != "/me/contact":
        _fail(_join(sim_where, "accept_contact_fields"), f"applies to arguments of type /me/contact, not {argument_type}")
    if accept_contact_fields and not contact_fields:
        _fail(_join(sim_where, "accept_contact_fields"), "needs a non-empty fields list on the argument")

    return ArgumentSpec(
        key=_string(fields["key"], _join(where, "key")),
        type=argument_type,
        description=_string(fields.get("description"), _join(where, "description"), nullable=True, non_empty=False),
        value=_string(fields.get("value"), _join(where, "value"), nullable=True, non_empty=False),
        accepted_values=_string_list(fields.get("acceptedValues"), _join(where, "acceptedValues")),
        read_only=_boolean(fields.get("readOnly", False), _join(where, "readOnly")),
        minimum_size=minimum_size,
        maximum_size=maximum_size,
        fields=contact_fields,
        template=_string(fields.get("template"), _join(where, "template"), nullable=True, non_empty=False),
        accepted_formats=_string_list(fields.get("acceptedFormats"), _join(where, "acceptedFormats"), DOCUMENT_FORMATS),
        accept_pattern=accept_pattern,
        accept_values=_string_list(simulation.get("accept_values"), _join(sim_where, "accept_values")),
        accept_document=accept_document,
        accept_contact_fields=accept_contact_fields,
    )


def _read_progress_steps(simulation: dict, where: str) -> tuple[tuple[ProgressStepSpec, ...] | None, int | None]:
    """Read ``progress_steps`` and ``progress_error_step`` of a task's simulation block."""
    if simulation.get("progress_steps") is None:
        if simulation.get("progress_error_step") is not None:
            _fail(_join(where, "progress_error_step"), "needs progress_steps")
        return None, None

    steps_where = _join(where, "progress_steps")
    items = _list(simulation["progress_steps"], steps_where)
    # The first step is shown in todo and the last one in done, so two are the minimum.
    if len(items) < 2:
        _fail(steps_where, f"expected at least 2 steps, got {len(items)}")
    steps = []
    for index, item in enumerate(items):
        step_where = _join(steps_where, index)
        fields = _mapping(item, step_where, ("step", "description", "executionDuration"), required=("step", "description"))
        duration = _integer(fields.get("executionDuration", 0), _join(step_where, "executionDuration"))
        if duration < 0:
            _fail(_join(step_where, "executionDuration"), f"expected seconds >= 0, got {duration}")
        steps.append(ProgressStepSpec(
            step=_string(fields["step"], _join(step_where, "step")),
            description=_string(fields["description"], _join(step_where, "description"), non_empty=False),
            execution_duration=duration,
        ))

    error_step = _integer(simulation.get("progress_error_step", len(steps) // 2), _join(where, "progress_error_step"))
    if not 0 <= error_step < len(steps):
        _fail(_join(where, "progress_error_step"), f"expected a step index from 0 to {len(steps) - 1}, got {error_step}")
    return tuple(steps), error_step


_OAUTH2_CLIENT_FIELDS = ("client_id", "client_secret", "rules", "token_lifetime", "description")


def _read_oauth2_clients(value: Any) -> tuple[OAuth2ClientSpec, ...]:
    clients = []
    client_ids: set[str] = set()
    for index, item in enumerate(_list(value, "oauth2_clients")):
        where = _join("oauth2_clients", index)
        fields = _mapping(item, where, _OAUTH2_CLIENT_FIELDS, required=("client_id", "client_secret"))
        client_id = _string(fields["client_id"], _join(where, "client_id"))
        if client_id in client_ids:
            _fail(_join(where, "client_id"), "duplicate client id")
        client_ids.add(client_id)

        lifetime = _integer(fields.get("token_lifetime", 3599), _join(where, "token_lifetime"))
        if lifetime < 1:
            _fail(_join(where, "token_lifetime"), f"expected seconds >= 1, got {lifetime}")
        clients.append(OAuth2ClientSpec(
            client_id=client_id,
            client_secret=_string(fields["client_secret"], _join(where, "client_secret")),
            rules=_read_rules(fields, where),
            token_lifetime=lifetime,
            description=_string(fields.get("description"), _join(where, "description"), nullable=True),
        ))
    return tuple(clients)


_DOCUMENT_FIELDS = ("id", "name", "size", "tags", "creationDate", "validationDate", "expirationDate")
_UUID_PATTERN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _read_documents(value: Any) -> tuple[DocumentSpec, ...]:
    documents = []
    document_ids: set[str] = set()
    for index, item in enumerate(_list(value, "documents")):
        where = _join("documents", index)
        fields = _mapping(item, where, _DOCUMENT_FIELDS, required=("id", "name"))
        document_id = _string(fields["id"], _join(where, "id"))
        if _UUID_PATTERN.fullmatch(document_id) is None:
            _fail(_join(where, "id"), f"expected a lower-case UUID such as 0b1d6c1e-3f5a-4c1e-9a47-5d2f8e6b7c90, got {document_id!r}")
        if document_id in document_ids:
            _fail(_join(where, "id"), "duplicate document id")
        document_ids.add(document_id)

        size = _integer(fields.get("size", 0), _join(where, "size"))
        if size < 0:
            _fail(_join(where, "size"), f"expected bytes >= 0, got {size}")

        tags = []
        tags_where = _join(where, "tags")
        for tag_index, tag in enumerate(_list(fields.get("tags", []), tags_where)):
            tag_where = _join(tags_where, tag_index)
            tag_fields = _mapping(tag, tag_where, ("key", "value"), required=("key", "value"))
            tags.append((_string(tag_fields["key"], _join(tag_where, "key")),
                         _string(tag_fields["value"], _join(tag_where, "value"), non_empty=False)))

        documents.append(DocumentSpec(
            id=document_id,
            name=_string(fields["name"], _join(where, "name")),
            size=size,
            tags=tuple(tags),
            creation_date=_datetime(fields.get("creationDate"), _join(where, "creationDate"), nullable=True),
            validation_date=_datetime(fields.get("validationDate"), _join(where, "validationDate"), nullable=True),
            expiration_date=_datetime(fields.get("expirationDate"), _join(where, "expirationDate"), nullable=True),
        ))
    return tuple(documents)


# me.contact.Contact: the properties that cannot be null are required in a scenario.
_CONTACT_REQUIRED_FIELDS = ("id", "address", "email", "firstName", "lastName", "language", "legalForm")
_CONTACT_NULLABLE_STRINGS = (
    "birthCity", "birthZip", "cellPhone", "companyNationalIdentificationNumber", "fax",
    "nationalIdentificationNumber", "organisationName", "organisationType", "phone", "spareEmail", "vat",
)
_CONTACT_FIELDS = _CONTACT_REQUIRED_FIELDS + _CONTACT_NULLABLE_STRINGS + ("birthCountry", "birthDay", "gender", "nationality")
_ADDRESS_REQUIRED_FIELDS = ("city", "country", "line1")
_ADDRESS_NULLABLE_FIELDS = ("line2", "line3", "otherDetails", "province", "zip")
# NOTE: any two upper-case letters pass here; the --schema check is the one that
# compares countries with the 254 values of nichandle.CountryEnum.
_COUNTRY_PATTERN = re.compile(r"[A-Z]{2}|UNKNOWN")


def _country(value: Any, where: str, nullable: bool) -> str | None:
    country = _string(value, where, nullable=nullable)
    if country is not None and _COUNTRY_PATTERN.fullmatch(country) is None:
        _fail(where, f"expected a two-letter country code such as FR, got {country!r}")
    return country


def _read_contacts(value: Any) -> tuple[dict, ...]:
    contacts = []
    contact_ids: set[int] = set()
    for index, item in enumerate(_list(value, "contacts")):
        where = _join("contacts", index)
        fields = _mapping(item, where, _CONTACT_FIELDS, required=_CONTACT_REQUIRED_FIELDS)
        contact_id = _integer(fields["id"], _join(where, "id"))
        if contact_id in contact_ids:
            _fail(_join(where, "id"), f"duplicate contact id {contact_id}")
        contact_ids.add(contact_id)

        address_where = _join(where, "address")
        address_fields = _mapping(fields["address"], address_where, _ADDRESS_REQUIRED_FIELDS + _ADDRESS_NULLABLE_FIELDS,
                                  required=_ADDRESS_REQUIRED_FIELDS)
        address = {
            "city": _string(address_fields["city"], _join(address_where, "city")),
            "country": _country(address_fields["country"], _join(address_where, "country"), nullable=False),
            "line1": _string(address_fields["line1"], _join(address_where, "line1")),
        }
        for name in _ADDRESS_NULLABLE_FIELDS:
            address[name] = _string(address_fields.get(name), _join(address_where, name), nullable=True)

        contact = {
            "id": contact_id,
            "address": dict(sorted(address.items())),
            "email": _string(fields["email"], _join(where, "email")),
            "firstName": _string(fields["firstName"], _join(where, "firstName")),
            "lastName": _string(fields["lastName"], _join(where, "lastName")),
            "language": _choice(fields["language"], _join(where, "language"), CONTACT_LANGUAGES),
            "legalForm": _choice(fields["legalForm"], _join(where, "legalForm"), CONTACT_LEGAL_FORMS),
            "gender": None if fields.get("gender") is None else _choice(fields["gender"], _join(where, "gender"), CONTACT_GENDERS),
            "birthCountry": _country(fields.get("birthCountry"), _join(where, "birthCountry"), nullable=True),
            "nationality": _country(fields.get("nationality"), _join(where, "nationality"), nullable=True),
            "birthDay": _date_text(fields.get("birthDay"), _join(where, "birthDay")),
        }
        for name in _CONTACT_NULLABLE_STRINGS:
            contact[name] = _string(fields.get(name), _join(where, name), nullable=True)
        contacts.append(dict(sorted(contact.items())))
    return tuple(contacts)


def _date_text(value: Any, where: str) -> str | None:
    """Return a nullable date as the API writes it (YYYY-MM-DD)."""
    if value is None:
        return None
    # PyYAML turns an unquoted 1980-05-17 into a date object.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    if not isinstance(value, str):
        _fail(where, f"expected a date such as 1980-05-17, got {value!r}")
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        _fail(where, f"expected a date such as 1980-05-17, got {value!r}")
