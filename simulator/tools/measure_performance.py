"""Measure the simulator's round trips, listing times and concurrent clients on a generated 5,000-task scenario.

Run from the repository root (needs PyYAML and requests):

    PYTHONPATH=simulator python simulator/tools/measure_performance.py

It starts its own simulator on a free 127.0.0.1 port, prints one line per
measurement and stops the simulator. The numbers depend on the machine.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

SIMULATOR_DIR = Path(__file__).resolve().parents[1]
APPLICATION_KEY = "demo-application-key"
APPLICATION_SECRET = "demo-application-secret"
CONSUMER_KEY = "demo-consumer-key"
FIRST_ID = 100000
TASKS = 5000


def signature(method: str, url: str, body: str, timestamp: str) -> str:
    text = "+".join([APPLICATION_SECRET, CONSUMER_KEY, method, url, body, timestamp])
    return "$1$" + hashlib.sha1(text.encode("utf-8")).hexdigest()


def signed_headers(method: str, url: str) -> dict[str, str]:
    timestamp = str(int(time.time()))
    return {
        "X-Ovh-Application": APPLICATION_KEY,
        "X-Ovh-Consumer": CONSUMER_KEY,
        "X-Ovh-Timestamp": timestamp,
        "X-Ovh-Signature": signature(method, url, "", timestamp),
    }


def summary(label: str, durations: list[float]) -> None:
    milliseconds = [value * 1000 for value in durations]
    print(f"{label}: mean {statistics.mean(milliseconds):.2f} ms, median {statistics.median(milliseconds):.2f} ms, "
          f"max {max(milliseconds):.2f} ms ({len(milliseconds)} requests)")


def sequential_http_client(base: str, count: int = 200) -> list[float]:
    """Time ``count`` keep-alive GETs of single tasks on one http.client connection."""
    host, port = base.split("//")[1].split(":")
    connection = http.client.HTTPConnection(host, int(port))
    durations = []
    for index in range(count + 1):
        path = f"/1.0/me/task/domain/{FIRST_ID + index * 7 % TASKS}"
        headers = signed_headers("GET", base + path)
        started = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path}: status {response.status}")
        # The first request opens the connection, so it is left out.
        if index:
            durations.append(time.perf_counter() - started)
    connection.close()
    return durations


def sequential_requests(session: requests.Session, api: str, count: int = 200) -> list[float]:
    durations = []
    for index in range(count + 1):
        url = f"{api}/me/task/domain/{FIRST_ID + index * 7 % TASKS}"
        started = time.perf_counter()
        response = session.get(url, headers=signed_headers("GET", url), timeout=30)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url}: status {response.status_code}")
        if index:
            durations.append(time.perf_counter() - started)
    return durations


def concurrent_clients(api: str, clients: int = 20, calls: int = 50) -> tuple[float, list[float], int]:
    durations: list[float] = []
    failures = []
    lock = threading.Lock()

    def run(number: int) -> None:
        with requests.Session() as session:
            session.trust_env = False
            for call in range(calls):
                url = f"{api}/me/task/domain/{FIRST_ID + (number * calls + call) % TASKS}"
                started = time.perf_counter()
                try:
                    status = session.get(url, headers=signed_headers("GET", url), timeout=30).status_code
                except requests.RequestException as error:
                    status = repr(error)
                with lock:
                    durations.append(time.perf_counter() - started)
                    if status != 200:
                        failures.append(status)

    started = time.perf_counter()
    threads = [threading.Thread(target=run, args=(number,)) for number in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, durations, len(failures)


def main() -> int:
    environment = dict(os.environ, PYTHONPATH=str(SIMULATOR_DIR))
    with tempfile.TemporaryDirectory() as directory:
        scenario = Path(directory) / "scale.json"
        ready_file = Path(directory) / "ready.json"
        subprocess.run([sys.executable, "-m", "ovhsim.generate", "--tasks", str(TASKS), "--errors", "1000",
                        "--out", str(scenario)], env=environment, check=True)

        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "ovhsim", "--scenario", str(scenario), "--port", "0",
                                    "--ready-file", str(ready_file), "--quiet"], env=environment,
                                   stdout=subprocess.DEVNULL)
        try:
            while not ready_file.exists():
                if process.poll() is not None or time.perf_counter() - started > 60:
                    raise RuntimeError("the simulator did not start")
                time.sleep(0.01)
            print(f"start with {TASKS} tasks (JSON scenario): {time.perf_counter() - started:.2f} s")
            ready = json.loads(ready_file.read_text(encoding="utf-8"))
            api, control = ready["url"], ready["control"]
            base = api.rsplit("/", 1)[0]

            session = requests.Session()
            session.trust_env = False
            for latency in (0.0, 0.025):
                session.post(control + "/latency", json={"seconds": latency}, timeout=10).raise_for_status()
                label = f"latency {latency * 1000:.0f} ms"
                summary(f"{label}, sequential keep-alive GET /me/task/domain/{{id}}, http.client", sequential_http_client(base))
                summary(f"{label}, sequential keep-alive GET /me/task/domain/{{id}}, requests", sequential_requests(session, api))

            session.post(control + "/latency", json={"seconds": 0}, timeout=10).raise_for_status()
            for label, path, headers in (
                ("list of ids", "/me/task/domain", {}),
                ("list of ids, status=error", "/me/task/domain?status=error", {}),
                ("bulk page of 5000 objects", "/me/task/domain",
                 {"X-Pagination-Mode": "CachedObjectList-Pages", "X-Pagination-Size": "5000"}),
                ("bulk page of 100 objects", "/me/task/domain",
                 {"X-Pagination-Mode": "CachedObjectList-Pages", "X-Pagination-Size": "100", "X-Pagination-Number": "3"}),
            ):
                durations = []
                for _ in range(10):
                    url = api + path
                    begun = time.perf_counter()
                    response = session.get(url, headers={**signed_headers("GET", url), **headers}, timeout=30)
                    durations.append(time.perf_counter() - begun)
                    response.raise_for_status()
                summary(f"{label} ({len(response.json())} items, {len(response.content)} bytes)", durations)

            session.post(control + "/latency", json={"seconds": 0.025}, timeout=10).raise_for_status()
            wall, durations, failures = concurrent_clients(api)
            summary(f"latency 25 ms, 20 concurrent keep-alive clients x 50 GETs, wall {wall:.2f} s, "
                    f"{failures} failures", durations)
            session.close()
        finally:
            process.terminate()
            process.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
