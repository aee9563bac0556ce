"""Fixtures of the authentication tests: the simulator runs scenarios/auth.yaml,
and Ansible runs from an empty directory with an empty HOME, so that the
tests choose every ovh.conf the collection finds."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from auth_testlib import AUTH_SCENARIO


@pytest.fixture
def simulator(simulator_factory):
    """The simulator running the authentication scenario; ``ansible_env`` and ``run_module`` use it."""
    return simulator_factory(AUTH_SCENARIO)


@pytest.fixture
def bare_env(ansible_base_env) -> dict[str, str]:
    """Environment for Ansible without any OVH_* variable, with HOME an empty directory."""
    return dict(ansible_base_env)


@pytest.fixture
def home_dir(bare_env) -> Path:
    """The HOME of ``bare_env``, where a test may write ``.ovh.conf``."""
    return Path(bare_env["HOME"])


@pytest.fixture
def work_dir(tmp_path: Path) -> Path:
    """The directory to run Ansible from, where a test may write ``ovh.conf``.

    It is also where the ``run_playbook`` fixture writes its playbooks. That
    matters because Ansible runs a module on localhost in the playbook's
    directory, whatever the working directory of ansible-playbook, while the
    lookup runs in the latter. Both then find the same ``./ovh.conf``, as
    when a user keeps it next to the playbook they run.
    """
    path = tmp_path / "playbooks"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture
def closed_port_url() -> str:
    """URL of a port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/1.0"
