"""Helpers of the simulator tests: simulator processes, scenarios, signed HTTP and the schema checker.

The simulator always runs as a subprocess (``python -m ovhsim`` with
``PYTHONPATH=simulator``) and the tests talk HTTP to it. Only the unit tests of
the signing function and of the scenario loader import ``ovhsim`` directly.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
SIMULATOR_DIR = REPO_ROOT / "simulator"
GUIDE_SCENARIO = SIMULATOR_DIR / "scenarios" / "guide.yaml"
SCHEMA_PATH = REPO_ROOT.parent / "shared" / "reference" / "ovh-api-domain-tasks.schema.json"
SCHEMA_MISSING_REASON = f"reference schema not found at {SCHEMA_PATH} (expected in ../shared/reference beside the repository)"

if str(SIMULATOR_DIR) not in sys.path:
    sys.path.insert(0, str(SIMULATOR_DIR))

DEMO_APPLICATION_KEY = "demo-application-key"
DEMO_APPLICATION_SECRET = "demo-application-secret"
DEMO_CONSUMER_KEY = "demo-consumer-key"

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


# Checker for the native OVH schema types of the reference file's "models".

DATETIME_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([+-][0-9]{2}:[0-9]{2}|Z)")
UUID_PATTERN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


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

        self.operations = {}
        for api in document["apis"]:
            for operation in api["operations"]:
                self.operations[(operation["httpMethod"], api["path"])] = operation["responseType"]

    def response_type(self, method: str, path: str) -> str:
        """Return the schema's responseType of ``method path`` (``path`` relative to /1.0)."""
        parts = path.split("?")[0].split("/")
        for (operation_method, template), response_type in self.operations.items():
            template_parts = template.split("/")
            if operation_method != method or len(template_parts) != len(parts):
                continue
            if all(t.startswith("{") or t == p for t, p in zip(template_parts, parts)):
                return response_type
        raise KeyError(f"{method} {path} is not in the reference schema")

    def errors(self, type_name: str, value: Any, where: str = "value") -> list[str]:
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
        elif type_name == "string":
            ok = isinstance(value, str)
        elif type_name == "boolean":
            ok = isinstance(value, bool)
        elif type_name == "datetime":
            ok = isinstance(value, str) and DATETIME_PATTERN.fullmatch(value) is not None and _parses(value)
        elif type_name == "uuid":
            ok = isinstance(value, str) and UUID_PATTERN.fullmatch(value) is not None
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
        properties = model["properties"]
        found = [f"{where}.{key}: not a property of {type_name}" for key in value if key not in properties]
        for name, spec in properties.items():
            if name not in value:
                found.append(f"{where}.{name}: missing")
            elif value[name] is None:
                if not spec["canBeNull"]:
                    found.append(f"{where}.{name}: null, but {type_name}.{name} cannot be null")
            else:
                found += self.errors(spec["fullType"], value[name], f"{where}.{name}")
        return found

    def assert_valid(self, type_name: str, value: Any) -> None:
        found = self.errors(type_name, value)
        assert not found, f"{type_name} does not match the schema:\n" + "\n".join(found)

    def assert_response(self, method: str, path: str, value: Any) -> None:
        self.assert_valid(self.response_type(method, path), value)


def load_schema() -> SchemaChecker | None:
    """Return the checker of the reference schema, or None when the file is absent."""
    if not SCHEMA_PATH.is_file():
        return None
    return SchemaChecker(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def _parses(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


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
