"""Fixtures of the tests that run the collection through the tools of the Ansible ecosystem.

- ``tool``: the path of a command installed next to the interpreter running
  the tests. The test is skipped when that environment lacks the command,
  because .venv-oldest has no ecosystem tools (tests/requirements-oldest.txt).
- ``collection_tarball`` and ``installed_collections``: the collection as
  ``ansible-galaxy collection build`` makes it, and that tarball installed
  with ``ansible-galaxy collection install`` into an empty collections path.
  Both are made once per test session.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from ecosystem_lib import REPO_ROOT, describe, find_tool, run_command


@pytest.fixture(scope="session")
def tool():
    """Return ``tool(name)``: the path of a command of this environment, or skip the test."""

    def get(name: str) -> str:
        path = find_tool(name)
        if path is None:
            pytest.skip(f"{name} is not installed next to {sys.executable} (scripts/setup --all installs it in .venv)")
        return path

    return get


@pytest.fixture(scope="session")
def collection_tarball(tool, tmp_path_factory, harness) -> Path:
    """The tarball that ``ansible-galaxy collection build`` makes from the work tree."""
    output_dir = tmp_path_factory.mktemp("galaxy-build")
    env = harness.ansible_env(output_dir / "ansible")
    completed = run_command(
        [tool("ansible-galaxy"), "collection", "build", "--output-path", str(output_dir), str(REPO_ROOT)], env=env
    )
    assert completed.returncode == 0, describe(completed)

    tarballs = sorted(output_dir.glob("ovhcloud-domain-*.tar.gz"))
    assert len(tarballs) == 1, f"expected one tarball in {output_dir}, found {tarballs}"
    return tarballs[0]


@pytest.fixture(scope="session")
def installed_collections(tool, tmp_path_factory, harness, collection_tarball) -> Path:
    """A collections path that holds only the installed tarball (``ansible_collections/ovhcloud/domain``)."""
    collections_path = tmp_path_factory.mktemp("galaxy-install")
    # Only the target path is configured: with the session's collections
    # path (a link to the work tree), ansible-galaxy would find
    # ovhcloud.domain already installed and skip the install.
    env = dict(
        harness.ansible_env(collections_path.parent / "galaxy-install-ansible"),
        ANSIBLE_COLLECTIONS_PATH=str(collections_path),
    )
    # The collection has no dependency, so the install needs no Galaxy server.
    completed = run_command(
        [tool("ansible-galaxy"), "collection", "install", "--offline", str(collection_tarball), "-p", str(collections_path)],
        env=env,
    )
    assert completed.returncode == 0, describe(completed)
    assert (collections_path / "ansible_collections" / "ovhcloud" / "domain" / "MANIFEST.json").is_file(), describe(completed)
    yield collections_path
    shutil.rmtree(collections_path, ignore_errors=True)
