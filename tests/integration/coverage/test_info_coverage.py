"""domain_task_info (and the domain_tasks lookup) over the whole task API.

One scripted run on the kinds scenario plus scenarios/coverage.yaml covers
every status, the type field and filter, list filters, IDNs, and a function
that the API's enumeration does not list. It also reads the progress bar and
every argument type, through both route families. The /domain family is
tried explicitly and as the fallback for a consumer key that is granted
/domain/example.net/task only.
"""

from __future__ import annotations

import pytest

from coverage_testlib import (
    SCOPED_CONSUMER_KEY,
    Script,
    assert_no_violations,
    coverage_scenario,
    ids,
    module_call,
    play_script,
    schema_violations,
)

MODULE = "ovhcloud.domain.domain_task_info"

ERROR_IDS = [3000, 3001, 3002, 3003, 3004, 3005, 3006, 3007, 5000, 5001, 5014]
TODO_IDS = [5003, 5004, 5005, 5006, 5012, 5013]
DOING_IDS = [5007, 5008, 5009, 5010, 5011]
ALL_IDS = sorted(ERROR_IDS + TODO_IDS + DOING_IDS + [3008, 3009, 3010, 5002])
ALLDOM_IDS = [3010, 5003]
EXAMPLE_NET_IDS = [3007, 5012, 5013]

# (step name, module options, expected task ids)
FILTER_CASES = [
    ("no filter", {}, ALL_IDS),
    ("status todo", {"status": "todo"}, TODO_IDS),
    ("status doing", {"status": "doing"}, DOING_IDS),
    ("status done", {"status": "done"}, [3010, 5002]),
    ("status error", {"status": "error"}, ERROR_IDS),
    ("status problem", {"status": "problem"}, [3008]),
    ("status cancelled", {"status": "cancelled"}, [3009]),
    ("status list", {"status": ["error", "problem"]}, sorted(ERROR_IDS + [3008])),
    ("type alldom", {"type": "alldom"}, ALLDOM_IDS),
    ("type domain", {"type": "domain"}, [task_id for task_id in ALL_IDS if task_id not in ALLDOM_IDS]),
    ("type list", {"type": ["alldom", "domain"]}, ALL_IDS),
    ("type and status", {"type": "alldom", "status": "todo"}, [5003]),
    ("unknown function", {"function": "DomainSendRDRPNotice"}, [5002]),
    ("unknown function in list", {"function": ["DomainSendRDRPNotice", "DomainRenew"]}, [3008, 3010, 5002, 5003, 5011]),
    (
        "unknown function and status",
        {"function": ["DomainSendRDRPNotice", "DomainRenew"], "status": "done"},
        [3010, 5002],
    ),
    (
        "function list and status",
        {"function": ["DomainCreate", "DomainTrade"], "status": "error"},
        [3000, 3003, 5000, 5001],
    ),
    ("domain list", {"domain": ["transfer-example.com", "example.net"]}, [3001, 3007, 5012, 5013]),
    (
        "domain list and status list",
        {"domain": ["example.net", "pack-example.com", "cancelled-example.fr"], "status": ["todo", "cancelled"]},
        [3009, 5003, 5012, 5013],
    ),
    (
        "every filter as a list",
        {
            "domain": ["string-example.fr", "account-example.eu", "pack-example.com"],
            "status": ["error", "todo"],
            "function": ["DomainCreate", "DomainRenew"],
            "type": ["domain"],
        },
        [5000],
    ),
    ("idn unicode", {"domain": "café.fr"}, [3000]),
    ("idn ascii", {"domain": "xn--caf-dma.fr"}, [3000]),
    ("idn upper case", {"domain": "Café.FR"}, [3000]),
    ("idn both forms", {"domain": ["café.fr", "xn--caf-dma.fr"]}, [3000]),
    ("task ids with status list", {"task_id": [3008, 3009, 5002], "status": ["problem", "done"]}, [3008, 5002]),
    ("domain family", {"api_family": "domain", "domain": "example.net"}, EXAMPLE_NET_IDS),
    (
        "domain family with filters",
        {"api_family": "domain", "domain": ["example.net", "transfer-example.com"], "status": "todo"},
        [5012, 5013],
    ),
    ("domain family idn", {"api_family": "domain", "domain": "café.fr"}, [3000]),
    ("me family", {"api_family": "me", "domain": "example.net"}, EXAMPLE_NET_IDS),
    ("scoped key fallback", {"consumer_key": SCOPED_CONSUMER_KEY, "domain": "example.net"}, EXAMPLE_NET_IDS),
    (
        "scoped key fallback with status",
        {"consumer_key": SCOPED_CONSUMER_KEY, "domain": "example.net", "status": ["error", "todo"]},
        EXAMPLE_NET_IDS,
    ),
]

FAILURE_STEPS = [
    ("domain family without domain", {"api_family": "domain"}),
    ("scoped key without domain", {"consumer_key": SCOPED_CONSUMER_KEY, "status": "error"}),
    ("scoped key on me family", {"consumer_key": SCOPED_CONSUMER_KEY, "api_family": "me", "domain": "example.net"}),
]

DETAIL_STEPS = [
    ("progress", {"task_id": [3001, 5003], "progress": True}),
    ("arguments of every type", {"task_id": [3001, 5000, 5001], "arguments": True}),
    (
        "scoped key details",
        {
            "consumer_key": SCOPED_CONSUMER_KEY,
            "domain": "example.net",
            "status": "error",
            "arguments": True,
            "progress": True,
        },
    ),
]

LOOKUP_STEP = "lookup with unknown function"

TRANSFER_STEPS = [
    "initialisation",
    "askForAuthInfo",
    "Contacts Confirmation",
    "Confirmation Of The Current Registrar",
    "Finalization Of The Transfer",
]


def produce(harness, directory):
    simulator = harness.start_simulator(coverage_scenario(), directory / "simulator")
    try:
        steps = [module_call(name, MODULE, options) for name, options, _ in FILTER_CASES]
        steps += [module_call(name, MODULE, options) for name, options in FAILURE_STEPS + DETAIL_STEPS]
        steps.append(
            module_call(
                LOOKUP_STEP,
                "ansible.builtin.set_fact",
                {
                    "coverage_lookup_tasks": "{{ query('ovhcloud.domain.domain_tasks', function=['DomainSendRDRPNotice']) }}",
                },
            )
        )
        record = play_script(harness, simulator, steps, directory)
        record["violations"] = schema_violations(simulator)
        return record
    finally:
        simulator.stop()


@pytest.fixture
def info(shared_outcome, harness) -> Script:
    return Script(shared_outcome("info", lambda directory: produce(harness, directory)))


def by_id(tasks):
    return {task["id"]: task for task in tasks}


def arguments_of(info, task_id):
    """Return the arguments that the "arguments of every type" step read for a task, by key."""
    task = by_id(info.result("arguments of every type")["tasks"])[task_id]
    return {argument["key"]: argument for argument in task["arguments"]}


@pytest.mark.parametrize(("name", "options", "expected"), FILTER_CASES, ids=[case[0] for case in FILTER_CASES])
def test_info_filter(info, name, options, expected):
    assert not info.failed(name), info.result(name)

    assert ids(info.result(name)["tasks"]) == expected


def test_info_sends_only_reads(info):
    methods = {entry["method"] for entry in info.record["requests"]}

    assert methods == {"GET"}


def test_info_never_sends_unknown_function(info):
    """The API rejects a function outside its enumeration, so the module filters such names itself."""
    queries = [entry["query"] for entry in info.requests("unknown function in list")]

    assert all("DomainSendRDRPNotice" not in query.get("function", []) for query in queries)
    assert all(entry["status"] == 200 for entry in info.requests("unknown function in list"))


def test_info_unknown_function_passed_through(info):
    task = info.result("unknown function")["tasks"][0]

    assert task["function"] == "DomainSendRDRPNotice"
    assert task["status"] == "done"


def test_info_status_problem_fields(info):
    task = info.result("status problem")["tasks"][0]

    assert task["status"] == "problem"
    assert task["comment"] == "The renewal order stalled at the registry"
    assert task["can_relaunch"] is True


def test_info_type_field(info):
    tasks = by_id(info.result("no filter")["tasks"])

    assert tasks[3010]["type"] == "alldom"
    assert tasks[5003]["type"] == "alldom"
    assert tasks[3000]["type"] == "domain"


def test_info_type_filter_sent_to_api(info):
    queries = [entry["query"] for entry in info.requests("type alldom") if entry["path"] == "/me/task/domain"]

    assert queries
    assert all(query.get("type") == ["alldom"] for query in queries)


def test_info_idn_sent_in_ascii_form(info):
    domains = {value for entry in info.requests("idn unicode") for value in entry["query"].get("domain", [])}

    assert domains == {"xn--caf-dma.fr"}


def test_info_me_family_reported(info):
    tasks = info.result("no filter")["tasks"]

    assert {task["api_family"] for task in tasks} == {"me"}
    assert {task["api_family"] for task in info.result("me family")["tasks"]} == {"me"}


def test_info_domain_family_routes(info):
    paths = {entry["path"] for entry in info.requests("domain family") if entry["path"] != "/auth/time"}

    assert paths
    assert all(path.startswith("/domain/example.net/task") for path in paths), paths
    assert {task["api_family"] for task in info.result("domain family")["tasks"]} == {"domain"}


def test_info_domain_family_reports_domain(info):
    tasks = info.result("domain family idn")["tasks"]

    assert tasks[0]["domain"] == "xn--caf-dma.fr"
    assert tasks[0]["api_family"] == "domain"
    assert {entry["path"] for entry in info.requests("domain family idn")} >= {"/domain/xn--caf-dma.fr/task"}


def test_info_scoped_key_falls_back(info):
    requests = info.requests("scoped key fallback")

    assert {task["api_family"] for task in info.result("scoped key fallback")["tasks"]} == {"domain"}
    assert [entry["status"] for entry in requests if entry["path"] == "/me/task/domain"] == [403]
    assert all(entry["status"] == 200 for entry in requests if entry["path"].startswith("/domain/example.net/task"))


def test_info_domain_family_needs_domain(info):
    assert info.failed("domain family without domain")
    assert "domain option" in info.msg("domain family without domain")
    assert info.requests("domain family without domain") == []


def test_info_scoped_key_without_domain_fails(info):
    name = "scoped key without domain"

    assert info.failed(name)
    assert "NOT_GRANTED_CALL" in info.msg(name)
    assert "add an access rule" in info.msg(name)
    assert "GET /me/task/domain" in info.msg(name)


def test_info_scoped_key_me_family_names_rule(info):
    name = "scoped key on me family"

    assert info.failed(name)
    assert "add an access rule" in info.msg(name)
    assert "GET /me/task/domain" in info.msg(name)
    assert info.result(name)["http_status"] == 403


def test_info_progress_of_error_task(info):
    progress = by_id(info.result("progress")["tasks"])[3001]["progress"]

    assert progress["current_step"] == {
        "step": "askForAuthInfo",
        "description": "Checking the transfer code with the registry",
        "execution_duration": 1,
    }
    assert [step["step"] for step in progress["follow_up_steps"]] == TRANSFER_STEPS
    assert progress["percentage"] == 25
    assert progress["expected_done_date"] is None
    assert progress["last_update_date"] == "2024-03-04T11:05:00+01:00"
    assert progress["task_actions"] == ["canCancel", "canCorrect", "canRelaunch"]
    assert progress["task_status"] == "error"


def test_info_progress_of_todo_task(info):
    progress = by_id(info.result("progress")["tasks"])[5003]["progress"]

    assert progress["current_step"]["step"] == "initialisation"
    assert progress["percentage"] == 0
    assert len(progress["follow_up_steps"]) == 3
    assert progress["expected_done_date"].startswith("2099-01-01T00:00:01")
    assert progress["task_actions"] == ["canCancel"]
    assert progress["task_status"] == "todo"


def test_info_progress_route(info):
    paths = {entry["path"] for entry in info.requests("progress")}

    assert {"/me/task/domain/3001/progressbar", "/me/task/domain/5003/progressbar"} <= paths


def test_info_string_arguments(info):
    arguments = arguments_of(info, 5000)

    assert arguments["legalForm"]["type"] == "string"
    assert arguments["legalForm"]["accepted_values"] == ["association", "corporation", "individual", "other"]
    assert arguments["legitimacyAfnic"]["minimum_size"] == 10
    assert arguments["legitimacyAfnic"]["maximum_size"] == 60
    assert arguments["legitimacyAfnic"]["template"] == "This domain name will be used for ..."
    assert arguments["registrantId"]["read_only"] is True
    assert arguments["registrantId"]["value"] == "REG-0001"


def test_info_account_arguments(info):
    arguments = arguments_of(info, 5001)

    assert arguments["ownerAccount"]["type"] == "/me"
    assert arguments["ownerAccount"]["fields"] == ["legalForm", "organisationName"]
    assert arguments["ownerAccount"]["value"] == "xx1234-ovh"
    assert arguments["identityEvidence"]["type"] == "/me/document"
    assert arguments["identityEvidence"]["accepted_formats"] == ["pdf", "png"]
    assert arguments["identityEvidence"]["maximum_size"] == 2048
    assert arguments["nicadmin"]["type"] == "/me/contact"
    assert arguments["nicadmin"]["fields"] == ["phone"]
    assert arguments["nicadmin"]["value"] == "1106"


def test_info_secret_argument_masked(info):
    argument = arguments_of(info, 3001)["authInfo"]

    assert argument["value"] == "********"
    assert "OLD-CODE-1234" not in info.record["playbook"]["stdout"]


def test_info_scoped_key_details_unavailable(info):
    name = "scoped key details"
    result = info.result(name)
    task = result["tasks"][0]

    assert not info.failed(name), result
    assert task["id"] == 3007
    assert task["api_family"] == "domain"
    assert task["arguments"] is None
    assert task["progress"] is None
    assert any("/domain/{serviceName}/task" in warning for warning in result.get("warnings", [])), result


def test_lookup_unknown_function(info):
    result = info.result(LOOKUP_STEP)

    assert not info.failed(LOOKUP_STEP), result
    assert [task["id"] for task in result["ansible_facts"]["coverage_lookup_tasks"]] == [5002]


def test_info_responses_match_schema(info):
    assert_no_violations(info.record["violations"])
