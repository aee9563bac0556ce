"""Helpers of the simulator tests: simulator processes, scenarios, signed HTTP and the schema checker.

The simulator always runs as a subprocess (``python -m ovhsim`` with
``PYTHONPATH=simulator``) and the tests talk HTTP to it. Only the schema
checker (``ovhsim.schema_check``) and the unit tests of the signing function
and of the scenario loader import ``ovhsim`` directly.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
SIMULATOR_DIR = REPO_ROOT / "simulator"
GUIDE_SCENARIO = SIMULATOR_DIR / "scenarios" / "guide.yaml"
KINDS_SCENARIO = SIMULATOR_DIR / "scenarios" / "kinds.yaml"
SCHEMA_PATH = REPO_ROOT.parent / "shared" / "reference" / "ovh-api-domain-tasks.schema.json"
SCHEMA_MISSING_REASON = f"reference schema not found at {SCHEMA_PATH} (expected in ../shared/reference beside the repository)"

if str(SIMULATOR_DIR) not in sys.path:
    sys.path.insert(0, str(SIMULATOR_DIR))

# DATETIME_PATTERN and UUID_PATTERN are imported for the test modules.
from ovhsim.schema_check import DATETIME_PATTERN, UUID_PATTERN, SchemaChecker  # noqa: E402, F401

DEMO_APPLICATION_KEY = "demo-application-key"
DEMO_APPLICATION_SECRET = "demo-application-secret"
DEMO_CONSUMER_KEY = "demo-consumer-key"
# OAuth2 client of the kinds scenario (and of the demo scenario) with every right.
DEMO_CLIENT_ID = "demo-client-id"
DEMO_CLIENT_SECRET = "demo-client-secret"

# Extra credentials of the edge scenario, all under this application.
TEST_APPLICATION_KEY = "test-application-key"
TEST_APPLICATION_SECRET = "test-application-secret"
READ_ONLY_CONSUMER_KEY = "test-read-only-consumer-key"
SUBTREE_ONLY_CONSUMER_KEY = "test-subtree-only-consumer-key"
EXPIRED_CONSUMER_KEY = "test-expired-consumer-key"
REFUSED_CONSUMER_KEY = "test-refused-consumer-key"

QUERY_ID_PATTERN = re.compile(r"EU\.ext-sim\.[0-9a-f]{8}\.[0-9]+\.[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}")

START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0


@dataclass
class SimulatorProcess:
    """A running ``python -m ovhsim`` and a client for its control routes."""

    process: subprocess.Popen
    url: str
    control: str
    ready_file: Path
    scenario: Path
    stdout_path: Path
    stderr_path: Path
    http: requests.Session = field(default_factory=requests.Session, repr=False)

    def __post_init__(self) -> None:
        # Proxy variables of the environment must not apply to 127.0.0.1.
        self.http.trust_env = False

    def control_call(self, method: str, route: str, expected_status: int = 200, **kwargs: Any) -> Any:
        response = self.http.request(method, self.control + route, timeout=10, **kwargs)
        assert response.status_code == expected_status, f"{method} {route}: {response.status_code} {response.text}"
        return response.json()

    def state(self) -> dict:
        return self.control_call("GET", "/state")

    def task(self, task_id: int) -> dict:
        for task in self.state()["tasks"]:
            if task["id"] == task_id:
                return task
        raise KeyError(f"task {task_id} is not in the simulator state")

    def requests_log(self) -> list[dict]:
        return self.control_call("GET", "/requests")

    def advance(self, seconds: float) -> dict:
        return self.control_call("POST", "/clock", json={"advance": seconds})

    @property
    def token_url(self) -> str:
        """The OAuth2 token route, at the host root beside /1.0."""
        return self.url.removesuffix("/1.0") + "/auth/oauth2/token"

    def violations(self) -> list[dict]:
        """Return the responses that did not match the schema (empty when started without --schema)."""
        return self.control_call("GET", "/violations")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        """Stop the process with ``sig`` and return its exit code."""
        self.http.close()
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_TIMEOUT)
        return self.process.returncode


def simulator_command(scenario: Path, ready_file: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "ovhsim", "--scenario", str(scenario), "--port", "0",
            "--ready-file", str(ready_file), *extra]


def simulator_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SIMULATOR_DIR), env.get("PYTHONPATH")]))
    return env


def start_simulator(scenario: Path, directory: Path, *extra: str) -> SimulatorProcess:
    """Start the simulator and wait for its ready file."""
    directory.mkdir(parents=True, exist_ok=True)
    ready_file = directory / "ready.json"
    stdout_path = directory / "stdout.txt"
    stderr_path = directory / "stderr.txt"
    with stdout_path.open("wb") as stdout, stderr_path.open("wb") as stderr:
        process = subprocess.Popen(simulator_command(scenario, ready_file, *extra), env=simulator_env(),
                                   stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr)

    deadline = time.monotonic() + START_TIMEOUT
    while not ready_file.exists():
        if process.poll() is not None:
            pytest.fail(f"simulator exited with code {process.returncode}: {stderr_path.read_text()}")
        if time.monotonic() > deadline:
            process.kill()
            process.wait()
            pytest.fail(f"simulator not ready after {START_TIMEOUT} s: {stderr_path.read_text()}")
        time.sleep(0.02)

    ready = json.loads(ready_file.read_text(encoding="utf-8"))
    return SimulatorProcess(process=process, url=ready["url"], control=ready["control"], ready_file=ready_file,
                            scenario=scenario, stdout_path=stdout_path, stderr_path=stderr_path)


def load_guide() -> dict:
    return yaml.safe_load(GUIDE_SCENARIO.read_text(encoding="utf-8"))


def edge_scenario() -> dict:
    """Return the demo scenario plus credentials and tasks for the edge cases.

    Phases last 30 s here, so each clock advance lands in a known phase even
    on a slow machine.
    """
    scenario = load_guide()
    scenario["timing"] = {"todo_seconds": 30, "doing_seconds": 30}
    scenario["credentials"].append({
        "application_key": TEST_APPLICATION_KEY,
        "application_secret": TEST_APPLICATION_SECRET,
        "consumer_keys": [
            {"consumer_key": READ_ONLY_CONSUMER_KEY,
             "rules": [{"method": "GET", "path": "/me/task/domain"}, {"method": "GET", "path": "/me/task/domain/*"}]},
            {"consumer_key": SUBTREE_ONLY_CONSUMER_KEY, "rules": [{"method": "GET", "path": "/me/task/domain/*"}]},
            {"consumer_key": EXPIRED_CONSUMER_KEY, "state": "expired"},
            {"consumer_key": REFUSED_CONSUMER_KEY, "state": "refused"},
        ],
    })
    scenario["tasks"].extend([
        {
            "id": 2000, "function": "DomainContactUpdate", "domain": "example.be", "status": "error",
            "comment": "The registry rejected the owner's identification number",
            "creationDate": "2022-02-01T10:00:00+01:00", "canRelaunch": True, "canCancel": True,
            "arguments": [
                {"key": "nicowner", "type": "/me/contact", "value": "1104", "readOnly": True,
                 "fields": ["organisationName"]},
                {"key": "identificationNumber", "type": "string", "minimumSize": 5, "maximumSize": 20,
                 "description": "Company registration number of the owner",
                 "simulation": {"accept_pattern": "[0-9]{5,20}"}},
                {"key": "language", "type": "string", "acceptedValues": ["fr_FR", "en_GB"], "value": "fr_FR"},
                {"key": "identityEvidence", "type": "/me/document", "acceptedFormats": ["jpg", "jpeg"],
                 "maximumSize": 1024000, "minimumSize": 100},
            ],
            "simulation": {"error_comment": "The identification number is still invalid"},
        },
        {
            "id": 2001, "function": "DomainRenew", "domain": None, "status": "done", "type": "alldom",
            "creationDate": "2022-02-02T10:00:00+01:00", "doneDate": "2022-02-02T10:05:00+01:00",
            "arguments": [{"key": "duration", "value": "P1Y"}],
        },
    ])
    return scenario


def write_scenario(document: dict, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path





# Signed requests without the ovh package, to control every header.

def sign(secret: str, consumer_key: str, method: str, url: str, body: str, timestamp: str) -> str:
    text = "+".join([secret, consumer_key, method, url, body, timestamp])
    return "$1$" + hashlib.sha1(text.encode("utf-8")).hexdigest()


def signed_request(sim: SimulatorProcess, method: str, path: str, body: Any = None, *,
                   application_key: str = DEMO_APPLICATION_KEY, secret: str = DEMO_APPLICATION_SECRET,
                   consumer_key: str = DEMO_CONSUMER_KEY, timestamp: int | None = None,
                   tamper: bool = False) -> requests.Response:
    """Send one signed request; ``path`` is relative to ``/1.0`` and may hold a query string."""
    url = sim.url + path
    text = "" if body is None else json.dumps(body, separators=(",", ":"))
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = sign(secret, consumer_key, method, url, text, stamp)
    if tamper:
        signature = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    headers = {
        "X-Ovh-Application": application_key,
        "X-Ovh-Consumer": consumer_key,
        "X-Ovh-Timestamp": stamp,
        "X-Ovh-Signature": signature,
    }
    if body is not None:
        headers["Content-Type"] = "application/json"
    return sim.http.request(method, url, data=text.encode("utf-8") if text else None, headers=headers, timeout=10)


# The checker of the native OVH schema lives in the simulator (ovhsim.schema_check),
# which validates its own responses with it when started with --schema.

def load_schema() -> SchemaChecker | None:
    """Return the checker of the reference schema, or None when the file is absent."""
    if not SCHEMA_PATH.is_file():
        return None
    return SchemaChecker.from_file(SCHEMA_PATH)


class CheckedClient:
    """An ``ovh.Client`` whose every successful response is checked against the reference schema.

    Without the reference file the responses go unchecked, and
    ``test_reference_schema_present`` reports the skip.
    """

    def __init__(self, client: Any, checker: SchemaChecker | None):
        self.client = client
        self.checker = checker

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        result = getattr(self.client, method.lower())(path, **kwargs)
        if self.checker is not None:
            self.checker.assert_response(method, path, result)
        return result

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.call("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Any:
        return self.call("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.call("DELETE", path, **kwargs)
