"""ovhcloud.domain.domain_task_argument against the simulator (scenario modules.yaml)."""

from __future__ import annotations

import pytest

MODULE = "ovhcloud.domain.domain_task_argument"
AFNIC_PATH = "/me/task/domain/2000/argument/legitimacyAfnic"
AFNIC_VALUE = "I am the mayor of the city Example."


def puts(simulator, path=None):
    return [entry for entry in simulator.writes() if entry["method"] == "PUT" and path in (None, entry["path"])]


def test_argument_check_mode_sends_nothing(run_module, simulator):
    outcome = run_module(MODULE, {"task_id": 2000, "key": "legitimacyAfnic", "value": AFNIC_VALUE}, check=True)

    assert not outcome.failed, outcome.playbook.describe()
    assert outcome.changed
    assert outcome["argument"]["changed"] is True
    assert simulator.writes() == []
    assert simulator.argument(2000, "legitimacyAfnic")["value"] is None


def test_argument_check_mode_diff(run_module, simulator):
    outcome = run_module(MODULE, {"task_id": 2000, "key": "legitimacyAfnic", "value": AFNIC_VALUE}, check=True, diff=True)

    assert not outcome.failed, outcome.playbook.describe()
    diff = outcome["diff"]
    assert diff["before"] == {"2000": {"legitimacyAfnic": None}}
    assert diff["after"] == {"2000": {"legitimacyAfnic": AFNIC_VALUE}}
    assert simulator.writes() == []


def test_argument_write(run_module, simulator):
    outcome = run_module(MODULE, {"task_id": 2000, "key": "legitimacyAfnic", "value": AFNIC_VALUE})

    assert not outcome.failed, outcome.playbook.describe()
    assert outcome.changed
    argument = outcome["argument"]
    assert argument["task_id"] == 2000
    assert argument["key"] == "legitimacyAfnic"
    assert argument["value"] == AFNIC_VALUE
    assert argument["changed"] is True
    writes = simulator.writes()
    assert [(entry["method"], entry["path"]) for entry in writes] == [("PUT", AFNIC_PATH)]
    assert writes[0]["body"] == {"value": AFNIC_VALUE}
    assert simulator.argument(2000, "legitimacyAfnic")["value"] == AFNIC_VALUE


def test_argument_same_value_unchanged(run_module, simulator):
    first = run_module(MODULE, {"task_id": 2000, "key": "legitimacyAfnic", "value": AFNIC_VALUE})
    assert not first.failed, first.playbook.describe()
    simulator.clear_requests()

    second = run_module(MODULE, {"task_id": 2000, "key": "legitimacyAfnic", "value": AFNIC_VALUE})

    assert not second.failed, second.playbook.describe()
    assert not second.changed
    assert second["argument"]["changed"] is False
    assert simulator.writes() == []


def test_argument_current_value_unchanged(run_module, simulator):
    outcome = run_module(MODULE, {"task_id": 2001, "key": "ownerName", "value": "Old Owner"}, diff=True)

    assert not outcome.failed, outcome.playbook.describe()
    assert not outcome.changed
    assert simulator.writes() == []


def test_argument_bulk_writes_differences_only(run_module, simulator):
    values = [
        {"task_id": 2000, "key": "legitimacyAfnic", "value": AFNIC_VALUE},
        {"task_id": 2001, "key": "legalForm", "value": "association"},
        {"task_id": 2001, "key": "ownerName", "value": "Old Owner"},
    ]

    outcome = run_module(MODULE, {"values": values})

    assert not outcome.failed, outcome.playbook.describe()
    assert outcome.changed
    assert [(item["task_id"], item["key"], item["changed"]) for item in outcome["arguments"]] == [
        (2000, "legitimacyAfnic", True),
        (2001, "legalForm", True),
        (2001, "ownerName", False),
    ]
    assert sorted(entry["path"] for entry in puts(simulator)) == [
        AFNIC_PATH,
        "/me/task/domain/2001/argument/legalForm",
    ]
    assert len(simulator.writes()) == 2
    assert simulator.argument(2001, "legalForm")["value"] == "association"


# Each invalid request must fail, name the offending value (or key) in its
# message, and send no write at all.
INVALID_REQUESTS = [
    pytest.param({"task_id": 9999, "key": "legitimacyAfnic", "value": AFNIC_VALUE}, ["9999"], id="unknown task id"),
    pytest.param({"task_id": "abc", "key": "legitimacyAfnic", "value": AFNIC_VALUE}, ["task_id"], id="non-numeric task id"),
    pytest.param({"task_id": 2000, "key": "noSuchKey", "value": "x"}, ["noSuchKey", "legitimacyAfnic"], id="unknown key"),
    pytest.param(
        {"task_id": 2001, "key": "legalForm", "value": "company"},
        ["company", "association", "corporation"],
        id="value outside accepted values",
    ),
    pytest.param({"task_id": 2001, "key": "nicowner", "value": "2208"}, ["nicowner", "read-only"], id="read-only"),
    pytest.param({"task_id": 2001, "key": "ownerName", "value": "Al"}, ["'Al'", "minimum", "3"], id="below minimum size"),
    pytest.param(
        {"task_id": 2001, "key": "ownerName", "value": "A much too long owner name"},
        ["A much too long owner name", "maximum", "12"],
        id="above maximum size",
    ),
    pytest.param(
        {
            "values": [
                {"task_id": 2000, "key": "legitimacyAfnic", "value": AFNIC_VALUE},
                {"task_id": 2001, "key": "legalForm", "value": "company"},
            ]
        },
        ["company"],
        id="bulk with one invalid value",
    ),
]


@pytest.mark.parametrize(("options", "expected_in_message"), INVALID_REQUESTS)
def test_argument_invalid_request(run_module, simulator, options, expected_in_message):
    outcome = run_module(MODULE, options)

    assert outcome.failed, outcome.playbook.describe()
    for text in expected_in_message:
        assert text in outcome.msg
    assert "Traceback" not in outcome.playbook.output
    assert simulator.writes() == []


def test_argument_secret_value_masked(run_module, simulator):
    """A value of a key listed in secret_keys never reaches the output."""
    secret = "an-auth-code-for-this-test"

    outcome = run_module(
        MODULE,
        {"task_id": 2000, "key": "legitimacyAfnic", "value": secret, "secret_keys": ["legitimacyAfnic"]},
        diff=True,
    )

    assert not outcome.failed, outcome.playbook.describe()
    assert outcome.changed
    assert secret not in outcome.playbook.output
    assert simulator.argument(2000, "legitimacyAfnic")["value"] == secret
