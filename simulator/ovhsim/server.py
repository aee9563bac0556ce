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

from .api import ApiRequest, resolve
from .app import Simulator
from .clock import format_datetime
from .control import ControlError, handle_control
from .errors import ApiError, AuthError, invalid_url

logger = logging.getLogger("ovhsim")

API_PREFIX = "/1.0"
CONTROL_PREFIX = "/_simulator"
MAX_BODY_BYTES = 1024 * 1024


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


class _BodyError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class SimulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], simulator: Simulator):
        self.simulator = simulator
        super().__init__(address, RequestHandler)

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
            body = self._read_body()
        except _BodyError as error:
            self.close_connection = True
            payload = {"class": "Client::BadRequest", "message": error.message}
            self._send_json(error.status, payload, query_id)
            self._log_line(raw_path, error.status, query_id)
            return

        if raw_path == CONTROL_PREFIX or raw_path.startswith(CONTROL_PREFIX + "/"):
            status = self._handle_control(raw_path[len(CONTROL_PREFIX):], body, query_id)
        else:
            status = self._handle_api(raw_path, body, query_id)
        self._log_line(raw_path, status, query_id)

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding"):
            raise _BodyError(411, "Chunked request bodies are not supported; send a Content-Length header")
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            return b""
        if not length_text.strip().isdigit():
            raise _BodyError(400, f"Invalid Content-Length header: {length_text!r}")
        length = int(length_text)
        if length > MAX_BODY_BYTES:
            raise _BodyError(413, f"Request body of {length} bytes exceeds the limit of {MAX_BODY_BYTES} bytes")
        return self.rfile.read(length)

    def _handle_api(self, raw_path: str, body: bytes, query_id: str) -> int:
        run = self.server.simulator.run
        raw_query = self.path.partition("?")[2]
        query = parse_qs(raw_query, keep_blank_values=True)
        in_api = raw_path == API_PREFIX or raw_path.startswith(API_PREFIX + "/")
        path = raw_path[len(API_PREFIX):] if in_api else raw_path

        status, payload, headers = 200, None, {}
        try:
            if not in_api:
                raise invalid_url()
            route, params = resolve(self.command, path)
            if route.needs_auth:
                run.authenticator.check(self.headers, self.command, self._requested_url(), body, path)
            request = ApiRequest(self.command, path, params, query, body, run.store, run.clock)
            payload = route.handlers[self.command](request)
        except (ApiError, AuthError) as error:
            status, payload, headers = error.status, error.body(), error.headers
        except Exception:
            logger.exception("internal error on %s %s (query id %s)", self.command, raw_path, query_id)
            status = 500
            payload = {"class": "Server::InternalServerError", "message": "Internal server error"}

        self._send_json(status, payload, query_id, headers)
        self.server.simulator.log.append({
            "time": format_datetime(run.clock.now()),
            "method": self.command,
            "path": path,
            "query": query,
            "status": status,
            "application_key": self.headers.get("X-Ovh-Application"),
            "consumer_key": self.headers.get("X-Ovh-Consumer"),
            "body": _decode_json(body),
        })
        return status

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
                   with_body: bool = True) -> None:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        lines = [
            f"{self.protocol_version} {status} {HTTPStatus(status).phrase}",
            f"Server: {self.version_string()}",
            f"Date: {self.date_time_string()}",
            "Content-Type: application/json; charset=utf-8",
            f"Content-Length: {len(body)}",
            "Cache-Control: no-cache",
            f"X-Ovh-Queryid: {query_id}",
        ]
        lines.extend(f"{name}: {value}" for name, value in (headers or {}).items())
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

        # One write per response, so Nagle's algorithm never holds back a body
        # behind its headers.
        self.wfile.write(head + body if with_body else head)

    def _log_line(self, path: str, status: int, query_id: str) -> None:
        logger.info("%s %s %d %s", self.command, path, status, query_id)
