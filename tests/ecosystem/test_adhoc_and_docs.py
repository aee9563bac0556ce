"""The collection used from the command line: an ad-hoc ``ansible`` command
as the README shows it, and ``ansible-doc`` for every module, the lookup
plugin and the role."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ecosystem_lib import describe, run_command

REPO_ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted(path.stem for path in (REPO_ROOT / "plugins" / "modules").glob("*.py") if path.stem != "__init__")
ADHOC_COMMAND = "ansible localhost -m ovhcloud.domain.domain_task_info -a 'status=error'"


def parse_adhoc_result(output: str) -> tuple[str, dict]:
    """Return the status word and the JSON result of ``localhost | STATUS => {...}``."""
    match = re.search(r"^localhost \| (\w+)(?: \| \w+=\d+)? => (\{.*\})\s*$", output, re.MULTILINE | re.DOTALL)
    assert match, f"no 'localhost | STATUS => {{...}}' result in the output:\n{output}"
    return match.group(1), json.loads(match.group(2))


def test_readme_shows_adhoc_command():
    assert ADHOC_COMMAND in (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def test_adhoc_info_lists_tasks_in_error(tool, ansible_env, simulator):
    # The README's command, with the OVH_* variables that ansible_env sets.
    command = [tool("ansible"), "localhost", "-m", "ovhcloud.domain.domain_task_info", "-a", "status=error"]
    completed = run_command(command, env=ansible_env)

    assert completed.returncode == 0, describe(completed)
    status, result = parse_adhoc_result(completed.stdout)
    assert status == "SUCCESS"
    assert result["changed"] is False
    assert sorted(task["id"] for task in result["tasks"]) == [1000, 1001, 1002]
    assert {task["status"] for task in result["tasks"]} == {"error"}


def test_adhoc_reports_missing_credentials(tool, ansible_base_env):
    command = [tool("ansible"), "localhost", "-m", "ovhcloud.domain.domain_task_info", "-a", "status=error"]
    completed = run_command(command, env=ansible_base_env)

    assert completed.returncode != 0, describe(completed)
    assert "OVH_ENDPOINT" in completed.stdout + completed.stderr


@pytest.mark.parametrize("module", MODULES)
def test_ansible_doc_renders_module(tool, ansible_base_env, module):
    completed = run_command([tool("ansible-doc"), f"ovhcloud.domain.{module}"], env=ansible_base_env)

    assert completed.returncode == 0, describe(completed)
    assert f"ovhcloud.domain.{module}" in completed.stdout
    assert "EXAMPLES" in completed.stdout
    assert "RETURN VALUES" in completed.stdout
    assert "[WARNING]" not in completed.stderr, describe(completed)


@pytest.mark.parametrize("module", MODULES)
def test_ansible_doc_json_has_connection_options(tool, ansible_base_env, module):
    completed = run_command([tool("ansible-doc"), "--json", f"ovhcloud.domain.{module}"], env=ansible_base_env)

    assert completed.returncode == 0, describe(completed)
    doc = json.loads(completed.stdout)[f"ovhcloud.domain.{module}"]["doc"]
    for option in ("endpoint", "application_key", "application_secret", "consumer_key", "client_id", "client_secret"):
        assert option in doc["options"], f"{module} does not document {option}"
    assert doc["attributes"]["action_group"]["membership"] == ["ovhcloud.domain.all"]


def test_ansible_doc_renders_lookup(tool, ansible_base_env):
    completed = run_command([tool("ansible-doc"), "-t", "lookup", "ovhcloud.domain.domain_tasks"], env=ansible_base_env)

    assert completed.returncode == 0, describe(completed)
    assert "ovhcloud.domain.domain_tasks" in completed.stdout
    assert "[WARNING]" not in completed.stderr, describe(completed)


def test_ansible_doc_renders_role(tool, ansible_base_env):
    completed = run_command([tool("ansible-doc"), "-t", "role", "ovhcloud.domain.fix_and_relaunch"], env=ansible_base_env)

    assert completed.returncode == 0, describe(completed)
    assert "fix_and_relaunch_corrections" in completed.stdout
    assert "[WARNING]" not in completed.stderr, describe(completed)


def test_ansible_doc_lists_every_module(tool, ansible_base_env):
    completed = run_command([tool("ansible-doc"), "--list", "--json", "ovhcloud.domain"], env=ansible_base_env)

    assert completed.returncode == 0, describe(completed)
    assert sorted(json.loads(completed.stdout)) == [f"ovhcloud.domain.{module}" for module in MODULES]
