"""playbooks/fix_and_relaunch.yml fixes every correctable task of the kinds scenario.

Three runs of the real playbook on one simulator (simulator/scenarios/kinds.yaml
as shipped), with a corrections file written here:

1. the demo consumer key, limited to the functions of every kind except
   DomainHostUpdate: tasks 3000-3006 (error) and 3008 (problem) are
   corrected, relaunched and end in done;
2. scoped-consumer-key with ``fix_and_relaunch_domains: [example.net]``:
   task 3007, readable only through /domain/example.net/task, is relaunched
   there and ends in done;
3. the demo key without any filter: nothing is left in error, so the run
   changes nothing and sends no write.

The corrections are those the scenario's header gives, including a PDF file
uploaded as the identity document of task 3003.
"""

from __future__ import annotations

import pytest
import yaml

from coverage_testlib import (
    KINDS_SCENARIO,
    REPO_ROOT,
    SCOPED_CONSUMER_KEY,
    assert_no_violations,
    describe_run,
    documents,
    ids,
    load_yaml,
    play_role,
    role_report,
    run_writes,
    schema_violations,
    state_task,
)

PLAYBOOK = REPO_ROOT / "playbooks" / "fix_and_relaunch.yml"
FIXED_WITH_ME_FAMILY = [3000, 3001, 3002, 3003, 3004, 3005, 3006, 3008]
DOMAIN_FAMILY_TASK = 3007
UNTOUCHED = {3009: "cancelled", 3010: "done"}
# Every function of the kinds scenario except DomainHostUpdate (task 3007).
FIRST_RUN_FUNCTIONS = [
    "DomainCreate",
    "DomainIncomingTransfer",
    "DomainAfterMarket",
    "DomainTrade",
    "DomainContactUpdate",
    "DomainDnsUpdate",
    "DomainDsUpdate",
    "DomainRenew",
]
IDENTITY_FILE_SIZE = 2000


def corrections(identity_file) -> dict:
    return {
        "fix_and_relaunch_corrections": [
            {
                "key": "legitimacyAfnic",
                "value": "Website of our cafe in Lyon, open since 2012",
                "domain": "xn--caf-dma.fr",
            },
            {"key": "authInfo", "value": "Tr4nsfer-Code-2024", "domain": "transfer-example.com"},
            {"key": "authInfo", "value": "AfterMarket-7731", "function": "DomainAfterMarket"},
            {"key": "identityEvidence", "file": str(identity_file)},
            {"key": "nicowner", "value": "1105"},
            {"key": "nicadmin", "value": "1107"},
            {"key": "nameServers", "value": "dns19.ovh.net,ns19.ovh.net"},
        ]
    }


def produce(harness, directory):
    identity_file = directory / "files" / "identity-card.pdf"
    identity_file.parent.mkdir(parents=True)
    head = b"%PDF-1.4\n% identity card of the new owner\n"
    identity_file.write_bytes(head + b"0" * (IDENTITY_FILE_SIZE - len(head)))
    corrections_file = directory / "corrections.yml"
    corrections_file.write_text(yaml.safe_dump(corrections(identity_file), sort_keys=False), encoding="utf-8")

    simulator = harness.start_simulator(load_yaml(KINDS_SCENARIO), directory / "simulator")
    try:
        env = harness.ansible_env(directory / "ansible", simulator)
        scoped_env = dict(env, OVH_CONSUMER_KEY=SCOPED_CONSUMER_KEY)

        def run(run_env, extra_vars):
            extra_vars = dict(extra_vars, corrections_file=str(corrections_file))
            return play_role(harness, simulator, PLAYBOOK, run_env, extra_vars, directory)

        return {
            "me": run(env, {"fix_and_relaunch_functions": FIRST_RUN_FUNCTIONS}),
            "scoped": run(scoped_env, {"fix_and_relaunch_domains": ["example.net"]}),
            "again": run(env, {}),
            "documents": documents(simulator),
            "violations": schema_violations(simulator),
        }
    finally:
        simulator.stop()


@pytest.fixture
def runs(shared_outcome, harness) -> dict:
    return shared_outcome("role-kinds", lambda directory: produce(harness, directory))


def statuses(run) -> dict[int, str]:
    return {task["id"]: task["status"] for task in run["state"]["tasks"]}


@pytest.mark.parametrize("name", ["me", "scoped", "again"])
def test_role_run_succeeds(runs, name):
    assert runs[name]["playbook"]["rc"] == 0, describe_run(runs[name])


@pytest.mark.parametrize("task_id", FIXED_WITH_ME_FAMILY)
def test_role_fixes_kind(runs, task_id):
    assert statuses(runs["me"])[task_id] == "done", role_report(runs["me"])["summary"]


def test_role_first_run_reports_done(runs):
    result = role_report(runs["me"])

    assert ids(result["done"]) == FIXED_WITH_ME_FAMILY, result["summary"]
    assert result["needs_input"] == []
    assert result["needs_support"] == []
    assert result["still_failing"] == []


def test_role_first_run_leaves_domain_family_task(runs):
    assert statuses(runs["me"])[DOMAIN_FAMILY_TASK] == "error"
    assert all(f"/{DOMAIN_FAMILY_TASK}/" not in call for call in run_writes(runs["me"]))


def test_role_uploads_identity_document(runs):
    calls = run_writes(runs["me"])
    task = state_task(runs["me"], 3003)
    evidence = next(argument for argument in task["arguments"] if argument["key"] == "identityEvidence")
    uploaded = next(item for item in runs["documents"] if item["id"] == evidence["value"])

    assert calls.count("POST /me/document") == 1
    assert f"PUT /_storage/documents/{evidence['value']}" in calls
    assert uploaded["name"] == "identity-card.pdf"
    assert uploaded["size"] == IDENTITY_FILE_SIZE


def test_role_writes_every_correction(runs):
    puts = sorted(call for call in run_writes(runs["me"]) if call.startswith("PUT /me/task/domain/"))

    assert puts == [
        "PUT /me/task/domain/3000/argument/legitimacyAfnic",
        "PUT /me/task/domain/3001/argument/authInfo",
        "PUT /me/task/domain/3002/argument/authInfo",
        "PUT /me/task/domain/3003/argument/identityEvidence",
        "PUT /me/task/domain/3003/argument/nicowner",
        "PUT /me/task/domain/3004/argument/nicadmin",
        "PUT /me/task/domain/3005/argument/nameServers",
    ]


def test_role_relaunches_each_task_once(runs):
    relaunches = sorted(call for call in run_writes(runs["me"]) if call.endswith("/relaunch"))

    assert relaunches == [f"POST /me/task/domain/{task_id}/relaunch" for task_id in FIXED_WITH_ME_FAMILY]


def test_role_fixes_domain_family_task(runs):
    assert statuses(runs["scoped"])[DOMAIN_FAMILY_TASK] == "done", role_report(runs["scoped"])["summary"]
    assert ids(role_report(runs["scoped"])["done"]) == [DOMAIN_FAMILY_TASK]


def test_role_relaunches_unreadable_task_as_is(runs):
    """Task 3007's arguments cannot be read through /domain/example.net/task, so the role relaunches it unchanged."""
    relaunched = role_report(runs["scoped"])["relaunched"]

    assert ids(relaunched) == [DOMAIN_FAMILY_TASK]
    assert relaunched[0]["reason"] == "arguments not readable through /domain/{serviceName}/task"
    assert relaunched[0]["changed_arguments"] == []


def test_role_scoped_run_uses_domain_family(runs):
    assert run_writes(runs["scoped"]) == [f"POST /domain/example.net/task/{DOMAIN_FAMILY_TASK}/relaunch"]
    assert {entry["consumer_key"] for entry in runs["scoped"]["requests"] if entry["path"] != "/auth/time"} == {
        SCOPED_CONSUMER_KEY
    }


def test_role_second_full_run_changes_nothing(runs):
    assert runs["again"]["playbook"]["stats"]["localhost"]["changed"] == 0, describe_run(runs["again"])
    assert run_writes(runs["again"]) == []
    assert role_report(runs["again"])["relaunched"] == []


def test_role_leaves_final_tasks(runs):
    final = statuses(runs["again"])

    assert {task_id: final[task_id] for task_id in UNTOUCHED} == UNTOUCHED
    assert sorted(task_id for task_id, status in final.items() if status != "done") == [3009]


def test_role_responses_match_schema(runs):
    assert_no_violations(runs["violations"])
