"""The simulator process: command line, ready file, signals and HTTP behaviour."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import time
from urllib.parse import urlsplit

import pytest

from ovhsim_testlib import (
    GUIDE_SCENARIO,
    QUERY_ID_PATTERN,
    load_guide,
    signed_request,
    simulator_command,
    simulator_env,
)


def test_ready_file_and_banner(guide_sim):
    ready = json.loads(guide_sim.ready_file.read_text(encoding="utf-8"))
    port = urlsplit(ready["url"]).port

    assert ready == {
        "url": f"http://127.0.0.1:{port}/1.0",
        "control": f"http://127.0.0.1:{port}/_simulator",
        "pid": guide_sim.process.pid,
    }
    # The banner is printed right after the ready file is written.
    deadline = time.monotonic() + 5
    while "listening" not in guide_sim.stdout_path.read_text() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert guide_sim.stdout_path.read_text() == f"ovhsim listening on http://127.0.0.1:{port}/1.0\n"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_stops_cleanly(start_sim, sig):
    sim = start_sim(GUIDE_SCENARIO)

    assert sim.stop(sig) == 0
    assert not sim.ready_file.exists()


def test_non_loopback_host_refused(tmp_path):
    command = simulator_command(GUIDE_SCENARIO, tmp_path / "ready.json", "--host", "0.0.0.0")
    completed = subprocess.run(command, env=simulator_env(), capture_output=True, text=True, timeout=30)

    assert completed.returncode == 2
    assert "invalid --host 0.0.0.0" in completed.stderr


def test_request_log_lines_on_stderr(guide_sim):
    response = signed_request(guide_sim, "PUT", "/me/task/domain/1000/argument/legitimacyAfnic",
                              {"value": "I am the mayor of the city Example."})
    assert response.status_code == 200
    query_id = response.headers["X-Ovh-Queryid"]

    guide_sim.stop()
    stderr = guide_sim.stderr_path.read_text()
    assert f"PUT /1.0/me/task/domain/1000/argument/legitimacyAfnic 200 {query_id}" in stderr
    assert "mayor" not in stderr
    assert "demo-application-secret" not in stderr
    assert "demo-consumer-key" not in stderr


def test_quiet_silences_request_lines(start_sim):
    sim = start_sim(GUIDE_SCENARIO, "--quiet")
    assert signed_request(sim, "GET", "/me/task/domain").status_code == 200

    sim.stop()
    assert "/me/task/domain" not in sim.stderr_path.read_text()


def test_keep_alive_round_trips_fast(guide_sim):
    address = urlsplit(guide_sim.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    durations = []
    try:
        for _ in range(20):
            started = time.perf_counter()
            connection.request("GET", "/1.0/auth/time")
            response = connection.getresponse()
            body = response.read()
            durations.append(time.perf_counter() - started)
            assert response.status == 200
            assert response.getheader("Connection") is None
            assert int(body) > 0
        socket_after = connection.sock
    finally:
        connection.close()

    assert socket_after is not None
    # Nagle's algorithm with delayed ACKs would add about 40 ms per round trip.
    assert sorted(durations)[len(durations) // 2] < 0.02, durations


def test_query_id_on_every_response(guide_sim):
    responses = [
        guide_sim.http.get(guide_sim.url + "/auth/time"),
        guide_sim.http.get(guide_sim.url + "/me/task/domain"),
        guide_sim.http.get(guide_sim.url + "/no/such/route"),
        guide_sim.http.get(guide_sim.control + "/state"),
        signed_request(guide_sim, "GET", "/me/task/domain/999"),
        signed_request(guide_sim, "GET", "/me/task/domain", tamper=True),
    ]
    query_ids = [response.headers.get("X-Ovh-Queryid", "") for response in responses]

    for query_id in query_ids:
        assert QUERY_ID_PATTERN.fullmatch(query_id), query_id
    assert len(set(query_ids)) == len(query_ids)
    assert all(query_id.split(".")[3] == str(guide_sim.process.pid) for query_id in query_ids)


def test_auth_time_bare_integer(guide_sim):
    response = guide_sim.http.get(guide_sim.url + "/auth/time")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.text.isdigit()
    assert abs(int(response.text) - time.time()) < 5


def test_auth_time_includes_clock_offset(start_sim):
    document = load_guide()
    document["clock_offset"] = 3600
    sim = start_sim(document)

    server_time = int(sim.http.get(sim.url + "/auth/time").text)
    assert abs(server_time - (time.time() + 3600)) < 5


def test_auth_time_ignores_clock_advance(guide_sim):
    guide_sim.advance(86400)

    server_time = int(guide_sim.http.get(guide_sim.url + "/auth/time").text)
    assert abs(server_time - time.time()) < 5


def test_unknown_route_not_found(guide_sim):
    for path in ("/1.0/me/task/dns", "/1.0/me/task/domain/", "/2.0/me/task/domain", "/1.0"):
        response = signed_request(guide_sim, "GET", path.removeprefix("/1.0")) if path.startswith("/1.0") \
            else guide_sim.http.get(guide_sim.url.removesuffix("/1.0") + path)
        assert response.status_code == 404, path
        assert response.json() == {"class": "Client::NotFound", "message": "Got an invalid (or empty) URL"}


def test_wrong_method_not_allowed(guide_sim):
    response = signed_request(guide_sim, "DELETE", "/me/task/domain/1000")

    assert response.status_code == 405
    assert response.headers["Allow"] == "GET"
    assert response.json() == {"class": "Client::MethodNotAllowed", "message": "Method DELETE is not allowed on /me/task/domain/{id}"}


def test_void_answer_is_json_null(guide_sim):
    response = signed_request(guide_sim, "POST", "/me/task/domain/1000/relaunch")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.headers["Content-Length"] == "4"
    assert response.content == b"null"


def test_chunked_body_rejected(guide_sim):
    def chunks():
        yield b'{"value":"x"}'

    response = guide_sim.http.put(guide_sim.url + "/me/task/domain/1000/argument/legitimacyAfnic", data=chunks())

    assert response.status_code == 411
    assert "Content-Length" in response.json()["message"]


def test_process_survives_bad_requests(guide_sim):
    address = urlsplit(guide_sim.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        connection.putrequest("GET", "/1.0/auth/time")
        connection.putheader("Content-Length", "abc")
        connection.endheaders()
        assert connection.getresponse().status == 400
    finally:
        connection.close()

    assert guide_sim.http.get(guide_sim.url + "/auth/time").status_code == 200
    assert guide_sim.process.poll() is None
    assert os.path.exists(guide_sim.ready_file)


def test_malformed_request_answered_in_json(guide_sim):
    address = urlsplit(guide_sim.url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall(b"GET /1.0/auth/time HTTP/9.9\r\n\r\n")
        reply = b""
        while chunk := connection.recv(4096):
            reply += chunk

    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 505 ")
    assert QUERY_ID_PATTERN.search(head.decode("latin-1"))
    assert json.loads(body)["class"] == "Server::HTTPVersionNotSupported"


def test_unsupported_method_answered(guide_sim):
    response = guide_sim.http.head(guide_sim.url + "/me/task/domain")

    assert response.status_code == 501
    assert QUERY_ID_PATTERN.fullmatch(response.headers["X-Ovh-Queryid"])
    assert response.content == b""
