"""The collection as users get it: the tarball of ``ansible-galaxy collection
build``, installed into an empty collections path, running the demo
playbook against the simulator."""

from __future__ import annotations

import json
import tarfile

import pytest
import yaml
from ecosystem_lib import REPO_ROOT, describe, run_command

# Paths of the work tree that must stay out of the tarball: the simulator and
# the tests that need it, local environments and generated files.
EXCLUDED_PREFIXES = (
    "simulator/",
    "scripts/",
    "benchmarks/",
    "tests/integration/",
    "tests/simulator/",
    "tests/ecosystem/",
    "tests/benchmarks/",
    "tests/output/",
    "docs/build/",
    "docs/build.sh",
    "docs/conf.py",
    "docs/rst/",
    "docs/temp-rst/",
    ".venv",
    ".build/",
    ".git/",
    ".ci/",
    ".pytest_cache/",
    "collections/",
)

REQUIRED_FILES = (
    "MANIFEST.json",
    "FILES.json",
    "README.md",
    "requirements.txt",
    "meta/runtime.yml",
    "meta/execution-environment.yml",
    "plugins/modules/domain_task_info.py",
    "plugins/modules/domain_task_argument.py",
    "plugins/modules/domain_task_action.py",
    "plugins/lookup/domain_tasks.py",
    "plugins/doc_fragments/auth.py",
    "roles/fix_and_relaunch/meta/argument_specs.yml",
    "roles/fix_and_relaunch/tasks/main.yml",
    "playbooks/fix_and_relaunch.yml",
    "playbooks/corrections.example.yml",
    "docs/docsite/extra-docs.yml",
    "awx/credential_type_ovhcloud.yml",
    "changelogs/config.yaml",
    "tests/config.yml",
)


@pytest.fixture(scope="module")
def members(collection_tarball) -> list[str]:
    with tarfile.open(collection_tarball) as archive:
        return [member.name for member in archive.getmembers()]


def test_tarball_has_collection_files(members):
    missing = [path for path in REQUIRED_FILES if path not in members]

    assert missing == []


@pytest.mark.parametrize("prefix", EXCLUDED_PREFIXES)
def test_tarball_excludes_local_files(members, prefix):
    assert [name for name in members if name.startswith(prefix) or name == prefix.rstrip("/")] == []


def test_tarball_excludes_bytecode_and_archives(members):
    unwanted = [name for name in members if "__pycache__" in name or name.endswith((".pyc", ".tar.gz", ".retry"))]

    assert unwanted == []


def test_tarball_excludes_root_conftest(members):
    # tests/conftest.py starts the simulator; ansible-test units would load it.
    assert "tests/conftest.py" not in members


def test_tarball_manifest_matches_galaxy_yml(collection_tarball):
    galaxy = yaml.safe_load((REPO_ROOT / "galaxy.yml").read_text(encoding="utf-8"))
    with tarfile.open(collection_tarball) as archive:
        manifest = json.load(archive.extractfile("MANIFEST.json"))

    info = manifest["collection_info"]
    assert (info["namespace"], info["name"], info["version"]) == (galaxy["namespace"], galaxy["name"], galaxy["version"])


def test_installed_collection_is_listed(tool, installed_collections, ansible_base_env):
    env = dict(ansible_base_env, ANSIBLE_COLLECTIONS_PATH=str(installed_collections))
    completed = run_command([tool("ansible-galaxy"), "collection", "list", "--format", "json", "ovhcloud.domain"], env=env)

    assert completed.returncode == 0, describe(completed)
    listing = json.loads(completed.stdout)
    install_dir = str(installed_collections / "ansible_collections")
    assert listing == {install_dir: {"ovhcloud.domain": {"version": yaml.safe_load((REPO_ROOT / "galaxy.yml").read_text())["version"]}}}


DEMO_PLAY = """
- name: Run the collection's own playbook by its name
  ansible.builtin.import_playbook: ovhcloud.domain.fix_and_relaunch
"""


@pytest.fixture(scope="module")
def installed_runs(installed_collections, harness, tmp_path_factory, request):
    """Two runs of the installed playbook ovhcloud.domain.fix_and_relaunch on one simulator."""
    directory = tmp_path_factory.mktemp("installed-playbook")
    simulator = harness.start_simulator(REPO_ROOT / "simulator" / "scenarios" / "guide.yaml", directory / "simulator")
    request.addfinalizer(simulator.stop)

    # Only the installed copy is on the collections path, and the playbook
    # runs from a directory outside the repository.
    env = dict(harness.ansible_env(directory / "ansible", simulator), ANSIBLE_COLLECTIONS_PATH=str(installed_collections))
    first = harness.run_playbook(DEMO_PLAY, env, work_dir=directory / "playbooks")
    state = simulator.state()
    second = harness.run_playbook(DEMO_PLAY, env, work_dir=directory / "playbooks")
    return first, state, second


def test_installed_playbook_relaunches_demo_task(installed_runs, installed_collections):
    first, state, _ = installed_runs

    assert first.rc == 0, first.describe()
    # The playbook loads the corrections file next to itself, so the task
    # name shows which copy of the playbook ran.
    corrections = installed_collections / "ansible_collections/ovhcloud/domain/playbooks/corrections.example.yml"
    assert f"Load the corrections from {corrections}" in [entry["task"] for entry in first.tasks]
    report = first.task("Publish the report as job artifacts")["ansible_stats"]["data"]["fix_and_relaunch_report"]
    assert [task["id"] for task in report["relaunched"]] == [1000]
    task = next(task for task in state["tasks"] if task["id"] == 1000)
    assert task["status"] in ("todo", "doing", "done")
    values = {argument["key"]: argument["value"] for argument in task["arguments"]}
    assert values["legitimacyAfnic"] == "I am the mayor of the city Example."


def test_installed_playbook_second_run_changes_nothing(installed_runs):
    _, _, second = installed_runs

    assert second.rc == 0, second.describe()
    assert second.recap()["changed"] == 0
