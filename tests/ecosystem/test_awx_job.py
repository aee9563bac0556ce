"""The fix-and-relaunch job run the way AWX runs a job template.

AWX prepares a private data directory (the project checkout under
``project/``, ``inventory/``, ``env/extravars`` and ``env/envvars``, where the
credential's injectors put their environment variables), installs the
project's collections into a directory of its own, and runs
``ansible-runner`` on it. It then reads the job's events: the
``playbook_on_stats`` event gives the host counters and, in
``artifact_data``, what ``set_stats`` published, which AWX shows as the job's
artifacts. This test does the same against the simulator, with the
environment rendered from awx/credential_type_ovhcloud.yml.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import jinja2.sandbox
import pytest
import yaml
from ecosystem_lib import REPO_ROOT, describe, run_command

CREDENTIAL_TYPE = REPO_ROOT / "awx" / "credential_type_ovhcloud.yml"
SECRETS = ("demo-application-secret", "demo-consumer-key", "demo-client-secret")

# Credential inputs as a user would fill them in, for each authentication mode.
CREDENTIAL_INPUTS = {
    "keys": {
        "application_key": "demo-application-key",
        "application_secret": "demo-application-secret",
        "consumer_key": "demo-consumer-key",
    },
    "oauth2": {
        "client_id": "demo-client-id",
        "client_secret": "demo-client-secret",
    },
}

# What a job template's survey would give. The playbook also loads its
# example corrections file; extra variables take precedence over it.
EXTRA_VARS = {
    "fix_and_relaunch_corrections": [
        {"key": "legitimacyAfnic", "value": "I am the mayor of the city Example.", "domain": "example.fr"},
    ],
    "fix_and_relaunch_wait_timeout": 120,
}


def render_injected_env(inputs: dict) -> dict[str, str]:
    """Render the credential type's env injectors as AWX does: a field not filled in renders as ''."""
    credential_type = yaml.safe_load(CREDENTIAL_TYPE.read_text(encoding="utf-8"))
    namespace = {field["id"]: field["default"] for field in credential_type["inputs"]["fields"] if "default" in field}
    namespace.update(inputs)
    environment = jinja2.sandbox.ImmutableSandboxedEnvironment()
    return {name: environment.from_string(template).render(**namespace) for name, template in credential_type["injectors"]["env"].items()}


@dataclass
class Job:
    """A finished ansible-runner job: its artifacts directory, status and events."""

    artifacts: Path
    status: str
    rc: int
    events: list[dict]
    stdout: str
    runner_output: str
    simulator_state: dict | None = None

    def stats(self) -> dict:
        finals = [event for event in self.events if event.get("event") == "playbook_on_stats"]
        assert len(finals) == 1, f"expected one playbook_on_stats event, found {len(finals)}\n{self.stdout}"
        return finals[0]["event_data"]

    def task_events(self, action: str) -> list[dict]:
        return [
            event
            for event in self.events
            if event.get("event") in ("runner_on_ok", "runner_on_failed", "runner_on_skipped", "runner_on_unreachable")
            and event["event_data"].get("task_action") == action
        ]


def prepare_private_data_dir(private_data_dir: Path) -> None:
    """Lay out what AWX puts in a job's private data directory, except env/envvars."""
    # project/: the project checkout, here the collection's own playbook and
    # its example corrections file.
    project = private_data_dir / "project"
    project.mkdir(parents=True)
    for name in ("fix_and_relaunch.yml", "corrections.example.yml"):
        shutil.copy(REPO_ROOT / "playbooks" / name, project / name)

    inventory = private_data_dir / "inventory"
    inventory.mkdir()
    (inventory / "hosts").write_text(f"localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n", encoding="utf-8")

    env_dir = private_data_dir / "env"
    env_dir.mkdir()
    (env_dir / "extravars").write_text(yaml.safe_dump(EXTRA_VARS), encoding="utf-8")


def run_job(runner: str, private_data_dir: Path, ident: str, envvars: dict[str, str], process_env: dict[str, str]) -> Job:
    """Run the playbook with ansible-runner and read back the job's artifacts."""
    (private_data_dir / "env" / "envvars").write_text(yaml.safe_dump(envvars), encoding="utf-8")
    completed = run_command(
        [runner, "run", str(private_data_dir), "--playbook", "fix_and_relaunch.yml", "--ident", ident],
        env=process_env,
    )

    artifacts = private_data_dir / "artifacts" / ident
    assert artifacts.is_dir(), describe(completed)
    events = [json.loads(path.read_text(encoding="utf-8")) for path in (artifacts / "job_events").glob("*.json")]
    events.sort(key=lambda event: event["counter"])
    return Job(
        artifacts=artifacts,
        status=(artifacts / "status").read_text(encoding="utf-8").strip(),
        rc=int((artifacts / "rc").read_text(encoding="utf-8").strip()),
        events=events,
        stdout=(artifacts / "stdout").read_text(encoding="utf-8", errors="replace"),
        runner_output=describe(completed),
    )


@pytest.fixture(scope="module")
def jobs(tool, tmp_path_factory, harness, installed_collections, request) -> dict[str, Job]:
    """The jobs of this module: for each authentication mode, a first run on
    a fresh simulator, and for the key mode a second run on the same one."""
    runner = tool("ansible-runner")
    finished = {}

    for mode in sorted(CREDENTIAL_INPUTS):
        directory = tmp_path_factory.mktemp(f"awx-{mode}")
        simulator = harness.start_simulator(REPO_ROOT / "simulator" / "scenarios" / "guide.yaml", directory / "simulator")
        request.addfinalizer(simulator.stop)

        private_data_dir = directory / "private_data_dir"
        prepare_private_data_dir(private_data_dir)

        envvars = render_injected_env(dict(CREDENTIAL_INPUTS[mode], endpoint=simulator.url))
        # AWX installs the project's collections into a directory of the job
        # and points Ansible at it.
        envvars["ANSIBLE_COLLECTIONS_PATH"] = str(installed_collections)
        # oauthlib rejects plain HTTP, which the simulator serves; a real
        # endpoint is https and needs no such variable.
        envvars["OAUTHLIB_INSECURE_TRANSPORT"] = "1"

        # The runner process itself gets no OVH_* variable: the credential
        # reaches Ansible only through env/envvars.
        process_env = dict(
            harness.ansible_env(directory / "ansible"),
            PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        )

        finished[f"{mode}-first"] = run_job(runner, private_data_dir, "first", envvars, process_env)
        finished[f"{mode}-first"].simulator_state = simulator.state()
        if mode == "keys":
            finished["keys-second"] = run_job(runner, private_data_dir, "second", envvars, process_env)

    return finished


def test_injected_env_matches_module_fallbacks():
    names = set(render_injected_env(CREDENTIAL_INPUTS["keys"]))

    assert names == {
        "OVH_ENDPOINT",
        "OVH_APPLICATION_KEY",
        "OVH_APPLICATION_SECRET",
        "OVH_CONSUMER_KEY",
        "OVH_CLIENT_ID",
        "OVH_CLIENT_SECRET",
    }


def test_injected_env_leaves_other_mode_empty():
    env = render_injected_env(CREDENTIAL_INPUTS["keys"])

    assert env["OVH_ENDPOINT"] == "ovh-eu"
    assert env["OVH_APPLICATION_KEY"] == "demo-application-key"
    assert env["OVH_CLIENT_ID"] == ""
    assert env["OVH_CLIENT_SECRET"] == ""


def argument_value(state: dict, task_id: int, key: str):
    task = next(task for task in state["tasks"] if task["id"] == task_id)
    return next(argument["value"] for argument in task["arguments"] if argument["key"] == key)


@pytest.mark.parametrize("mode", sorted(CREDENTIAL_INPUTS))
def test_awx_job_fixes_and_relaunches(jobs, mode):
    job = jobs[f"{mode}-first"]

    assert (job.status, job.rc) == ("successful", 0), f"{job.runner_output}\n{job.stdout}"
    stats = job.stats()
    assert stats["failures"] == {}
    assert stats["dark"] == {}
    assert stats["changed"].get("localhost", 0) > 0
    assert stats["ok"].get("localhost", 0) > 0
    assert argument_value(job.simulator_state, 1000, "legitimacyAfnic") == "I am the mayor of the city Example."


@pytest.mark.parametrize("mode", sorted(CREDENTIAL_INPUTS))
def test_awx_job_artifacts_carry_report(jobs, mode):
    job = jobs[f"{mode}-first"]

    assert job.status == "successful", f"{job.runner_output}\n{job.stdout}"
    report = job.stats()["artifact_data"]["fix_and_relaunch_report"]
    assert [task["id"] for task in report["relaunched"]] == [1000]
    assert [task["id"] for task in report["needs_support"]] == [1001]
    assert [task["id"] for task in report["needs_input"]] == [1002]
    assert report["check_mode"] is False


def test_awx_job_events_name_collection_modules(jobs):
    job = jobs["keys-first"]

    for action in ("ovhcloud.domain.domain_task_info", "ovhcloud.domain.domain_task_argument", "ovhcloud.domain.domain_task_action"):
        outcomes = [event["event"] for event in job.task_events(action)]
        assert outcomes == ["runner_on_ok"], f"events of {action}: {outcomes}"


def test_awx_job_events_show_relaunch(jobs):
    # The listing and the argument writes run with no_log, so their results
    # are censored; the relaunch result is not.
    (relaunch,) = jobs["keys-first"].task_events("ovhcloud.domain.domain_task_action")
    result = relaunch["event_data"]["res"]

    assert result["changed"] is True
    assert [(task["id"], task["action_taken"]) for task in result["tasks"]] == [(1000, True)]


def test_awx_job_censors_no_log_results(jobs):
    (listing,) = jobs["keys-first"].task_events("ovhcloud.domain.domain_task_info")

    assert "censored" in listing["event_data"]["res"]
    assert "tasks" not in listing["event_data"]["res"]


def test_awx_job_second_run_changes_nothing(jobs):
    second = jobs["keys-second"]

    assert second.status == "successful", f"{second.runner_output}\n{second.stdout}"
    assert second.stats()["changed"] == {}
    report = second.stats()["artifact_data"]["fix_and_relaunch_report"]
    assert [task["id"] for task in report["relaunched"]] == []
    assert [task["id"] for task in report["needs_support"]] == [1001]


@pytest.mark.parametrize("name", ["keys-first", "keys-second", "oauth2-first"])
def test_awx_job_artifacts_hold_no_secret(jobs, name):
    artifacts = jobs[name].artifacts

    # ansible-runner records the process environment, credentials included,
    # in each job's "command" file (mode 0600), as it does for any
    # credential; everything else (stdout, job_events, ...) must be clean.
    leaks = []
    for path in artifacts.rglob("*"):
        if path.is_file() and path.name != "command":
            text = path.read_text(encoding="utf-8", errors="replace")
            leaks.extend(f"{path.relative_to(artifacts)}: {secret}" for secret in SECRETS if secret in text)
    assert leaks == []
