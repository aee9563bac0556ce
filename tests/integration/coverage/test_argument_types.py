"""domain_task_argument with every argument type, in one scripted run.

Task 5000 has string arguments with acceptedValues, size limits and a
read-only one. Task 5001 has one argument each of type /me, /me/document and
/me/contact (scenarios/coverage.yaml). Kinds task 3003 takes a document and a
contact in one call. Every invalid request must fail before any write, which
includes the document upload. The script ends by relaunching the corrected
tasks, which the simulated registry accepts only with valid values.
"""

from __future__ import annotations

import pytest

from coverage_testlib import (
    SCOPED_CONSUMER_KEY,
    Script,
    assert_no_violations,
    coverage_scenario,
    documents,
    module_call,
    play_script,
    schema_violations,
)

MODULE = "ovhcloud.domain.domain_task_argument"
ACTION_MODULE = "ovhcloud.domain.domain_task_action"
AFNIC_TEXT = "A website for our association in Lyon"
DOCUMENT_DIGEST_TAG = "ansible-sha256"

# Sizes chosen around the 2048-byte maximumSize of task 5001's identityEvidence.
PDF_SIZE = 600
OVERSIZED_PDF_SIZE = 4096


def pdf_bytes(size: int, marker: bytes = b"") -> bytes:
    """Return ``size`` bytes that start like a PDF file."""
    head = b"%PDF-1.4\n%coverage test document " + marker + b"\n"
    return head + b"0" * (size - len(head))


def steps_for(files: dict) -> list[tuple[str, str, dict]]:
    """Return the script as (step name, module, options), in the order played."""
    pdf, txt, big, png = files["pdf"], files["txt"], files["big"], files["png"]
    return [
        # string arguments: each invalid value fails before any write.
        ("string not accepted", MODULE, {"task_id": 5000, "key": "legalForm", "value": "company"}),
        ("string too short", MODULE, {"task_id": 5000, "key": "legitimacyAfnic", "value": "Too short"}),
        ("string too long", MODULE, {"task_id": 5000, "key": "legitimacyAfnic", "value": "x" * 61}),
        ("string read-only", MODULE, {"task_id": 5000, "key": "registrantId", "value": "REG-0002"}),
        (
            "bulk with one invalid value",
            MODULE,
            {
                "values": [
                    {"task_id": 5000, "key": "legalForm", "value": "association"},
                    {"task_id": 5000, "key": "legitimacyAfnic", "value": "Too short"},
                ]
            },
        ),
        (
            "bulk invalid value stops upload",
            MODULE,
            {
                "values": [
                    {"task_id": 5001, "key": "identityEvidence", "file": pdf},
                    {"task_id": 5000, "key": "legalForm", "value": "company"},
                ]
            },
        ),
        (
            "string check mode",
            MODULE,
            {
                "values": [
                    {"task_id": 5000, "key": "legalForm", "value": "association"},
                    {"task_id": 5000, "key": "legitimacyAfnic", "value": AFNIC_TEXT},
                ]
            },
            {"check": True, "diff": True},
        ),
        (
            "string values",
            MODULE,
            {
                "values": [
                    {"task_id": 5000, "key": "legalForm", "value": "association"},
                    {"task_id": 5000, "key": "legitimacyAfnic", "value": AFNIC_TEXT},
                ]
            },
        ),
        (
            "string values again",
            MODULE,
            {
                "values": [
                    {"task_id": 5000, "key": "legalForm", "value": "association"},
                    {"task_id": 5000, "key": "legitimacyAfnic", "value": AFNIC_TEXT},
                ]
            },
        ),
        # /me/contact: the value is a contact id.
        ("contact not an id", MODULE, {"task_id": 5001, "key": "nicadmin", "value": "john.smith"}),
        ("contact id", MODULE, {"task_id": 5001, "key": "nicadmin", "value": "1107"}),
        ("contact id again", MODULE, {"task_id": 5001, "key": "nicadmin", "value": "1107"}),
        # /me: an account reference, written as given.
        ("account value", MODULE, {"task_id": 5001, "key": "ownerAccount", "value": "yy5678-ovh"}),
        ("account value again", MODULE, {"task_id": 5001, "key": "ownerAccount", "value": "yy5678-ovh"}),
        # /me/document: a local file, checked, uploaded, then its document id written.
        ("document wrong extension", MODULE, {"task_id": 5001, "key": "identityEvidence", "file": txt}),
        ("document too large", MODULE, {"task_id": 5001, "key": "identityEvidence", "file": big}),
        ("document for string argument", MODULE, {"task_id": 5000, "key": "legalForm", "file": pdf}),
        ("document check mode", MODULE, {"task_id": 5001, "key": "identityEvidence", "file": pdf}, {"check": True}),
        ("document upload", MODULE, {"task_id": 5001, "key": "identityEvidence", "file": pdf}),
        ("document same file again", MODULE, {"task_id": 5001, "key": "identityEvidence", "file": pdf}),
        ("document other file", MODULE, {"task_id": 5001, "key": "identityEvidence", "file": png}),
        # Several arguments of one task, of two types, in one call.
        (
            "document and contact in one call",
            MODULE,
            {
                "values": [
                    {"task_id": 3003, "key": "identityEvidence", "file": pdf},
                    {"task_id": 3003, "key": "nicowner", "value": "1105"},
                ]
            },
        ),
        (
            "document and contact again",
            MODULE,
            {
                "values": [
                    {"task_id": 3003, "key": "identityEvidence", "file": pdf},
                    {"task_id": 3003, "key": "nicowner", "value": "1105"},
                ]
            },
        ),
        # Argument routes exist only under /me/task/domain.
        (
            "scoped key cannot correct",
            MODULE,
            {"task_id": 3000, "key": "legitimacyAfnic", "value": AFNIC_TEXT, "consumer_key": SCOPED_CONSUMER_KEY},
        ),
        (
            "relaunch corrected tasks",
            ACTION_MODULE,
            {"task_ids": [3003, 5000, 5001], "action": "relaunch", "wait": True, "wait_timeout": 60},
        ),
    ]


def produce(harness, directory):
    files_dir = directory / "files"
    files_dir.mkdir(parents=True)
    contents = {
        "pdf": ("identity.pdf", pdf_bytes(PDF_SIZE)),
        "txt": ("identity.txt", pdf_bytes(PDF_SIZE)),
        "big": ("oversized.pdf", pdf_bytes(OVERSIZED_PDF_SIZE)),
        "png": ("evidence.png", b"\x89PNG\r\n\x1a\n" + b"1" * 500),
    }
    files = {}
    for name, (file_name, content) in contents.items():
        path = files_dir / file_name
        path.write_bytes(content)
        files[name] = str(path)

    simulator = harness.start_simulator(coverage_scenario(), directory / "simulator")
    try:
        steps = []
        for name, module, options, *flags in steps_for(files):
            steps.append(module_call(name, module, options, **(flags[0] if flags else {})))
        record = play_script(harness, simulator, steps, directory)
        record["state"] = simulator.state()
        record["documents"] = documents(simulator)
        record["violations"] = schema_violations(simulator)
        record["files"] = files
        return record
    finally:
        simulator.stop()


@pytest.fixture
def run(shared_outcome, harness) -> Script:
    return Script(shared_outcome("argument-types", lambda directory: produce(harness, directory)))


def state_argument(run, task_id, key):
    task = next(task for task in run.record["state"]["tasks"] if task["id"] == task_id)
    return next(argument for argument in task["arguments"] if argument["key"] == key)


def document(run, document_id):
    return next(item for item in run.record["documents"] if item["id"] == document_id)


REJECTED_STEPS = [
    ("string not accepted", "accepted values are 'association', 'corporation', 'individual', 'other'"),
    ("string too short", "the minimum is 10"),
    ("string too long", "the maximum is 60"),
    ("string read-only", "read-only"),
    ("bulk with one invalid value", "the minimum is 10"),
    ("bulk invalid value stops upload", "accepted values are"),
    ("contact not an id", "contact id"),
    ("document wrong extension", "accepted formats are pdf, png"),
    ("document too large", "it is 4096 bytes, the maximum is 2048"),
    ("document for string argument", "not /me/document"),
]


@pytest.mark.parametrize(("name", "expected"), REJECTED_STEPS, ids=[step[0] for step in REJECTED_STEPS])
def test_invalid_request_fails(run, name, expected):
    assert run.failed(name), run.result(name)
    assert expected in run.msg(name)
    assert "No argument was written" in run.msg(name)


@pytest.mark.parametrize("name", [step[0] for step in REJECTED_STEPS])
def test_invalid_request_sends_no_write(run, name):
    assert run.writes(name) == []


def test_string_check_mode_sends_no_write(run):
    result = run.result("string check mode")

    assert result["changed"] is True
    assert run.writes("string check mode") == []
    assert result["diff"]["after"] == {"5000": {"legalForm": "association", "legitimacyAfnic": AFNIC_TEXT}}


def test_string_values_written(run):
    result = run.result("string values")

    assert result["changed"] is True
    assert [item["changed"] for item in result["arguments"]] == [True, True]
    assert sorted(run.writes("string values")) == [
        "PUT /me/task/domain/5000/argument/legalForm",
        "PUT /me/task/domain/5000/argument/legitimacyAfnic",
    ]


def test_string_values_idempotent(run):
    assert run.result("string values again")["changed"] is False
    assert run.writes("string values again") == []


def test_contact_written(run):
    result = run.result("contact id")
    put = [entry for entry in run.requests("contact id") if entry["method"] == "PUT"]

    assert result["changed"] is True
    assert result["argument"]["fields"] == ["phone"]
    assert [entry["body"] for entry in put] == [{"value": "1107"}]


def test_contact_idempotent(run):
    assert run.result("contact id again")["changed"] is False
    assert run.writes("contact id again") == []


def test_account_argument_written(run):
    result = run.result("account value")

    assert result["changed"] is True
    assert result["argument"]["type"] == "/me"
    assert result["argument"]["fields"] == ["legalForm", "organisationName"]
    assert run.writes("account value") == ["PUT /me/task/domain/5001/argument/ownerAccount"]


def test_account_argument_idempotent(run):
    assert run.result("account value again")["changed"] is False
    assert run.writes("account value again") == []


def test_document_check_mode_uploads_nothing(run):
    assert run.result("document check mode")["changed"] is True
    assert run.writes("document check mode") == []


def test_document_upload_sequence(run):
    calls = run.writes("document upload")
    document_id = run.result("document upload")["argument"]["value"]

    assert calls == [
        "POST /me/document",
        f"PUT /_storage/documents/{document_id}",
        "PUT /me/task/domain/5001/argument/identityEvidence",
    ]


def test_document_upload_result(run):
    result = run.result("document upload")
    created = document(run, result["argument"]["value"])

    assert result["changed"] is True
    assert result["argument"]["file"] == run.record["files"]["pdf"]
    assert created["name"] == "identity.pdf"
    assert created["size"] == PDF_SIZE
    assert DOCUMENT_DIGEST_TAG in [tag["key"] for tag in created["tags"] or []]


def test_document_argument_set_to_new_id(run):
    put = [
        entry
        for entry in run.requests("document upload")
        if entry["method"] == "PUT" and entry["path"].endswith("/identityEvidence")
    ]

    assert put[0]["body"] == {"value": run.result("document upload")["argument"]["value"]}


def test_document_same_file_unchanged(run):
    assert run.result("document same file again")["changed"] is False
    assert run.writes("document same file again") == []


def test_document_other_file_replaces(run):
    result = run.result("document other file")

    assert result["changed"] is True
    assert result["argument"]["value"] != run.result("document upload")["argument"]["value"]
    assert state_argument(run, 5001, "identityEvidence")["value"] == result["argument"]["value"]


def test_several_types_in_one_call(run):
    result = run.result("document and contact in one call")

    assert result["changed"] is True
    assert [(item["key"], item["changed"]) for item in result["arguments"]] == [
        ("identityEvidence", True),
        ("nicowner", True),
    ]
    assert state_argument(run, 3003, "nicowner")["value"] == "1105"
    assert state_argument(run, 3003, "identityEvidence")["value"] == result["arguments"][0]["value"]


def test_several_types_idempotent(run):
    assert run.result("document and contact again")["changed"] is False
    assert run.writes("document and contact again") == []


def test_scoped_key_names_access_rule(run):
    name = "scoped key cannot correct"

    assert run.failed(name)
    assert "only under /me/task/domain" in run.msg(name)
    assert "add an access rule" in run.msg(name)
    assert "GET /me/task/domain/*/argument" in run.msg(name)
    assert run.writes(name) == []


def test_corrected_tasks_accepted_by_registry(run):
    result = run.result("relaunch corrected tasks")

    assert not run.failed("relaunch corrected tasks"), result
    assert [(task["id"], task["status"]) for task in result["tasks"]] == [
        (3003, "done"),
        (5000, "done"),
        (5001, "done"),
    ]


def test_argument_responses_match_schema(run):
    assert_no_violations(run.record["violations"])
