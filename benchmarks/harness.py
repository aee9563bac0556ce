"""Processes behind the benchmark: the API simulator, measured commands and the Ansible environment.

The simulator (package ``ovhsim`` in ``simulator/``) runs as a subprocess on a
free port of 127.0.0.1 and is driven through its ``/_simulator`` control
routes. Each measured command runs in its own session, and ``os.wait4``
returns the peak resident set size of its whole process tree.
"""

from __future__ import annotations

import json
import os
import platform
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import requests

REPO_ROOT = Path(__file__).resolve().parent.parent
SIMULATOR_DIR = REPO_ROOT / "simulator"
MODULE_RSS_HOOK_DIR = Path(__file__).resolve().parent / "module_rss"

# Credentials of the generated scenarios. They are valid for the simulator only.
DEMO_CREDENTIALS = {
    "OVH_APPLICATION_KEY": "demo-application-key",
    "OVH_APPLICATION_SECRET": "demo-application-secret",
    "OVH_CONSUMER_KEY": "demo-consumer-key",
}

SIMULATOR_READY_TIMEOUT = 60.0
SIMULATOR_STOP_TIMEOUT = 10.0
CONTROL_TIMEOUT = 60.0


class BenchmarkError(RuntimeError):
    pass


def simulator_env() -> dict[str, str]:
    """Return the environment of the simulator processes, with ``simulator/`` on PYTHONPATH."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SIMULATOR_DIR), env.get("PYTHONPATH")]))
    return env


def generate_scenario(tasks: int, errors: int, path: Path, seed: int = 1) -> Path:
    """Write a scale scenario with ``python -m ovhsim.generate`` (JSON, which loads fastest)."""
    command = [sys.executable, "-m", "ovhsim.generate", "--tasks", str(tasks), "--errors", str(errors),
               "--seed", str(seed), "--out", str(path)]
    completed = subprocess.run(command, env=simulator_env(), capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise BenchmarkError(f"{' '.join(command)} failed with exit code {completed.returncode}:\n{completed.stderr}")
    return path


class Simulator:
    """A ``python -m ovhsim`` process and a client for its control routes."""

    def __init__(self, scenario: Path, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.scenario = scenario
        self.log_path = directory / "simulator.log"
        ready_file = directory / "ready.json"
        command = [sys.executable, "-m", "ovhsim", "--scenario", str(scenario), "--host", "127.0.0.1",
                   "--port", "0", "--ready-file", str(ready_file), "--quiet"]
        with self.log_path.open("wb") as log:
            # A session of its own, so Ctrl-C in the terminal reaches only the benchmark, which stops it.
            self.process = subprocess.Popen(command, env=simulator_env(), stdin=subprocess.DEVNULL, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        self._http = requests.Session()
        # Proxy variables of the environment must not apply to 127.0.0.1.
        self._http.trust_env = False

        deadline = time.monotonic() + SIMULATOR_READY_TIMEOUT
        while not ready_file.exists():
            if self.process.poll() is not None:
                raise BenchmarkError(f"the simulator exited with code {self.process.returncode} before it was "
                                     f"ready:\n{self.log()}")
            if time.monotonic() > deadline:
                self.stop()
                raise BenchmarkError(f"the simulator was not ready after {SIMULATOR_READY_TIMEOUT} s:\n{self.log()}")
            time.sleep(0.05)

        # The simulator writes the ready file atomically, so one read is enough.
        ready = json.loads(ready_file.read_text(encoding="utf-8"))
        self.url = ready["url"]
        self.control_url = ready["control"]

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def control(self, method: str, route: str, body: Any = None) -> Any:
        response = self._http.request(method, self.control_url + route, json=body, timeout=CONTROL_TIMEOUT)
        if response.status_code >= 400:
            raise BenchmarkError(f"{method} /_simulator{route} returned HTTP {response.status_code}: "
                                 f"{response.text[:500]}")
        return response.json() if response.content else None

    def prepare(self, latency_seconds: float, bulk_listing: bool) -> None:
        """Reload the scenario, set the latency and bulk listing, and check that both took effect.

        A reset also clears the request log and the counters.
        """
        self.control("POST", "/reset")
        self.control("POST", "/latency", {"seconds": latency_seconds})
        self.control("POST", "/pagination", {"enabled": bulk_listing})

        latency = self.control("GET", "/latency")
        pagination = self.control("GET", "/pagination")
        if abs(latency["seconds"] - latency_seconds) > 1e-9 or pagination["enabled"] is not bulk_listing:
            raise BenchmarkError(f"the simulator did not take the settings: latency {latency}, "
                                 f"pagination {pagination}")

    def stats(self) -> dict:
        return self.control("GET", "/stats")

    def tasks(self) -> list[dict]:
        return self.control("GET", "/state")["tasks"]

    def stop(self) -> None:
        self._http.close()
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=SIMULATOR_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=SIMULATOR_STOP_TIMEOUT)


@dataclass
class Measurement:
    """One finished command: exit code, wall time, and peak RSS of its process tree."""

    returncode: int
    wall_seconds: float
    tree_max_rss_kb: int
    stdout_path: Path
    stderr_path: Path
    timed_out: bool

    def output_tail(self, lines: int = 40) -> str:
        text = ""
        for path in (self.stdout_path, self.stderr_path):
            text += path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def run_measured(command: list[str], env: dict[str, str], cwd: Path, output_prefix: Path,
                 timeout: float) -> Measurement:
    """Run ``command`` until it exits or ``timeout`` seconds pass, and measure it.

    ``os.wait4`` returns the peak RSS of the process and of every descendant
    it waited for (Linux keeps the maximum over the tree). The wall time runs
    from the start of the process to its exit. The command runs in a session
    of its own, so an interrupt (Ctrl-C) reaches only the benchmark, which
    then kills the command's process group before raising again.
    """
    stdout_path = output_prefix.with_suffix(".stdout")
    stderr_path = output_prefix.with_suffix(".stderr")
    timed_out = threading.Event()

    with stdout_path.open("wb") as stdout, stderr_path.open("wb") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=stdout,
                                   stderr=stderr, start_new_session=True)

        def kill_after_timeout() -> None:
            timed_out.set()
            _kill_group(process)

        timer = threading.Timer(timeout, kill_after_timeout)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:
            _kill_group(process)
            os.waitpid(process.pid, 0)
            process.returncode = -signal.SIGKILL
            raise
        finally:
            timer.cancel()
        wall = time.perf_counter() - started

    # Popen did not reap the process itself, so give it the exit code to keep its state consistent.
    process.returncode = os.waitstatus_to_exitcode(status)
    return Measurement(returncode=process.returncode, wall_seconds=wall, tree_max_rss_kb=usage.ru_maxrss,
                       stdout_path=stdout_path, stderr_path=stderr_path, timed_out=timed_out.is_set())


def _kill_group(process: subprocess.Popen) -> None:
    """Kill the command and every process it started.

    Ansible starts each module in a session of its own, so killing the
    command's process group is not enough: the descendants are found through
    their parent ids first, then killed.
    """
    descendants = _descendants(process.pid)
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    for pid in descendants:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _descendants(root: int) -> list[int]:
    """Return the ids of the processes below ``root``, read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        # The command name in brackets may contain spaces, so split after its closing bracket.
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))

    found = []
    pending = [root]
    while pending:
        for child in children.get(pending.pop(), []):
            found.append(child)
            pending.append(child)
    return found


def ansible_env(work_dir: Path, collections_path: Path, simulator: Simulator, module_log: Path) -> dict[str, str]:
    """Return the environment of the Ansible commands, pointing at ``simulator``.

    OVH_* and ANSIBLE_* variables of the calling shell are dropped and HOME is
    an empty directory, so a developer's own settings (``~/.ovh.conf``,
    ``ansible.cfg``) do not change the numbers. Modules run with the
    benchmark's own interpreter. ``module_log`` receives one line per module
    run (see ``module_rss/sitecustomize.py``).
    """
    home = work_dir / "user-home"
    home.mkdir(parents=True, exist_ok=True)
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("OVH_", "ANSIBLE_", "PYTHON"))
        and name.lower() not in ("http_proxy", "https_proxy", "all_proxy")
    }
    env.update({
        "HOME": str(home),
        "ANSIBLE_HOME": str(work_dir / "ansible-home"),
        "ANSIBLE_LOCAL_TEMP": str(work_dir / "ansible-local"),
        "ANSIBLE_REMOTE_TEMP": str(work_dir / "ansible-remote"),
        "ANSIBLE_COLLECTIONS_PATH": str(collections_path),
        "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "ANSIBLE_NOCOLOR": "true",
        "ANSIBLE_RETRY_FILES_ENABLED": "false",
        "ANSIBLE_LOCALHOST_WARNING": "false",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        "PYTHONPATH": str(MODULE_RSS_HOOK_DIR),
        "OVHCLOUD_DOMAIN_BENCH_MODULE_LOG": str(module_log),
        "OVH_ENDPOINT": simulator.url,
        **DEMO_CREDENTIALS,
    })
    return env


def python_ovh_env(simulator: Simulator) -> dict[str, str]:
    """Return the environment of the python-ovh scripts: the demo credentials, no proxy, no OVH_* of the shell."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("OVH_", "PYTHON"))}
    env.update({"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost", **DEMO_CREDENTIALS})
    return env


def make_collections_tree(parent: Path) -> Path:
    """Create ``parent/ansible_collections/ovhcloud/domain`` as a link to the work tree and return ``parent``."""
    link = parent / "ansible_collections" / "ovhcloud" / "domain"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(REPO_ROOT, target_is_directory=True)
    return parent


def read_module_log(path: Path) -> list[dict]:
    """Return the module runs recorded by the RSS hook, oldest first."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def machine_info() -> dict:
    """Describe the machine and the software versions the numbers come from."""
    cpu_model = None
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass

    memory_kb = None
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
                break
    except OSError:
        pass

    versions = {}
    for package in ("ansible-core", "ovh", "requests", "PyYAML", "matplotlib"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None

    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_model": cpu_model,
        "memory_total_mib": memory_kb // 1024 if memory_kb else None,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "packages": versions,
    }
