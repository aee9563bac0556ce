"""meta/execution-environment.yml: what ansible-builder installs into an
execution environment for this collection."""

from __future__ import annotations

import re

import pytest
import yaml
from ecosystem_lib import REPO_ROOT, describe, run_command

# Test-only packages that must never reach an execution environment.
TEST_ONLY_PACKAGES = {"pytest", "pytest-ansible", "pytest-xdist", "hypothesis", "ovh", "jsonschema", "ansible-core"}


def requirement_names(text: str) -> set[str]:
    names = set()
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.add(re.split(r"[<>=!~;\[ ]", line, maxsplit=1)[0].lower())
    return names


def test_ee_file_points_at_requirements():
    definition = yaml.safe_load((REPO_ROOT / "meta" / "execution-environment.yml").read_text(encoding="utf-8"))

    assert definition["version"] == 1
    assert definition["dependencies"] == {"python": "requirements.txt"}


def test_requirements_are_runtime_only():
    names = requirement_names((REPO_ROOT / "requirements.txt").read_text(encoding="utf-8"))

    assert names == {"requests", "requests-oauthlib"}
    assert names.isdisjoint(TEST_ONLY_PACKAGES)


@pytest.fixture(scope="module")
def introspection(tool, installed_collections) -> dict:
    """``ansible-builder introspect`` on the installed collection."""
    completed = run_command([tool("ansible-builder"), "introspect", "--sanitize", str(installed_collections)])
    assert completed.returncode == 0, describe(completed)
    return yaml.safe_load(completed.stdout)


def test_introspect_finds_python_requirements(introspection):
    python = introspection["python"]
    names = {re.split(r"[<>=!~ ]", line, maxsplit=1)[0].lower() for line in python}

    assert names == {"requests", "requests-oauthlib"}
    assert all("ovhcloud.domain" in line for line in python), python


def test_introspect_finds_no_system_requirements(introspection):
    assert not introspection.get("system")
