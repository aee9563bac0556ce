# -*- coding: utf-8 -*-
# Copyright (c) ovhcloud.domain contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Retries, void answers, ambiguous writes and transport safety of OvhClient,
against an HTTP server on 127.0.0.1 that replies from a script.

The server replies to ``GET /1.0/auth/time`` with the current time and to
every other request with the next scripted reply: a status with a body, a
connection closed without reply, or a reply after a delay. ``time.sleep`` is
replaced by a recorder, so backoff and Retry-After waits cost no time and
tests can check them; socket timeouts still take real time.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import socket
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ansible_collections.ovhcloud.domain.plugins.module_utils._client import OvhClient
from ansible_collections.ovhcloud.domain.plugins.module_utils._errors import (
    OvhApiError,
    OvhAuthenticationError,
    OvhConfigurationError,
    OvhTransportError,
)
from ansible_collections.ovhcloud.domain.plugins.module_utils._retry import (
    BACKOFF_FACTOR,
    BACKOFF_JITTER,
    BACKOFF_MAX,
    MAX_RETRIES,
    RETRY_AFTER_MAX,
    build_retry,
)
from ansible_collections.ovhcloud.domain.plugins.module_utils._tasks import DomainTaskApi

HTML_PAGE = "<html>\r\n<head><title>{0}</title></head>\r\n<body><h1>{0}</h1></body>\r\n</html>\r\n"
READ_TIMEOUT = 0.5
SLOW = 2.0


class Reply:
    """One scripted reply: ``status`` with ``body``, or no reply at all when ``drop`` is set."""

    def __init__(self, status=200, body="null", headers=None, content_type="application/json", drop=False,
                 delay=0.0):
        self.status = status
        self.body = body if isinstance(body, bytes) else body.encode("utf-8")
        self.headers = headers or {}
        self.content_type = content_type
        self.drop = drop
        self.delay = delay


def json_reply(value, status=200, **kwargs):
    return Reply(status, json.dumps(value), **kwargs)


def html_reply(status, **kwargs):
    return Reply(status, HTML_PAGE.format(status), content_type="text/html", **kwargs)


DROP = Reply(drop=True)


def decode_body(body):
    """Return a request body as JSON when it parses, else as text (a form, for example), or None."""
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return body


class ScriptedServer:
    """An HTTP/1.1 server on 127.0.0.1 that replies to API requests from a script."""

    def __init__(self):
        self.replies = deque()
        self.requests = []
        self.stopped = threading.Event()
        handler = self._handler_class()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = "http://127.0.0.1:%d/1.0" % self.port
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05})
        self.thread.daemon = True

    def script(self, *replies):
        self.replies.extend(replies)

    def calls(self, method=None):
        """Return ``(method, path)`` of the API requests received, oldest first."""
        return [(request_method, path) for request_method, path, body in self.requests
                if method is None or request_method == method]

    def bodies(self, method):
        return [body for request_method, path, body in self.requests if request_method == method]

    def _handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8") if length else None
                path = self.path.split("?")[0]
                if path.endswith("/auth/time"):
                    self._send(json_reply(int(time.time())))
                    return
                server.requests.append((self.command, path[len("/1.0"):] if path.startswith("/1.0") else path,
                                        decode_body(body)))
                reply = server.replies.popleft() if server.replies else json_reply(
                    {"class": "Client::NotFound", "message": "no scripted reply left"}, 404)
                if reply.delay:
                    # An Event wait, not time.sleep, which the tests replace.
                    server.stopped.wait(reply.delay)
                if reply.drop:
                    self.close_connection = True
                    return
                self._send(reply)

            def _send(self, reply):
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                self.send_header("X-Ovh-Queryid", "EU.ext-test.%d" % len(server.requests))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                try:
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

            do_GET = do_PUT = do_POST = do_DELETE = _serve

        return Handler

    def start(self):
        self.thread.start()

    def stop(self):
        self.stopped.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@pytest.fixture
def server():
    instance = ScriptedServer()
    instance.start()
    yield instance
    instance.stop()


@pytest.fixture
def sleeps(monkeypatch):
    """The seconds of every time.sleep call, which return at once."""
    recorded = []
    monkeypatch.setattr(time, "sleep", recorded.append)
    return recorded


def make_client(url, **kwargs):
    options = dict(application_key="ak", application_secret="as", consumer_key="ck", connect_timeout=2,
                   read_timeout=READ_TIMEOUT)
    options.update(kwargs)
    return OvhClient(url, **options)


@pytest.fixture
def client(server):
    instance = make_client(server.url)
    yield instance
    instance.close()


def closed_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


TASK = {"id": 1000, "status": "error", "lastUpdate": "2024-01-01T10:00:00+01:00", "canRelaunch": True}


# --- reads --------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [502, 503, 504])
def test_read_retried_after_gateway_page(status, server, client, sleeps):
    server.script(html_reply(status), json_reply([1000]))

    assert client.get("/me/task/domain") == [1000]
    assert server.calls() == [("GET", "/me/task/domain")] * 2
    assert len(client.retries) == 1
    assert "GET" in client.retries[0]
    assert "/me/task/domain" in client.retries[0]
    assert "after HTTP %d (retry 1 of %d)" % (status, MAX_RETRIES) in client.retries[0]


def test_read_retries_bounded(server, client, sleeps):
    server.script(*[html_reply(503)] * (MAX_RETRIES + 2))

    with pytest.raises(OvhApiError) as error:
        client.get("/me/task/domain")

    assert len(server.calls()) == MAX_RETRIES + 1
    assert len(client.retries) == MAX_RETRIES
    assert error.value.status == 503
    assert str(error.value).startswith("GET /me/task/domain failed with HTTP 503: non-JSON answer: <html>")
    assert "failed on its side" in error.value.hint()


def test_read_backoff_grows_with_jitter(server, client, sleeps):
    server.script(*[html_reply(502)] * (MAX_RETRIES + 1))

    with pytest.raises(OvhApiError):
        client.get("/me/task/domain")

    # urllib3 does not wait before the first retry, then doubles from the backoff factor.
    expected = [BACKOFF_FACTOR * 2 ** n for n in range(1, MAX_RETRIES)]
    assert len(sleeps) == len(expected)
    for slept, base in zip(sleeps, expected):
        assert base <= slept <= min(BACKOFF_MAX, base + BACKOFF_JITTER)


def test_backoff_jitter_varies():
    class Response:
        status = 503

        def get_redirect_location(self):
            return False

        headers = {}

    retry = build_retry()
    retry = retry.increment(method="GET", url="/x", response=Response())
    retry = retry.increment(method="GET", url="/x", response=Response())
    values = set(retry.get_backoff_time() for attempt in range(50))

    assert len(values) > 1
    assert all(2 * BACKOFF_FACTOR <= value <= 2 * BACKOFF_FACTOR + BACKOFF_JITTER for value in values)


def test_read_honours_retry_after(server, client, sleeps):
    server.script(json_reply({"class": "Client::TooManyRequests", "message": "slow down"}, 429,
                             headers={"Retry-After": "3"}),
                  json_reply([1000]))

    assert client.get("/me/task/domain") == [1000]
    assert sleeps == [3.0]
    assert len(client.retries) == 1
    assert "after HTTP 429 (retry 1 of %d)" % MAX_RETRIES in client.retries[0]


def test_read_retry_after_capped(server, client, sleeps):
    server.script(json_reply({"message": "slow down"}, 429, headers={"Retry-After": "7200"}), json_reply([]))

    client.get("/me/task/domain")

    assert sleeps == [RETRY_AFTER_MAX]


def test_read_retry_after_http_date(server, client, sleeps):
    when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=20)
    header = when.strftime("%a, %d %b %Y %H:%M:%S GMT")
    server.script(json_reply({"message": "slow down"}, 429, headers={"Retry-After": header}), json_reply([]))

    client.get("/me/task/domain")

    assert len(sleeps) == 1
    assert 15 <= sleeps[0] <= 21


def test_read_rate_limited_to_the_end(server, client, sleeps):
    server.script(*[json_reply({"class": "Client::TooManyRequests", "message": "slow down"}, 429,
                               headers={"Retry-After": "1"})] * (MAX_RETRIES + 1))

    with pytest.raises(OvhApiError) as error:
        client.get("/me/task/domain/1000")

    assert error.value.status == 429
    assert "rate limiting" in error.value.hint()
    assert sleeps == [1.0] * MAX_RETRIES


def test_read_retried_after_dropped_connection(server, client, sleeps):
    server.script(DROP, json_reply(TASK))

    assert client.get("/me/task/domain/1000") == TASK
    assert len(server.calls()) == 2
    assert len(client.retries) == 1


def test_read_retried_after_timeout(server, client, sleeps):
    server.script(json_reply(TASK, delay=SLOW), json_reply(TASK))

    assert client.get("/me/task/domain/1000") == TASK
    assert len(server.calls()) == 2
    assert "ReadTimeoutError" in client.retries[0]


def test_read_timeout_to_the_end(server, client, sleeps):
    server.script(*[json_reply(TASK, delay=SLOW)] * (MAX_RETRIES + 1))
    started = time.monotonic()

    with pytest.raises(OvhTransportError) as error:
        client.get("/me/task/domain/1000")

    assert len(server.calls()) == MAX_RETRIES + 1
    assert "GET /me/task/domain/1000" in str(error.value)
    assert "timed out" in str(error.value)
    # Bounded: one read timeout per attempt, no backoff (time.sleep is replaced).
    assert time.monotonic() - started < (MAX_RETRIES + 1) * (READ_TIMEOUT + 1)


@pytest.mark.parametrize("body", [b"", b"  \n"])
def test_empty_read_retried(body, server, client, sleeps):
    server.script(Reply(200, body), json_reply([1000]))

    assert client.get("/me/task/domain") == [1000]
    assert client.retries == ["retrying GET /me/task/domain after an empty answer (retry 1 of 2)"]


def test_empty_read_gives_up(server, client, sleeps):
    server.script(*[Reply(200, b"")] * 3)

    with pytest.raises(OvhApiError) as error:
        client.get("/me/task/domain")

    assert len(server.calls()) == 3
    assert error.value.empty_answer
    assert "empty answer" in str(error.value)


def test_html_read_retried(server, client, sleeps):
    server.script(html_reply(200), json_reply([1000]))

    assert client.get("/me/task/domain") == [1000]
    assert len(server.calls()) == 2


# --- writes -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [502, 503, 504])
def test_write_not_repeated_after_gateway_page(status, server, client, sleeps):
    server.script(html_reply(status))

    with pytest.raises(OvhApiError) as error:
        client.put("/me/task/domain/1000/argument/legitimacyAfnic", {"value": "x"})

    assert server.calls("PUT") == [("PUT", "/me/task/domain/1000/argument/legitimacyAfnic")]
    assert error.value.ambiguous
    assert client.retries == []


def test_write_not_repeated_after_dropped_connection(server, client, sleeps):
    server.script(DROP)

    with pytest.raises(OvhTransportError) as error:
        client.post("/me/task/domain/1000/relaunch")

    assert len(server.calls("POST")) == 1
    assert error.value.ambiguous
    assert "POST /me/task/domain/1000/relaunch" in str(error.value)


def test_write_not_repeated_after_timeout(server, client, sleeps):
    server.script(json_reply(None, delay=SLOW))

    with pytest.raises(OvhTransportError) as error:
        client.post("/me/task/domain/1000/relaunch")

    assert len(server.calls("POST")) == 1
    assert error.value.ambiguous
    assert "timed out" in str(error.value)


def test_write_to_closed_port_not_ambiguous(sleeps):
    client = make_client("http://127.0.0.1:%d/1.0" % closed_port())
    # The time offset is read before the write; skip that read, which would fail first.
    client._time_delta = 0

    with pytest.raises(OvhTransportError) as error:
        client.post("/me/task/domain/1000/relaunch")

    assert not error.value.ambiguous
    assert "Could not connect" in str(error.value)


def test_write_resent_after_rate_limit(server, client, sleeps):
    server.script(json_reply({"class": "Client::TooManyRequests", "message": "slow down"}, 429,
                             headers={"Retry-After": "2"}),
                  json_reply(None))

    assert client.put("/me/task/domain/1000/argument/legitimacyAfnic", {"value": "x"}) is None
    assert len(server.calls("PUT")) == 2
    assert sleeps == [2.0]
    assert client.retries == ["retrying PUT /me/task/domain/1000/argument/legitimacyAfnic after HTTP 429 in 2.0 s "
                              "(retry 1 of %d)" % MAX_RETRIES]


def test_write_rate_limit_without_retry_after(server, client, sleeps):
    server.script(*[json_reply({"message": "slow down"}, 429)] * (MAX_RETRIES + 1))

    with pytest.raises(OvhApiError) as error:
        client.post("/me/task/domain/1000/relaunch")

    assert error.value.status == 429
    assert len(server.calls("POST")) == MAX_RETRIES + 1
    assert sleeps == [min(2 ** n, RETRY_AFTER_MAX) for n in range(1, MAX_RETRIES + 1)]


@pytest.mark.parametrize("reply", [
    Reply(204, b""),
    Reply(200, b""),
    Reply(200, b"null"),
    Reply(200, b" \r\n"),
], ids=["204", "empty", "null", "blank"])
@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_void_write_is_success(method, reply, server, client, sleeps):
    server.script(reply)

    assert client.call(method, "/me/task/domain/1000/relaunch", body={"value": "x"} if method == "PUT" else None) is None
    assert len(server.calls(method)) == 1
    assert client.retries == []


def test_write_body_sent_byte_for_byte(server, client, sleeps):
    value = "Zoë «l'été» \"{{ x }}\"\n0012\u2028😀"
    server.script(json_reply(None))

    client.put("/me/task/domain/1000/argument/legitimacyAfnic", {"value": value})

    assert server.bodies("PUT") == [{"value": value}]


# --- reading again after an ambiguous write --------------------------------------------------


def argument(value):
    return {"key": "legitimacyAfnic", "type": "string", "value": value}


def test_set_argument_applied_despite_lost_answer(server, client, sleeps):
    server.script(DROP, json_reply(argument("new")))

    DomainTaskApi(client, family="me").set_argument(1000, "legitimacyAfnic", "new")

    assert server.calls() == [("PUT", "/me/task/domain/1000/argument/legitimacyAfnic"),
                              ("GET", "/me/task/domain/1000/argument/legitimacyAfnic")]
    assert "holds the new value" in client.retries[-1]


def test_set_argument_sent_again_when_not_applied(server, client, sleeps):
    server.script(html_reply(502), json_reply(argument(None)), json_reply(None))

    DomainTaskApi(client, family="me").set_argument(1000, "legitimacyAfnic", "new")

    assert len(server.calls("PUT")) == 2
    assert server.bodies("PUT") == [{"value": "new"}, {"value": "new"}]


def test_set_argument_sent_at_most_twice(server, client, sleeps):
    server.script(html_reply(502), json_reply(argument(None)), html_reply(503))

    with pytest.raises(OvhApiError) as error:
        DomainTaskApi(client, family="me").set_argument(1000, "legitimacyAfnic", "new")

    assert error.value.status == 503
    assert len(server.calls("PUT")) == 2


def test_set_argument_rejection_not_read_again(server, client, sleeps):
    server.script(json_reply({"class": "Client::BadRequest", "message": "[value] invalid"}, 400))

    with pytest.raises(OvhApiError):
        DomainTaskApi(client, family="me").set_argument(1000, "legitimacyAfnic", "new")

    assert server.calls() == [("PUT", "/me/task/domain/1000/argument/legitimacyAfnic")]


def test_relaunch_applied_despite_lost_answer(server, client, sleeps):
    server.script(DROP, json_reply(dict(TASK, status="todo", canRelaunch=False)))

    DomainTaskApi(client, family="me").run_action(dict(TASK, _family="me"), "relaunch")

    assert server.calls("POST") == [("POST", "/me/task/domain/1000/relaunch")]
    assert "shows the relaunch applied" in client.retries[-1]


def test_relaunch_sent_again_when_unchanged(server, client, sleeps):
    server.script(html_reply(504), json_reply(TASK), json_reply(None))

    DomainTaskApi(client, family="me").run_action(dict(TASK, _family="me"), "relaunch")

    assert len(server.calls("POST")) == 2


# --- transport safety ---------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "http://192.0.2.10/1.0",
    "http://eu.api.ovh.com/1.0",
    "http://127.0.0.1.example.net/1.0",
    "http://0.0.0.0:8080/1.0",
    "HTTP://10.0.0.1/1.0",
])
def test_plain_http_elsewhere_rejected_before_connecting(url, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)

    with pytest.raises(OvhConfigurationError) as error:
        make_client(url)

    assert "plain http" in str(error.value)


@pytest.mark.parametrize("url", ["http://127.0.0.1:1/1.0", "http://127.10.0.1:1/1.0", "http://[::1]:1/1.0",
                                 "http://localhost:1/1.0"])
def test_plain_http_to_loopback_allowed(url):
    assert make_client(url).base_url == url


def test_tls_verified_by_default(tls_server, sleeps):
    client = make_client(tls_server.url)

    with pytest.raises(OvhTransportError) as error:
        client.get("/me/task/domain")

    assert "failed TLS verification" in str(error.value)
    assert "ca_bundle" in str(error.value)
    assert tls_server.calls() == []


def test_ca_bundle_trusts_server(tls_server, tls_certificate, sleeps):
    tls_server.script(json_reply([1000]))
    client = make_client(tls_server.url, ca_bundle=str(tls_certificate))

    assert client.get("/me/task/domain") == [1000]


def test_missing_ca_bundle_fails_clearly(tls_server, tmp_path, sleeps):
    missing = str(tmp_path / "missing-ca.pem")

    with pytest.raises((OvhConfigurationError, OvhTransportError)) as error:
        make_client(tls_server.url, ca_bundle=missing).get("/me/task/domain")

    assert missing in str(error.value)
    assert "ca_bundle" in str(error.value)
    assert tls_server.calls() == []


def test_oauth2_token_request_has_timeout(server, sleeps):
    pytest.importorskip("requests_oauthlib")
    server.script(json_reply({"access_token": "t", "token_type": "Bearer", "expires_in": 3599}, delay=SLOW))
    client = make_client(server.url, application_key=None, application_secret=None, consumer_key=None,
                         client_id="id", client_secret="secret")
    started = time.monotonic()

    with pytest.raises(OvhAuthenticationError) as error:
        client.get("/me/task/domain")

    assert time.monotonic() - started < SLOW
    assert server.calls() == [("POST", "/auth/oauth2/token")]
    assert "could not get a token" in str(error.value)
    assert "timed out" in str(error.value)


def test_oauth2_token_retried_after_gateway_page(server, sleeps):
    pytest.importorskip("requests_oauthlib")
    server.script(html_reply(502), json_reply({"access_token": "t", "token_type": "Bearer", "expires_in": 3599}),
                  json_reply([1000]))
    client = make_client(server.url, application_key=None, application_secret=None, consumer_key=None,
                         client_id="id", client_secret="secret")

    assert client.get("/me/task/domain") == [1000]


def test_upload_has_timeout(server, client, sleeps):
    server.script(Reply(200, b"", delay=SLOW))
    started = time.monotonic()

    with pytest.raises(OvhTransportError) as error:
        client.upload("http://127.0.0.1:%d/_storage/documents/x" % server.port, b"%PDF-1.4")

    assert time.monotonic() - started < SLOW
    assert server.calls() == [("PUT", "/_storage/documents/x")]
    assert "timed out" in str(error.value)


# --- a local HTTPS server with a self-signed certificate ------------------------------------


@pytest.fixture
def tls_certificate(tmp_path):
    """Write a self-signed certificate for 127.0.0.1 and localhost, and its key; return the certificate path."""
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, u"ovhcloud-domain-test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName(u"localhost"), x509.IPAddress(ipaddress.ip_address(u"127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certificate_path = tmp_path / "server.pem"
    key_path = tmp_path / "server.key"
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return certificate_path


@pytest.fixture
def tls_server(tls_certificate):
    import ssl

    instance = ScriptedServer()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(tls_certificate), str(tls_certificate.with_name("server.key")))
    instance.httpd.socket = context.wrap_socket(instance.httpd.socket, server_side=True)
    instance.url = "https://127.0.0.1:%d/1.0" % instance.port
    instance.start()
    yield instance
    instance.stop()
