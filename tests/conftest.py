"""Fixtures shared by the unit, simulator and integration tests.

- ``repo_root`` and ``collections_path``: where the collection is, and a
  collections tree in which ``ansible_collections/ovhcloud/domain`` links to
  the work tree, so tests need neither an installed collection nor ``.build``.
- ``simulator_factory`` and ``simulator``: the OVHcloud API simulator
  (package ``ovhsim``) started as a subprocess on a free port of 127.0.0.1.
- ``ansible_env`` (``ansible_base_env`` without credentials),
  ``run_playbook`` and ``run_module``: the environment for Ansible commands,
  and runners for ``ansible-playbook`` and for one module in a one-task
  playbook, against that simulator.
- ``harness``: the same helpers for fixtures whose scope is wider than a test.
"""

from __future__ import annotations

import atexit
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCENARIO = REPO_ROOT / "simulator" / "scenarios" / "guide.yaml"
# The reference schema of the real API. When it is present, every simulator checks each of
# its responses against it, and a response that does not match fails the test session.
SCHEMA_PATH = REPO_ROOT.parent / "shared" / "reference" / "ovh-api-domain-tasks.schema.json"
# Schema violations found by every simulator stopped in this session.
SCHEMA_VIOLATIONS: list[dict] = []
CALLBACK_PLUGINS_DIR = REPO_ROOT / "tests" / "integration" / "callback_plugins"

# Credentials of the demo scenario. They are valid for the simulator only.
DEMO_CREDENTIALS = {
    "OVH_APPLICATION_KEY": "demo-application-key",
    "OVH_APPLICATION_SECRET": "demo-application-secret",
    "OVH_CONSUMER_KEY": "demo-consumer-key",
}

WRITE_METHODS = frozenset({"POST", "PUT", "DELETE"})

SIMULATOR_READY_TIMEOUT = 30.0
SIMULATOR_STOP_TIMEOUT = 10.0
CONTROL_TIMEOUT = 10.0
PLAYBOOK_TIMEOUT = 600.0


def _make_collections_tree(parent: Path) -> Path:
    """Create ``parent/ansible_collections/ovhcloud/domain`` as a link to the repository."""
    link = parent / "ansible_collections" / "ovhcloud" / "domain"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(REPO_ROOT, target_is_directory=True)
    return parent


# The tree is made when this file is imported, before pytest-ansible's
# pytest_configure reads ANSIBLE_COLLECTIONS_PATH (--ansible-unit-inject-only
# in pytest.ini), so unit tests can import ansible_collections.ovhcloud.domain.
_SESSION_COLLECTIONS = _make_collections_tree(Path(tempfile.mkdtemp(prefix="ovhcloud-domain-collections-")))
atexit.register(shutil.rmtree, _SESSION_COLLECTIONS, ignore_errors=True)
os.environ["ANSIBLE_COLLECTIONS_PATH"] = str(_SESSION_COLLECTIONS)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def collections_path() -> Path:
    """Collections path whose ``ansible_collections/ovhcloud/domain`` is the work tree."""
    return _SESSION_COLLECTIONS


# ---------------------------------------------------------------------------
# The simulator
# ---------------------------------------------------------------------------


class SimulatorError(RuntimeError):
    pass


@dataclass
class Simulator:
    """A running ``python -m ovhsim`` process and a client for its control routes."""

    process: subprocess.Popen
    url: str
    control: str
    scenario: Path
    log_path: Path
    _http: requests.Session = field(default_factory=requests.Session, repr=False)

    def __post_init__(self) -> None:
        # Proxy settings from the environment must not apply to 127.0.0.1.
        self._http.trust_env = False

    def _call(self, method: str, route: str, **kwargs: Any) -> Any:
        response = self._http.request(method, f"{self.control}{route}", timeout=CONTROL_TIMEOUT, **kwargs)
        if response.status_code >= 400:
            raise SimulatorError(
                f"{method} {self.control}{route} returned HTTP {response.status_code}: {response.text[:500]}"
            )
        if not response.content:
            return None
        return response.json()

    def requests(self) -> list[dict]:
        """Return the request log (``GET /_simulator/requests``), oldest first."""
        return self._call("GET", "/requests")

    def clear_requests(self) -> None:
        self._call("DELETE", "/requests")

    def writes(self) -> list[dict]:
        """Return the logged requests whose method is POST, PUT or DELETE."""
        return [entry for entry in self.requests() if entry["method"] in WRITE_METHODS]

    def state(self) -> dict:
        """Return ``GET /_simulator/state``: every task with its arguments, and ``now``."""
        return self._call("GET", "/state")

    def task(self, task_id: int) -> dict:
        """Return one task of the simulator state, in the API's own field names."""
        for task in self.state()["tasks"]:
            if task["id"] == task_id:
                return task
        raise KeyError(f"task {task_id} is not in the simulator state")

    def argument(self, task_id: int, key: str) -> dict:
        for argument in self.task(task_id).get("arguments") or []:
            if argument["key"] == key:
                return argument
        raise KeyError(f"task {task_id} has no argument {key!r} in the simulator state")

    def advance(self, seconds: float) -> None:
        """Move the simulated clock forward, so tasks progress without a real wait."""
        self._call("POST", "/clock", json={"advance": seconds})

    def reset(self) -> None:
        """Reload the scenario, clear the request log and reset the clock."""
        self._call("POST", "/reset")

    def log(self) -> str:
        """Return what the simulator printed (one line per request on stderr)."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def violations(self) -> list[dict]:
        """Return the responses that did not match the reference schema (empty without --schema)."""
        return self._call("GET", "/violations")

    def stop(self) -> None:
        if self.process.poll() is None and SCHEMA_PATH.is_file():
            try:
                SCHEMA_VIOLATIONS.extend(self.violations())
            except (SimulatorError, requests.RequestException):
                pass
        self._http.close()
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=SIMULATOR_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=SIMULATOR_STOP_TIMEOUT)


def _write_scenario(scenario: Path | str | dict, directory: Path) -> Path:
    """Return a scenario file path; a dict is written as YAML into ``directory``."""
    if isinstance(scenario, dict):
        path = directory / "scenario.yaml"
        path.write_text(yaml.safe_dump(scenario, sort_keys=False), encoding="utf-8")
        return path
    return Path(scenario)


def start_simulator(scenario: Path | str | dict, directory: Path) -> Simulator:
    """Start the simulator with ``scenario`` on a free port and wait until it is ready."""
    directory.mkdir(parents=True, exist_ok=True)
    scenario_path = _write_scenario(scenario, directory)
    if not scenario_path.is_file():
        raise SimulatorError(f"scenario file {scenario_path} not found")

    ready_file = directory / "ready.json"
    log_path = directory / "simulator.log"
    command = [
        sys.executable, "-m", "ovhsim",
        "--scenario", str(scenario_path),
        "--host", "127.0.0.1",
        "--port", "0",
        "--ready-file", str(ready_file),
    ]  # fmt: skip
    if SCHEMA_PATH.is_file():
        command += ["--schema", str(SCHEMA_PATH)]

    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
        )

    deadline = time.monotonic() + SIMULATOR_READY_TIMEOUT
    while not ready_file.exists():
        if process.poll() is not None:
            output = log_path.read_text(encoding="utf-8", errors="replace")
            raise SimulatorError(f"the simulator exited with code {process.returncode} before it was ready:\n{output}")
        if time.monotonic() > deadline:
            process.kill()
            process.wait()
            output = log_path.read_text(encoding="utf-8", errors="replace")
            raise SimulatorError(f"the simulator was not ready after {SIMULATOR_READY_TIMEOUT} s:\n{output}")
        time.sleep(0.05)

    # The simulator writes the ready file atomically, so one read is enough.
    ready = json.loads(ready_file.read_text(encoding="utf-8"))
    return Simulator(
        process=process, url=ready["url"], control=ready["control"], scenario=scenario_path, log_path=log_path
    )


@pytest.fixture
def simulator_factory(tmp_path: Path):
    """Return ``start(scenario=DEFAULT_SCENARIO)``, which starts a simulator for this test.

    ``scenario`` is a path or a dict in the scenario format (written as YAML).
    Every simulator started this way is stopped at teardown.
    """
    started: list[Simulator] = []

    def start(scenario: Path | str | dict = DEFAULT_SCENARIO) -> Simulator:
        instance = start_simulator(scenario, tmp_path / f"simulator-{len(started)}")
        started.append(instance)
        return instance

    yield start

    already_found = len(SCHEMA_VIOLATIONS)
    for instance in started:
        instance.stop()
    found = SCHEMA_VIOLATIONS[already_found:]
    assert found == [], "simulator responses that do not match the reference schema:\n" + "\n".join(map(str, found))


@pytest.fixture
def simulator(simulator_factory) -> Simulator:
    """The simulator running the demo scenario (simulator/scenarios/guide.yaml)."""
    return simulator_factory()


# ---------------------------------------------------------------------------
# Ansible
# ---------------------------------------------------------------------------


def _ansible_executable(name: str) -> str:
    """Return the path of an Ansible command from the interpreter running the tests."""
    candidate = Path(sys.executable).parent / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"{name} not found next to {sys.executable} or on PATH; run scripts/setup")
    return found


def build_ansible_env(collections_path: Path, directory: Path, simulator: Simulator | None = None) -> dict[str, str]:
    """Return the environment for Ansible commands, with temporary files under ``directory``.

    OVH_* and ANSIBLE_* variables of the calling shell are dropped, and HOME
    is an empty directory under ``directory``, so a developer's own settings
    (including ``~/.ovh.conf``) change no result. With ``simulator``, the
    OVH_* variables hold the demo credentials and the simulator's URL.
    """
    home = directory / "user-home"
    home.mkdir(parents=True, exist_ok=True)
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("OVH_", "ANSIBLE_")) and name.lower() not in ("http_proxy", "https_proxy", "all_proxy")
    }
    env.update(
        {
            "ANSIBLE_COLLECTIONS_PATH": str(collections_path),
            "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
            "HOME": str(home),
            "ANSIBLE_HOME": str(directory / "home"),
            "ANSIBLE_LOCAL_TEMP": str(directory / "local"),
            "ANSIBLE_REMOTE_TEMP": str(directory / "remote"),
            "ANSIBLE_NOCOLOR": "true",
            "ANSIBLE_FORCE_COLOR": "false",
            "ANSIBLE_RETRY_FILES_ENABLED": "false",
            "ANSIBLE_LOCALHOST_WARNING": "false",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
            # Modules run with the interpreter of the tests, which has requests and ovh.
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    if simulator is not None:
        env.update(OVH_ENDPOINT=simulator.url, **DEMO_CREDENTIALS)
    return env


@pytest.fixture
def ansible_base_env(collections_path: Path, tmp_path: Path) -> dict[str, str]:
    """Environment for Ansible commands without any OVH_* variable."""
    return build_ansible_env(collections_path, tmp_path / "ansible")


@pytest.fixture
def ansible_env(collections_path: Path, tmp_path: Path, simulator: Simulator) -> dict[str, str]:
    """Environment for Ansible commands, with the demo credentials pointing to ``simulator``."""
    return build_ansible_env(collections_path, tmp_path / "ansible", simulator)


@dataclass
class PlaybookResult:
    """Outcome of one ``ansible-playbook`` run.

    ``tasks`` has one entry per task and host, in order: ``host``, ``task``
    (name), ``action``, ``status`` (ok, failed, ignored, skipped, unreachable)
    and ``result`` (the registered result). ``stats`` is the play recap by
    host (ok, changed, failures, ...).
    """

    rc: int
    stdout: str
    stderr: str
    tasks: list[dict]
    stats: dict[str, dict]
    command: list[str]

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    @property
    def results(self) -> list[dict]:
        return [entry["result"] for entry in self.tasks]

    def entry(self, name: str, host: str = "localhost") -> dict:
        """Return the last entry (status and result) of the task called ``name`` on ``host``."""
        matches = [entry for entry in self.tasks if entry["task"] == name and entry["host"] == host]
        if not matches:
            known = sorted({entry["task"] for entry in self.tasks})
            raise KeyError(f"no result for task {name!r} on {host}; tasks run: {known}")
        return matches[-1]

    def task(self, name: str, host: str = "localhost") -> dict:
        """Return the result of the last run of the task called ``name`` on ``host``.

        Callbacks receive results without their ``failed`` key, so use
        ``entry(name)["status"]`` to tell a failure.
        """
        return self.entry(name, host)["result"]

    def recap(self, host: str = "localhost") -> dict:
        """Return the play recap counters of ``host`` (ok, changed, failures, ...)."""
        return self.stats[host]

    def describe(self) -> str:
        """Return the command and its output, for assertion messages."""
        return f"$ {' '.join(self.command)}\nrc={self.rc}\n--- stdout ---\n{self.stdout}\n--- stderr ---\n{self.stderr}"


# Numbers the files of each run, so runs that share a work_dir never overwrite each other's files.
_RUN_NUMBERS = itertools.count()


def run_playbook(
    path_or_text: Path | str,
    env: dict[str, str],
    check: bool = False,
    diff: bool = False,
    extra_vars: dict | None = None,
    *,
    work_dir: Path,
    extra_args: tuple[str, ...] = (),
    timeout: float = PLAYBOOK_TIMEOUT,
    cwd: Path | None = None,
) -> PlaybookResult:
    """Run ``ansible-playbook`` on a playbook file or on playbook YAML text.

    Text (anything with a newline, or not naming a file) is written to
    ``work_dir`` first. Task results and the recap are read back through
    the test callback plugin ``result_file``. ``cwd`` is the working
    directory of the run (``work_dir`` by default), where modules
    and plugins look for ``./ovh.conf``.
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    number = next(_RUN_NUMBERS)

    text = str(path_or_text)
    if isinstance(path_or_text, Path) or ("\n" not in text and Path(text).is_file()):
        playbook = Path(path_or_text)
    else:
        playbook = work_dir / f"playbook-{number}.yml"
        playbook.write_text(text, encoding="utf-8")

    result_file = work_dir / f"run-{number}.json"
    run_env = dict(env)
    run_env.update(
        {
            "ANSIBLE_CALLBACK_PLUGINS": str(CALLBACK_PLUGINS_DIR),
            "ANSIBLE_CALLBACKS_ENABLED": "result_file",
            "OVHCLOUD_DOMAIN_TEST_RESULT_FILE": str(result_file),
        }
    )

    command = [_ansible_executable("ansible-playbook"), str(playbook)]
    if check:
        command.append("--check")
    if diff:
        command.append("--diff")
    if extra_vars:
        command.extend(["--extra-vars", json.dumps(extra_vars)])
    command.extend(extra_args)

    completed = subprocess.run(
        command,
        cwd=cwd or work_dir,
        env=run_env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )

    document = {"tasks": [], "stats": {}}
    if result_file.exists():
        document = json.loads(result_file.read_text(encoding="utf-8"))

    return PlaybookResult(
        rc=completed.returncode,
        stdout=completed.stdout,
        stderr=completed.stderr,
        tasks=document["tasks"],
        stats=document["stats"],
        command=command,
    )


@pytest.fixture(name="run_playbook")
def fixture_run_playbook(tmp_path: Path):
    """Return ``run_playbook(path_or_text, env, check=False, diff=False, extra_vars=None)``."""
    work_dir = tmp_path / "playbooks"

    def run(path_or_text, env, check=False, diff=False, extra_vars=None, **kwargs) -> PlaybookResult:
        return run_playbook(path_or_text, env, check, diff, extra_vars, work_dir=work_dir, **kwargs)

    return run


MODULE_TASK_NAME = "module under test"


@dataclass
class ModuleResult:
    """Result of one module run through a one-task playbook."""

    result: dict
    status: str
    playbook: PlaybookResult

    @property
    def failed(self) -> bool:
        # The task runs with ignore_errors, so a failure has the status "ignored".
        return self.status in ("failed", "ignored")

    @property
    def changed(self) -> bool:
        return bool(self.result.get("changed"))

    @property
    def msg(self) -> str:
        return str(self.result.get("msg", ""))

    def __getitem__(self, key: str) -> Any:
        return self.result[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.result.get(key, default)


@pytest.fixture
def run_module(run_playbook, ansible_env):
    """Return ``run_module(name, args, check=False, diff=False, env=None, cwd=None)``.

    It runs the module ``name`` once on localhost in a one-task playbook with
    ``ignore_errors`` and returns its result, failed or not. ``env`` defaults
    to ``ansible_env`` (the demo credentials and the simulator).
    """

    def run(name: str, args: dict | None = None, check: bool = False, diff: bool = False, env=None,
            cwd: Path | None = None) -> ModuleResult:
        play = [
            {
                "name": f"Run {name}",
                "hosts": "localhost",
                "gather_facts": False,
                "tasks": [{"name": MODULE_TASK_NAME, name: args or {}, "ignore_errors": True}],
            }
        ]
        playbook = run_playbook(yaml.safe_dump(play, sort_keys=False), env or ansible_env, check=check, diff=diff,
                                cwd=cwd)
        try:
            entry = playbook.entry(MODULE_TASK_NAME)
        except KeyError:
            pytest.fail(f"{name} produced no task result\n{playbook.describe()}")
        return ModuleResult(result=entry["result"], status=entry["status"], playbook=playbook)

    return run


@dataclass(frozen=True)
class Harness:
    """The helpers behind the fixtures above, for fixtures whose scope is wider than one test.

    A module-scoped fixture can, for example, start one simulator and run a
    sequence of playbooks whose outcomes several tests then check.
    """

    collections_path: Path

    def start_simulator(self, scenario: Path | str | dict, directory: Path) -> Simulator:
        return start_simulator(scenario, directory)

    def ansible_env(self, directory: Path, simulator: Simulator | None = None) -> dict[str, str]:
        return build_ansible_env(self.collections_path, directory, simulator)

    def run_playbook(self, path_or_text, env, check=False, diff=False, extra_vars=None, **kwargs) -> PlaybookResult:
        return run_playbook(path_or_text, env, check, diff, extra_vars, **kwargs)


@pytest.fixture(scope="session")
def harness(collections_path: Path) -> Harness:
    return Harness(collections_path)


def pytest_sessionfinish(session, exitstatus):
    """Fail the session when a simulator sent a response that does not match the reference schema."""
    if SCHEMA_VIOLATIONS:
        lines = "\n".join(str(violation) for violation in SCHEMA_VIOLATIONS[:20])
        print(f"\n{len(SCHEMA_VIOLATIONS)} simulator responses do not match the reference schema:\n{lines}")
        session.exitstatus = 1
