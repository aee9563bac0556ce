"""HTTP layer: keep-alive HTTP/1.1 server, request parsing and JSON responses."""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import socket
import socketserver
import time
import uuid
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from .account import MAX_UPLOAD_BYTES, STORAGE_PREFIX
from .api import ApiRequest, resolve
from .app import Simulator
from .clock import format_datetime
from .control import ControlError, handle_control
from .errors import ApiError, AuthError, invalid_url
from .faults import FaultRule
from .oauth2 import TOKEN_PATH, TokenError
from .schema_check import check_response

logger = logging.getLogger("ovhsim")

API_PREFIX = "/1.0"
CONTROL_PREFIX = "/_simulator"
MAX_BODY_BYTES = 1024 * 1024
# An upload above its limit is read and dropped up to this size, so the client
# gets the 413 reply instead of a reset connection.
MAX_DRAINED_BYTES = 64 * 1024 * 1024


def new_query_id() -> str:
    """Build an X-Ovh-Queryid in the real format: region, host, hex time, pid, uuid."""
    return f"EU.ext-sim.{int(time.time()):08x}.{os.getpid()}.{uuid.uuid4()}"


def _decode_json(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None


def _api_path(raw_path: str) -> str:
    """Return the path after /1.0, or the raw path of a request outside the API."""
    if raw_path == API_PREFIX or raw_path.startswith(API_PREFIX + "/"):
        return raw_path[len(API_PREFIX):]
    return raw_path


class _BodyError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class SimulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # Listen backlog: the default of 5 makes bursts of new connections from
    # concurrent clients wait for SYN retransmissions.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], simulator: Simulator):
        self.simulator = simulator
        super().__init__(address, RequestHandler)
        host, port = self.server_address[:2]
        simulator.base_url = f"http://{host}:{port}"

    def server_bind(self) -> None:
        # HTTPServer.server_bind would resolve the host name with socket.getfqdn,
        # a DNS query the simulator has no use for.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def get_request(self):
        connection, address = super().get_request()
        # Without TCP_NODELAY, Nagle's algorithm and delayed ACKs add about 40 ms
        # to keep-alive round trips.
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection, address


class RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ovhsim"
    # Idle keep-alive connections are closed after this many seconds.
    timeout = 120
    server: SimulatorHTTPServer
    # Fault and base latency of the API request being served. Control calls get neither.
    _fault: FaultRule | None = None
    _reply_latency: float = 0.0
    # OAuth2 client of the API request being served, for the request log.
    _client_id: str | None = None

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def log_message(self, format: str, *args: Any) -> None:
        # Only the standard library's own error paths get here: malformed
        # requests, and idle keep-alive connections closed after ``timeout``.
        level = logging.DEBUG if format.startswith("Request timed out") else logging.WARNING
        logger.log(level, "%s %s", self.address_string(), format % args)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Send the standard library's own error responses (malformed request, unsupported method) as JSON."""
        self.close_connection = True
        status = HTTPStatus(code)
        side = "Client" if code < 500 else "Server"
        payload = {"class": f"{side}::{status.phrase.replace(' ', '')}", "message": message or status.phrase}
        self.log_error("code %d, message %s", code, message)
        self._send_json(code, payload, new_query_id(), with_body=self.command != "HEAD")

    def _handle(self) -> None:
        query_id = new_query_id()
        raw_path = self.path.partition("?")[0]
        try:
            body = self._read_body(MAX_UPLOAD_BYTES if raw_path.startswith(STORAGE_PREFIX) else MAX_BODY_BYTES)
        except _BodyError as error:
            self.close_connection = True
            payload = {"class": "Client::BadRequest", "message": error.message}
            self._send_json(error.status, payload, query_id)
            self._log_line(raw_path, error.status, query_id)
            return

        fault = None
        if raw_path == CONTROL_PREFIX or raw_path.startswith(CONTROL_PREFIX + "/"):
            status = self._handle_control(raw_path[len(CONTROL_PREFIX):], body, query_id)
        else:
            status, fault = self._handle_under_faults(raw_path, body, query_id)
        self._log_line(raw_path, status, query_id, fault)

    def _handle_under_faults(self, raw_path: str, body: bytes, query_id: str) -> tuple[int | None, FaultRule | None]:
        """Serve an API request under the fault rules and the base latency, and count it.

        Returns the status sent (None when the connection was closed without a reply) and the fault applied.
        """
        simulator = self.server.simulator
        faults = simulator.run.faults
        path = _api_path(raw_path)
        fault = faults.take(self.command, path)
        self._fault = fault
        self._reply_latency = faults.latency_seconds
        try:
            if fault is not None and fault.seconds:
                time.sleep(fault.seconds)
            if fault is not None and fault.before_processing:
                # Like a load balancer: no authentication, no processing.
                status = self._send_fault(fault, query_id)
                self._record_request(path, body, status)
            else:
                status = self._handle_api(raw_path, body, query_id)
        finally:
            self._fault = None
            self._reply_latency = 0.0

        simulator.stats.record(self.command, path, status, None if fault is None else fault.kind)
        return status, fault

    def _send_fault(self, fault: FaultRule, query_id: str) -> int | None:
        """Reply with a fault that stops the request before processing, and return the status sent."""
        if fault.kind == "drop":
            return self._close_without_reply()
        if fault.kind == "rate_limit":
            # NOTE: guessed body and status. OVHcloud documents neither its rate
            # limits nor the reply when one is hit.
            headers = {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
            payload = {"class": "Client::TooManyRequests", "message": "Too many requests, slow down"}
            return self._send_json(429, payload, query_id, headers)

        # An error page from the load balancer, so no X-Ovh-Queryid.
        headers = {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
        return self._send_body(fault.status, fault.error_page().encode("utf-8"), "text/html; charset=utf-8",
                               None, headers)

    def _read_body(self, limit: int = MAX_BODY_BYTES) -> bytes:
        if self.headers.get("Transfer-Encoding"):
            raise _BodyError(411, "Chunked request bodies are not supported; send a Content-Length header")
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            return b""
        if not length_text.strip().isdigit():
            raise _BodyError(400, f"Invalid Content-Length header: {length_text!r}")
        length = int(length_text)
        if length > limit:
            if limit > MAX_BODY_BYTES and length <= MAX_DRAINED_BYTES:
                self._drop_body(length)
            raise _BodyError(413, f"Request body of {length} bytes exceeds the limit of {limit} bytes")
        return self.rfile.read(length)

    def _drop_body(self, length: int) -> None:
        while length > 0:
            chunk = self.rfile.read(min(length, 1024 * 1024))
            if not chunk:
                return
            length -= len(chunk)

    def _handle_api(self, raw_path: str, body: bytes, query_id: str) -> int | None:
        run = self.server.simulator.run
        raw_query = self.path.partition("?")[2]
        query = parse_qs(raw_query, keep_blank_values=True)
        in_api = raw_path == API_PREFIX or raw_path.startswith(API_PREFIX + "/")
        path = _api_path(raw_path)
        if not in_api and path == TOKEN_PATH:
            return self._handle_token(body, query_id)
        if not in_api and path.startswith(STORAGE_PREFIX):
            return self._handle_storage(path, body, query_id)

        status, payload, headers, template = 200, None, {}, None
        try:
            if not in_api:
                raise invalid_url()
            route, params = resolve(self.command, path)
            template = route.template
            caller = None
            if route.needs_auth:
                caller = run.authenticator.check(self.headers, self.command, self._requested_url(), body, path)
                self._client_id = caller.client_id
            request = ApiRequest(self.command, path, params, query, body, run.store, run.clock,
                                 headers=self.headers, pagination=run.pagination,
                                 caller=caller, account=run.account, base_url=self.server.simulator.base_url)
            payload = route.handlers[self.command](request)
            headers = request.response_headers
        except AuthError as error:
            status, payload, headers = error.status, error.body(), error.headers
            self._client_id = error.client_id
        except ApiError as error:
            status, payload, headers = error.status, error.body(), error.headers
        except Exception:
            logger.exception("internal error on %s %s (query id %s)", self.command, raw_path, query_id)
            status = 500
            payload = {"class": "Server::InternalServerError", "message": "Internal server error"}

        simulator = self.server.simulator
        if simulator.schema is not None and status == 200 and template is not None:
            check_response(simulator.schema, simulator.violations, self.command, template, path, payload, query_id,
                           expanded="X-Pagination-Mode" in headers)

        sent_status = self._send_json(status, payload, query_id, headers)
        self._record_request(path, body, sent_status)
        self._client_id = None
        return sent_status

    def _handle_token(self, body: bytes, query_id: str) -> int | None:
        """Serve the OAuth2 token route. The form is never logged, because it may contain the client secret."""
        if self.command != "POST":
            status, headers = 405, {"Allow": "POST"}
            payload = {"error": "invalid_request", "error_description": f"use POST on {TOKEN_PATH}"}
        else:
            try:
                payload = self.server.simulator.run.tokens.issue(self.headers, body)
                status, headers = 200, {"Pragma": "no-cache"}
            except TokenError as error:
                status, payload, headers = error.status, error.body(), {}

        sent_status = self._send_json(status, payload, query_id, headers)
        self._record_request(TOKEN_PATH, b"", sent_status)
        return sent_status

    def _handle_storage(self, path: str, body: bytes, query_id: str) -> int | None:
        """Serve a document's putUrl (raw bytes PUT, no signature) and getUrl (GET)."""
        documents = self.server.simulator.run.account.documents
        document_id = path[len(STORAGE_PREFIX):]
        try:
            if self.command == "PUT":
                documents.upload(document_id, body)
                sent_status = self._send_body(200, b"", "text/plain; charset=utf-8", query_id)
            elif self.command == "GET":
                content = documents.download(document_id)
                sent_status = self._send_body(200, content, "application/octet-stream", query_id)
            else:
                raise ApiError(405, "Client::MethodNotAllowed", f"Method {self.command} is not allowed on {STORAGE_PREFIX}{{id}}",
                               headers={"Allow": "GET, PUT"})
        except ApiError as error:
            sent_status = self._send_json(error.status, error.body(), query_id, error.headers)

        # The uploaded bytes are not logged, only their size in the document.
        self._record_request(path, b"", sent_status)
        return sent_status

    def _record_request(self, path: str, body: bytes, status: int | None) -> None:
        """Append the request to the log. ``status`` is the one sent, None when no reply was sent."""
        self.server.simulator.log.append({
            "time": format_datetime(self.server.simulator.run.clock.now()),
            "method": self.command,
            "path": path,
            "query": parse_qs(self.path.partition("?")[2], keep_blank_values=True),
            "status": status,
            "application_key": self.headers.get("X-Ovh-Application"),
            "consumer_key": self.headers.get("X-Ovh-Consumer"),
            "client_id": self._client_id,
            "body": _decode_json(body),
            "fault": None if self._fault is None else self._fault.kind,
        })

    def _handle_control(self, path: str, body: bytes, query_id: str) -> int:
        try:
            if not ipaddress.ip_address(self.client_address[0]).is_loopback:
                raise ControlError(403, "control routes accept loopback clients only")
            status, payload = handle_control(self.server.simulator, self.command, path or "/", body)
        except ControlError as error:
            status, payload = error.status, error.body()
        self._send_json(status, payload, query_id)
        return status

    def _requested_url(self) -> str:
        """Rebuild the URL the client signed: scheme, Host header and raw request target."""
        host = self.headers.get("Host") or "%s:%d" % self.server.server_address[:2]
        return f"http://{host}{self.path}"

    def _send_json(self, status: int, payload: Any, query_id: str, headers: dict[str, str] | None = None,
                   with_body: bool = True) -> int | None:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return self._send_body(status, body, "application/json; charset=utf-8", query_id, headers, with_body)

    def _send_body(self, status: int, body: bytes, content_type: str, query_id: str | None,
                   headers: dict[str, str] | None = None, with_body: bool = True) -> int | None:
        """Send one response after the base latency, unless a lost_response or empty_body fault changes it.

        Returns the status sent, or None when the connection was closed without a reply.
        """
        fault_kind = None if self._fault is None else self._fault.kind
        if fault_kind == "lost_response":
            return self._close_without_reply()
        if fault_kind == "empty_body":
            status, body, headers = 200, b"", None
        if self._reply_latency:
            time.sleep(self._reply_latency)

        lines = [
            f"{self.protocol_version} {status} {HTTPStatus(status).phrase}",
            f"Server: {self.version_string()}",
            f"Date: {self.date_time_string()}",
            f"Content-Type: {content_type}",
            f"Content-Length: {len(body)}",
            "Cache-Control: no-cache",
        ]
        if query_id is not None:
            lines.append(f"X-Ovh-Queryid: {query_id}")
        lines.extend(f"{name}: {value}" for name, value in (headers or {}).items())
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

        # One write per response, so Nagle's algorithm never holds back a body
        # behind its headers.
        try:
            self.wfile.write(head + body if with_body else head)
        except (BrokenPipeError, ConnectionResetError) as error:
            # Typically a client that timed out during a latency or a slow fault.
            logger.info("%s %s: client closed the connection before the reply (query id %s): %s",
                        self.command, self.path.partition("?")[0], query_id, error)
            self.close_connection = True
            return None
        return status

    def _close_without_reply(self) -> None:
        """Close the connection after the base latency without sending anything, as a failed network path does."""
        if self._reply_latency:
            time.sleep(self._reply_latency)
        self.close_connection = True
        return None

    def _log_line(self, path: str, status: int | None, query_id: str, fault: FaultRule | None = None) -> None:
        status_text = "no-reply" if status is None else str(status)
        if fault is None:
            logger.info("%s %s %s %s", self.command, path, status_text, query_id)
        else:
            logger.info("%s %s %s %s fault=%s", self.command, path, status_text, query_id, fault.kind)
