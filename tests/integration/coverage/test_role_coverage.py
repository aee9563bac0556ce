"""The fix_and_relaunch role with every argument type, a rejected value and an IDN.

Runs of playbooks/fix_and_relaunch.yml on the kinds scenario plus
scenarios/coverage.yaml, limited by ``fix_and_relaunch_domains`` to:

- string-example.fr (task 5000): two string arguments;
- account-example.eu (task 5001): a /me value, a PNG file for the
  /me/document argument and a /me/contact id;
- rejected-example.org (task 5014): a new dsRecord value that the simulated
  registry rejects, so the task ends in error again;
- café.fr, given in Unicode both in the filter and in its correction, for
  task 3000, which the API lists as xn--caf-dma.fr.

The runs are: check mode, apply, apply again (nothing left to change). The
check-mode run gives café.fr in its xn-- form in the filter, so that it shows
whether the Unicode correction applies to task 3000 whatever the filter does.
"""

from __future__ import annotations

import pytest
import yaml

from coverage_testlib import (
    REPO_ROOT,
    assert_no_violations,
    coverage_scenario,
    describe_run,
    ids,
    play_role,
    role_report,
    run_writes,
    schema_violations,
    state_task,
)

PLAYBOOK = REPO_ROOT / "playbooks" / "fix_and_relaunch.yml"
DOMAINS = ["string-example.fr", "account-example.eu", "rejected-example.org", "café.fr"]
CHECK_DOMAINS = DOMAINS[:-1] + ["xn--caf-dma.fr"]
REJECTED = 5014
PNG_SIZE = 700


def corrections(png_file) -> dict:
    return {
        "fix_and_relaunch_corrections": [
            {"key": "legalForm", "value": "association", "domain": "string-example.fr"},
            {"key": "legitimacyAfnic", "value": "A website for our association in Lyon", "domain": "string-example.fr"},
            {"key": "legitimacyAfnic", "value": "Website of our cafe in Lyon, open since 2012", "domain": "café.fr"},
            {"key": "ownerAccount", "value": "yy5678-ovh"},
            {"key": "identityEvidence", "file": str(png_file), "task_id": 5001},
            {"key": "nicadmin", "value": "1107"},
            {
                "key": "dsRecord",
                "value": "12345 13 2 1111111111111111111111111111111111111111",
                "domain": "rejected-example.org",
            },
        ]
    }


def produce(harness, directory):
    png_file = directory / "files" / "evidence.png"
    png_file.parent.mkdir(parents=True)
    png_file.write_bytes(b"\x89PNG\r\n\x1a\n" + b"1" * (PNG_SIZE - 8))
    corrections_file = directory / "corrections.yml"
    corrections_file.write_text(
        yaml.safe_dump(corrections(png_file), sort_keys=False, allow_unicode=True), encoding="utf-8"
    )

    simulator = harness.start_simulator(coverage_scenario(), directory / "simulator")
    try:
        env = harness.ansible_env(directory / "ansible", simulator)

        def run(check=False):
            extra_vars = {
                "corrections_file": str(corrections_file),
                "fix_and_relaunch_domains": CHECK_DOMAINS if check else DOMAINS,
            }
            return play_role(harness, simulator, PLAYBOOK, env, extra_vars, directory, check=check)

        return {
            "check": run(check=True),
            "apply": run(),
            "again": run(),
            "violations": schema_violations(simulator),
        }
    finally:
        simulator.stop()


@pytest.fixture
def runs(shared_outcome, harness) -> dict:
    return shared_outcome("role-coverage", lambda directory: produce(harness, directory))


def argument_value(run, task_id, key):
    return next(item["value"] for item in state_task(run, task_id)["arguments"] if item["key"] == key)


@pytest.mark.parametrize("name", ["check", "apply", "again"])
def test_role_coverage_run_succeeds(runs, name):
    assert runs[name]["playbook"]["rc"] == 0, describe_run(runs[name])


def test_role_check_mode_sends_no_write(runs):
    assert run_writes(runs["check"]) == []
    assert runs["check"]["playbook"]["stats"]["localhost"]["changed"] > 0


def test_role_check_mode_lists_tasks(runs):
    result = role_report(runs["check"])

    assert {5000, 5001, REJECTED} <= set(ids(result["pending"])), result["summary"]
    assert result["done"] == []


@pytest.mark.parametrize("task_id", [5000, 5001])
def test_role_fixes_every_argument_type(runs, task_id):
    assert state_task(runs["apply"], task_id)["status"] == "done", role_report(runs["apply"])["summary"]


def test_role_writes_account_arguments(runs):
    assert argument_value(runs["apply"], 5001, "ownerAccount") == "yy5678-ovh"
    assert argument_value(runs["apply"], 5001, "nicadmin") == "1107"
    assert "POST /me/document" in run_writes(runs["apply"])


def test_role_reports_rejected_value(runs):
    result = role_report(runs["apply"])
    failing = {item["id"]: item for item in result["still_failing"]}

    assert list(failing) == [REJECTED], result["summary"]
    assert failing[REJECTED]["status"] == "error"
    assert failing[REJECTED]["comment"] == "The registry rejected the DS record again"
    assert state_task(runs["apply"], REJECTED)["status"] == "error"


def test_role_unicode_domain_filter(runs):
    """café.fr in fix_and_relaunch_domains must select task 3000, which the API lists as xn--caf-dma.fr."""
    result = role_report(runs["apply"])

    assert 3000 in ids(result["relaunched"]) + ids(result["needs_input"]), result["summary"]


def test_role_unicode_domain_correction(runs):
    """A correction for café.fr must apply to task 3000: check mode then plans its relaunch."""
    result = role_report(runs["check"])

    assert 3000 in ids(result["pending"]), result["summary"]
    assert 3000 not in ids(result["needs_input"])


def test_role_unicode_domain_fixed(runs):
    assert argument_value(runs["apply"], 3000, "legitimacyAfnic") == "Website of our cafe in Lyon, open since 2012"
    assert state_task(runs["apply"], 3000)["status"] == "done"


def test_role_second_run_changes_nothing(runs):
    assert runs["again"]["playbook"]["stats"]["localhost"]["changed"] == 0, describe_run(runs["again"])
    assert run_writes(runs["again"]) == []


def test_role_second_run_keeps_rejected_task(runs):
    """The rejected value is not sent again: the task now needs new input."""
    result = role_report(runs["again"])

    assert ids(result["needs_input"]) == [REJECTED], result["summary"]
    assert result["relaunched"] == []


def test_role_coverage_responses_match_schema(runs):
    assert_no_violations(runs["violations"])
