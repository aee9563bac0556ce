"""Routes of the simulated API under ``/1.0`` and their parameter checks."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping
from urllib.parse import unquote

from . import account_api
from .account import Account
from .auth import Caller
from .clock import SimClock
from .enums import OPERATION_FUNCTIONS, OPERATION_STATUSES, OPERATION_TYPES
from .errors import ApiError, bad_request, invalid_url
from .pagination import PaginationSettings, read_page_request
from .store import TaskStore

LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1


@dataclass
class ApiRequest:
    """One call to the API, with ``path`` relative to ``/1.0`` and path parameters decoded."""

    method: str
    path: str
    params: dict[str, str]
    query: dict[str, list[str]]
    body: bytes
    store: TaskStore
    clock: SimClock
    headers: Mapping[str, str] | None = None
    pagination: PaginationSettings | None = None
    # Headers a handler adds to its successful reply.
    response_headers: dict[str, str] = field(default_factory=dict)
    # Authenticated credential (None on unsigned routes), documents and contacts,
    # and http://HOST:PORT of the server for the URLs of documents.
    caller: Caller | None = None
    account: Account | None = None
    base_url: str = ""

    def query_value(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None


Handler = Callable[[ApiRequest], Any]


@dataclass(frozen=True)
class Route:
    template: str
    handlers: dict[str, Handler]
    needs_auth: bool = True

    def match(self, path: str) -> dict[str, str] | None:
        """Return the path parameters when ``path`` fits the template, else None."""
        template_parts = self.template.split("/")
        path_parts = path.split("/")
        if len(template_parts) != len(path_parts):
            return None
        params = {}
        for expected, actual in zip(template_parts, path_parts):
            if expected.startswith("{") and expected.endswith("}"):
                if not actual:
                    return None
                params[expected[1:-1]] = unquote(actual)
            elif expected != actual:
                return None
        return params


class MethodNotAllowed(ApiError):
    def __init__(self, method: str, route: Route):
        # NOTE: guessed body, because the real API's response to a wrong method is not documented.
        super().__init__(405, "Client::MethodNotAllowed", f"Method {method} is not allowed on {route.template}",
                         headers={"Allow": ", ".join(sorted(route.handlers))})


def resolve(method: str, path: str) -> tuple[Route, dict[str, str]]:
    """Find the route of a call. Raises ApiError 404 or 405."""
    for route in ROUTES:
        params = route.match(path)
        if params is None:
            continue
        if method not in route.handlers:
            raise MethodNotAllowed(method, route)
        return route, params
    raise invalid_url()


# Parameter checks, with messages in the format of the API's type validation.

def _long_param(request: ApiRequest, name: str) -> int:
    text = request.params[name]
    if re.fullmatch(r"-?[0-9]+", text) is None or not LONG_MIN <= int(text) <= LONG_MAX:
        raise bad_request(f"[{name}] Given data ({text}) is not valid for type long")
    return int(text)


def _enum_query(request: ApiRequest, name: str, choices: tuple[str, ...], enum_name: str) -> str | None:
    value = request.query_value(name)
    if value is not None and value not in choices:
        raise bad_request(f"[{name}] Given data ({value}) does not belong to the {enum_name} enumeration")
    return value


def _json_body(request: ApiRequest) -> Any:
    try:
        return json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise bad_request("Invalid JSON received in the request body") from None


# /me/task/domain family.

def list_my_tasks(request: ApiRequest) -> list[int]:
    # The schema types the function filter as domain.OperationFunctionEnum, so
    # values outside the enumeration are rejected even though the filter is "like".
    function = _enum_query(request, "function", OPERATION_FUNCTIONS, "OperationFunctionEnum")
    status = _enum_query(request, "status", OPERATION_STATUSES, "OperationStatusEnum")
    task_type = _enum_query(request, "type", OPERATION_TYPES, "OperationTypeEnum")
    return _list_tasks(request, domain=request.query_value("domain"), function=function, status=status, task_type=task_type)


def _list_tasks(request: ApiRequest, **filters: str | None) -> list[int] | list[dict]:
    """List task ids, or in bulk mode (X-Pagination-Mode) one page of full task objects."""
    page = read_page_request(request.headers, request.pagination)
    if page is None:
        return request.store.list_ids(**filters)

    total, tasks = request.store.list_page(page.offset, page.size, **filters)
    request.response_headers.update(page.response_headers(total))
    return tasks


def get_my_task(request: ApiRequest) -> dict:
    return request.store.get(_long_param(request, "id"))


def _my_task_action(action: str) -> Handler:
    def handle(request: ApiRequest) -> None:
        request.store.perform(_long_param(request, "id"), action)
        return None

    handle.__name__ = f"{action}_my_task"
    return handle


def get_progressbar(request: ApiRequest) -> dict:
    return request.store.progressbar(_long_param(request, "id"))


def list_arguments(request: ApiRequest) -> list[str]:
    return request.store.argument_keys(_long_param(request, "id"))


def get_argument(request: ApiRequest) -> dict:
    return request.store.argument(_long_param(request, "id"), request.params["key"])


def put_argument(request: ApiRequest) -> None:
    # NOTE: the messages for a body that is not JSON or lacks "value" are guesses,
    # and the real API may treat a missing value as "no change".
    task_id = _long_param(request, "id")
    body = _json_body(request)
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object such as {\"value\": \"...\"}")
    if "value" not in body:
        raise bad_request("[value] Property is mandatory")

    value = body["value"]
    if value is not None and not isinstance(value, str):
        raise bad_request(f"[value] Given data ({json.dumps(value)}) is not valid for type string")
    request.store.set_argument(task_id, request.params["key"], value)
    return None


# /domain/{serviceName}/task family. It serves the same tasks, limited to one domain.
# NOTE: every serviceName is treated as an existing domain service, whereas the
# real API presumably rejects a service that is not on the account.

def list_service_tasks(request: ApiRequest) -> list[int]:
    status = _enum_query(request, "status", OPERATION_STATUSES, "OperationStatusEnum")
    task_type = _enum_query(request, "type", OPERATION_TYPES, "OperationTypeEnum")
    # NOTE: bulk mode here is an inference. OVHcloud's web manager uses it on
    # /me/task/domain only, but the 2025 OpenAPI rendering of the API marks both
    # lists with "x-expanded-response: DomainTask".
    return _list_tasks(request, function=request.query_value("function"), status=status, task_type=task_type,
                       service_name=request.params["serviceName"])


def get_service_task(request: ApiRequest) -> dict:
    return request.store.get(_long_param(request, "id"), service_name=request.params["serviceName"])


def _service_task_action(action: str) -> Handler:
    def handle(request: ApiRequest) -> None:
        request.store.perform(_long_param(request, "id"), action, service_name=request.params["serviceName"])
        return None

    handle.__name__ = f"{action}_service_task"
    return handle


def get_auth_time(request: ApiRequest) -> int:
    return request.clock.server_timestamp()


ROUTES = (
    Route("/auth/time", {"GET": get_auth_time}, needs_auth=False),
    Route("/me/task/domain", {"GET": list_my_tasks}),
    Route("/me/task/domain/{id}", {"GET": get_my_task}),
    Route("/me/task/domain/{id}/accelerate", {"POST": _my_task_action("accelerate")}),
    Route("/me/task/domain/{id}/cancel", {"POST": _my_task_action("cancel")}),
    Route("/me/task/domain/{id}/relaunch", {"POST": _my_task_action("relaunch")}),
    Route("/me/task/domain/{id}/progressbar", {"GET": get_progressbar}),
    Route("/me/task/domain/{id}/argument", {"GET": list_arguments}),
    Route("/me/task/domain/{id}/argument/{key}", {"GET": get_argument, "PUT": put_argument}),
    Route("/domain/{serviceName}/task", {"GET": list_service_tasks}),
    Route("/domain/{serviceName}/task/{id}", {"GET": get_service_task}),
    Route("/domain/{serviceName}/task/{id}/accelerate", {"POST": _service_task_action("accelerate")}),
    Route("/domain/{serviceName}/task/{id}/cancel", {"POST": _service_task_action("cancel")}),
    Route("/domain/{serviceName}/task/{id}/relaunch", {"POST": _service_task_action("relaunch")}),
    Route("/auth/currentCredential", {"GET": account_api.get_current_credential}),
    Route("/auth/details", {"GET": account_api.get_auth_details}),
    Route("/me/document", {"GET": account_api.list_documents, "POST": account_api.create_document}),
    # Before /me/document/{id}, which would otherwise take "cors" as an id.
    Route("/me/document/cors", {"POST": account_api.declare_document_cors}),
    Route("/me/document/{id}", {"GET": account_api.get_document, "DELETE": account_api.delete_document}),
    Route("/me/contact", {"GET": account_api.list_contacts}),
    Route("/me/contact/{contactId}", {"GET": account_api.get_contact}),
)
