"""ovhcloud.domain.domain_task_info against the simulator (scenario modules.yaml)."""

from __future__ import annotations

import sys

import pytest
import yaml

MODULE = "ovhcloud.domain.domain_task_info"
ALL_IDS = [2000, 2001, 2002, 2003, 2004, 2005, 2006, 2007]

# Filter cases, each run as one task of a single playbook: (name, module options, expected ids).
FILTER_CASES = [
    ("no filter", {}, ALL_IDS),
    ("status", {"status": "error"}, [2000, 2001, 2002, 2007]),
    ("status list", {"status": ["todo", "doing"]}, [2003, 2004]),
    ("status without match", {"status": "problem"}, []),
    ("domain", {"domain": "example.org"}, [2004, 2005]),
    ("domain list", {"domain": ["example.fr", "example.eu"]}, [2000, 2001]),
    ("function", {"function": "DomainCreate"}, [2000, 2005]),
    ("function list", {"function": ["DomainDnsUpdate", "DomainHostCreate"]}, [2003, 2006, 2007]),
    ("function list and status", {"function": ["DomainCreate", "DomainTrade"], "status": "error"}, [2000, 2001]),
    ("domain and status", {"domain": "example.net", "status": "cancelled"}, [2006]),
    ("domain list and status list", {"domain": ["example.net", "example.org"], "status": ["todo", "done"]}, [2003, 2005]),
    ("task_id", {"task_id": [2001, 2005]}, [2001, 2005]),
    ("task_id and status", {"task_id": [2001, 2005], "status": "error"}, [2001]),
]

TASK_KEYS = {
    "id", "function", "domain", "status", "comment", "creation_date", "todo_date", "last_update", "done_date",
    "can_accelerate", "can_cancel", "can_relaunch", "type", "api_family", "domain_unicode",
}  # fmt: skip
ARGUMENT_KEYS = {
    "key", "type", "description", "value", "accepted_values", "accepted_formats", "read_only", "minimum_size",
    "maximum_size", "fields", "template",
}  # fmt: skip


@pytest.fixture(scope="module")
def filter_run(harness, tmp_path_factory, request):
    """Run every filter case once, as the tasks of one playbook, on one simulator."""
    directory = tmp_path_factory.mktemp("info-filters")
    simulator = harness.start_simulator(request.path.parent.parent / "scenarios" / "modules.yaml", directory / "simulator")
    request.addfinalizer(simulator.stop)

    tasks = [{"name": name, MODULE: options} for name, options, _ in FILTER_CASES]
    play = [{"name": "Filter domain tasks", "hosts": "localhost", "gather_facts": False, "tasks": tasks}]
    env = harness.ansible_env(directory / "ansible", simulator)
    result = harness.run_playbook(yaml.safe_dump(play, sort_keys=False), env, work_dir=directory / "playbooks")
    return result, simulator.requests()


@pytest.mark.parametrize(("name", "options", "expected"), FILTER_CASES, ids=[case[0] for case in FILTER_CASES])
def test_info_filters(filter_run, name, options, expected):
    result, _ = filter_run
    assert result.rc == 0, result.describe()

    tasks = result.task(name)["tasks"]

    assert [task["id"] for task in tasks] == expected


def test_info_filters_send_only_reads(filter_run):
    result, log = filter_run
    assert result.rc == 0, result.describe()

    assert log, "the simulator logged no request"
    assert {entry["method"] for entry in log} == {"GET"}


def test_info_filters_report_unchanged(filter_run):
    result, _ = filter_run

    assert result.recap()["changed"] == 0


def test_info_task_fields(run_module):
    outcome = run_module(MODULE, {"task_id": [2000]})

    assert not outcome.failed, outcome.playbook.describe()
    task = outcome["tasks"][0]
    assert set(task) == TASK_KEYS
    assert task["id"] == 2000
    assert task["function"] == "DomainCreate"
    assert task["domain"] == "example.fr"
    assert task["status"] == "error"
    assert task["can_relaunch"] is True
    assert task["can_accelerate"] is False
    assert task["comment"] == "You have to explain to AFNIC why you want this domain name"
    assert "arguments" not in task


def test_info_with_arguments(run_module):
    outcome = run_module(MODULE, {"task_id": [2001], "arguments": True})

    assert not outcome.failed, outcome.playbook.describe()
    arguments = {argument["key"]: argument for argument in outcome["tasks"][0]["arguments"]}
    assert sorted(arguments) == ["legalForm", "nicowner", "ownerName"]
    for argument in arguments.values():
        assert set(argument) == ARGUMENT_KEYS
    assert arguments["legalForm"]["accepted_values"] == ["association", "corporation", "individual", "other"]
    assert arguments["legalForm"]["value"] is None
    assert arguments["ownerName"]["minimum_size"] == 3
    assert arguments["ownerName"]["maximum_size"] == 12
    assert arguments["nicowner"]["read_only"] is True
    assert arguments["nicowner"]["type"] == "/me/contact"


def test_info_in_check_mode(run_module, simulator):
    outcome = run_module(MODULE, {"status": "error"}, check=True)

    assert not outcome.failed, outcome.playbook.describe()
    assert [task["id"] for task in outcome["tasks"]] == [2000, 2001, 2002, 2007]
    assert simulator.writes() == []


def test_info_unknown_task_id(run_module, simulator):
    outcome = run_module(MODULE, {"task_id": [9999]})

    assert outcome.failed
    assert "9999" in outcome.msg
    assert "Traceback" not in outcome.playbook.output
    assert simulator.writes() == []


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")
def test_info_through_pytest_ansible(localhost, simulator, monkeypatch):
    """Run the module in-process through pytest-ansible, with the credentials as module options."""
    monkeypatch.setenv("ANSIBLE_PYTHON_INTERPRETER", sys.executable)
    for name in ("OVH_ENDPOINT", "OVH_APPLICATION_KEY", "OVH_APPLICATION_SECRET", "OVH_CONSUMER_KEY"):
        monkeypatch.delenv(name, raising=False)

    run_info = getattr(localhost, MODULE)
    result = run_info(
        status="error",
        domain="example.fr",
        endpoint=simulator.url,
        application_key="demo-application-key",
        application_secret="demo-application-secret",
        consumer_key="demo-consumer-key",
    )

    host_result = result["localhost"]
    assert not host_result.get("failed"), host_result
    assert [task["id"] for task in host_result["tasks"]] == [2000]
