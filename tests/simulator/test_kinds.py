"""scenarios/kinds.yaml: each task's typical error, the corrections that fix it, and the ones that do not."""

from __future__ import annotations

import ovh
import pytest
import yaml

from ovhsim_testlib import KINDS_SCENARIO, load_guide, write_scenario

IDENTITY_CARD = "3f2c9a64-8b1e-4d7a-9c55-0e6b2d8f1a37"
GIF_SCAN = "ba5e1c2d-4f6a-4b8c-9d0e-1f2a3b4c5d6e"
EMPTY_PDF = "c0ffee00-1d2e-4f3a-8b4c-5d6e7f8a9b0c"

# Task id -> the corrections that fix it (the header of kinds.yaml lists the same).
FIXES = {
    3000: {"legitimacyAfnic": "Website of our cafe in Lyon, open since 2012"},
    3001: {"authInfo": "Tr4nsfer-Code-2024"},
    3002: {"authInfo": "AfterMarket-7731"},
    3003: {"identityEvidence": IDENTITY_CARD, "nicowner": "1105"},
    3004: {"nicadmin": "1107"},
    3005: {"nameServers": "dns19.ovh.net,ns19.ovh.net"},
    3006: {},
    3007: {},
    3008: {},
}

# Task id -> corrections that the registry still rejects on relaunch.
WRONG_FIXES = [
    (3000, {"legitimacyAfnic": "cafe"}),
    (3001, {"authInfo": "Tr4nsfer-Code-2025"}),
    (3001, {}),
    (3002, {"authInfo": "AfterMarket-7732"}),
    (3003, {"identityEvidence": IDENTITY_CARD}),
    (3003, {"nicowner": "1105"}),
    (3003, {"identityEvidence": GIF_SCAN, "nicowner": "1105"}),
    (3003, {"identityEvidence": EMPTY_PDF, "nicowner": "1105"}),
    (3003, {"identityEvidence": "00000000-0000-4000-8000-000000000000", "nicowner": "1105"}),
    (3003, {"identityEvidence": IDENTITY_CARD, "nicowner": "9999"}),
    (3004, {"nicadmin": "9999"}),
    (3004, {"nicadmin": "not-an-id"}),
    (3004, {}),
    (3005, {"nameServers": "dns19.ovh.net"}),
    (3005, {"nameServers": "ns1.example.org,ns2.example.org"}),
]


def _fix_and_relaunch(sim, client, task_id: int, corrections: dict) -> dict:
    for key, value in corrections.items():
        assert client.put(f"/me/task/domain/{task_id}/argument/{key}", value=value) is None
    assert client.post(f"/me/task/domain/{task_id}/relaunch") is None
    assert client.get(f"/me/task/domain/{task_id}")["status"] == "todo"
    sim.advance(3)
    return client.get(f"/me/task/domain/{task_id}")


def test_kinds_scenario_loads(kinds_sim, ovh_client):
    client = ovh_client(kinds_sim)

    assert client.get("/me/task/domain") == list(range(3000, 3011))
    assert client.get("/me/task/domain", status="error") == [3000, 3001, 3002, 3003, 3004, 3005, 3006, 3007]
    assert client.get("/me/task/domain", status="problem") == [3008]
    assert client.get("/me/task/domain", status="cancelled") == [3009]
    assert client.get("/me/task/domain", type="alldom") == [3010]


@pytest.mark.parametrize("task_id", sorted(FIXES))
def test_fix_makes_task_done(kinds_sim, ovh_client, task_id):
    client = ovh_client(kinds_sim)
    if task_id == 3007:
        # Task 3007 is fixed through the /domain family, as its only scoped key can.
        client = ovh_client(kinds_sim, consumer_key="scoped-consumer-key")
        assert client.post("/domain/example.net/task/3007/relaunch") is None
        kinds_sim.advance(3)
        task = client.get("/domain/example.net/task/3007")
    else:
        task = _fix_and_relaunch(kinds_sim, client, task_id, FIXES[task_id])

    assert task["status"] == "done"
    assert task["comment"] is None
    assert task["doneDate"] is not None


@pytest.mark.parametrize(("task_id", "corrections"), WRONG_FIXES)
def test_wrong_fix_back_in_error(kinds_sim, ovh_client, task_id, corrections):
    task = _fix_and_relaunch(kinds_sim, ovh_client(kinds_sim), task_id, corrections)

    assert task["status"] == "error"
    assert task["canRelaunch"] is True


def test_uploaded_document_fixes_trade(kinds_sim, ovh_client):
    client = ovh_client(kinds_sim)
    document = client.post("/me/document", name="Identity.JPEG")
    kinds_sim.http.put(document["putUrl"], data=b"\xff\xd8" + b"\0" * 2000, timeout=10)

    task = _fix_and_relaunch(kinds_sim, client, 3003, {"identityEvidence": document["id"], "nicowner": "1105"})
    assert task["status"] == "done"


@pytest.mark.parametrize(
    ("name", "size"),
    [("identity.pdf", 1024001), ("identity.tiff", 2000), ("identity", 2000), ("identity.pdf", 0)],
    ids=["too-big", "format", "no-extension", "not-uploaded"],
)
def test_uploaded_document_rejected(kinds_sim, ovh_client, name, size):
    client = ovh_client(kinds_sim)
    document = client.post("/me/document", name=name)
    if size:
        kinds_sim.http.put(document["putUrl"], data=b"\0" * size, timeout=10)

    task = _fix_and_relaunch(kinds_sim, client, 3003, {"identityEvidence": document["id"], "nicowner": "1105"})
    assert task["status"] == "error"


def test_trade_arguments(kinds_sim, ovh_client):
    client = ovh_client(kinds_sim)

    evidence = client.get("/me/task/domain/3003/argument/identityEvidence")
    assert evidence["type"] == "/me/document"
    assert evidence["acceptedFormats"] == ["pdf", "jpg", "jpeg", "png"]
    assert evidence["maximumSize"] == 1024000
    assert evidence["value"] is None
    owner = client.get("/me/task/domain/3003/argument/nicowner")
    assert (owner["type"], owner["value"], owner["fields"]) == ("/me/contact", "1104", ["organisationName"])
    assert client.get("/me/contact/1104")["organisationName"] is None
    assert client.get("/me/contact/1105")["organisationName"] is not None


def test_transfer_code_size_checked(kinds_sim, ovh_client):
    client = ovh_client(kinds_sim)

    with pytest.raises(ovh.exceptions.BadParametersError, match="at least 5 characters"):
        client.put("/me/task/domain/3001/argument/authInfo", value="abcd")
    with pytest.raises(ovh.exceptions.BadParametersError, match="at most 50 characters"):
        client.put("/me/task/domain/3001/argument/authInfo", value="x" * 51)


def test_idn_domain_stored_in_ascii(kinds_sim, ovh_client):
    client = ovh_client(kinds_sim)

    assert client.get("/me/task/domain", domain="xn--caf-dma.fr") == [3000]
    assert client.get("/me/task/domain", domain="café.fr") == []
    assert client.get("/domain/xn--caf-dma.fr/task") == [3000]


def test_scoped_key_needs_domain_family(kinds_sim, ovh_client):
    scoped = ovh_client(kinds_sim, consumer_key="scoped-consumer-key")

    for path in ("/me/task/domain", "/me/task/domain/3007", "/me/task/domain/3007/argument"):
        with pytest.raises(ovh.exceptions.NotGrantedCall, match="This call has not been granted"):
            scoped.get(path)
    with pytest.raises(ovh.exceptions.NotGrantedCall):
        scoped.post("/me/task/domain/3007/relaunch")
    # Another domain's tasks are out of its rules, even through /domain.
    with pytest.raises(ovh.exceptions.NotGrantedCall):
        scoped.get("/domain/dns-example.org/task")

    assert scoped.get("/domain/example.net/task") == [3007]
    assert scoped.get("/domain/example.net/task", status="error") == [3007]
    assert scoped.get("/domain/example.net/task/3007")["function"] == "DomainHostUpdate"
    # The other tasks do not belong to example.net.
    with pytest.raises(ovh.exceptions.ResourceNotFoundError):
        scoped.get("/domain/example.net/task/3006")
    assert kinds_sim.task(3007)["status"] == "error"


def test_progressbar_scenario_steps(start_sim, ovh_client, tmp_path):
    # Phases of 30 s, so each clock advance lands in a known phase even on a slow machine.
    document = yaml.safe_load(KINDS_SCENARIO.read_text(encoding="utf-8"))
    document["timing"] = {"todo_seconds": 30, "doing_seconds": 30}
    sim = start_sim(write_scenario(document, tmp_path / "slow-kinds.yaml"))
    client = ovh_client(sim)

    bar = client.get("/me/task/domain/3001/progressbar")
    assert [step["step"] for step in bar["followUpSteps"]] == [
        "initialisation", "askForAuthInfo", "Contacts Confirmation",
        "Confirmation Of The Current Registrar", "Finalization Of The Transfer"]
    assert bar["currentStep"]["step"] == "askForAuthInfo"
    assert bar["progress"] == 25
    assert bar["taskStatus"] == "error"

    client.put("/me/task/domain/3001/argument/authInfo", value="Tr4nsfer-Code-2024")
    client.post("/me/task/domain/3001/relaunch")
    todo = client.get("/me/task/domain/3001/progressbar")
    assert (todo["currentStep"]["step"], todo["progress"]) == ("initialisation", 0)
    sim.advance(31)
    doing = client.get("/me/task/domain/3001/progressbar")
    assert (doing["taskStatus"], doing["currentStep"]["step"], doing["progress"]) == ("doing", "askForAuthInfo", 25)
    sim.advance(31)
    done = client.get("/me/task/domain/3001/progressbar")
    assert (done["currentStep"]["step"], done["progress"]) == ("Finalization Of The Transfer", 100)


def test_progressbar_default_steps(kinds_sim, ovh_client):
    bar = ovh_client(kinds_sim).get("/me/task/domain/3006/progressbar")

    assert [step["step"] for step in bar["followUpSteps"]] == ["initialisation", "registryRequest", "finalization"]
    assert (bar["currentStep"]["step"], bar["progress"]) == ("registryRequest", 50)


def test_progress_error_step_option(start_sim, ovh_client, tmp_path):
    document = load_guide()
    document["tasks"][0]["simulation"]["progress_steps"] = [
        {"step": f"step{index}", "description": f"Step {index}"} for index in range(4)]
    document["tasks"][0]["simulation"]["progress_error_step"] = 2
    sim = start_sim(write_scenario(document, tmp_path / "steps.yaml"))

    bar = ovh_client(sim).get("/me/task/domain/1000/progressbar")
    assert (bar["currentStep"]["step"], bar["progress"]) == ("step2", 67)
    assert bar["followUpSteps"][0]["executionDuration"] == 0


def test_kinds_header_lists_every_task():
    header = "".join(line for line in KINDS_SCENARIO.read_text(encoding="utf-8").splitlines(keepends=True)
                     if line.startswith("#"))

    for task_id in range(3000, 3011):
        assert f"#   {task_id}  " in header, task_id
    for corrections in FIXES.values():
        for value in corrections.values():
            assert value in header, value
