"""Fixtures of the simulator tests; the helpers they use are in ovhsim_testlib.py."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from ovhsim_testlib import (
    DEMO_APPLICATION_KEY,
    DEMO_APPLICATION_SECRET,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_CONSUMER_KEY,
    GUIDE_SCENARIO,
    KINDS_SCENARIO,
    SCHEMA_MISSING_REASON,
    SCHEMA_PATH,
    CheckedClient,
    SchemaChecker,
    SimulatorProcess,
    edge_scenario,
    load_schema,
    start_simulator,
    write_scenario,
)


@pytest.fixture
def start_sim(tmp_path: Path):
    """Return ``start(scenario, *extra_args)`` (scenario: path or dict). Every process is stopped at teardown.

    With the reference schema present, each simulator checks its own responses
    (``--schema``), and teardown fails when one of them did not match.
    """
    started: list[SimulatorProcess] = []

    def start(scenario: Path | dict, *extra: str) -> SimulatorProcess:
        directory = tmp_path / f"simulator-{len(started)}"
        if isinstance(scenario, dict):
            scenario = write_scenario(scenario, directory / "scenario.yaml")
        if SCHEMA_PATH.is_file() and "--schema" not in extra:
            extra = (*extra, "--schema", str(SCHEMA_PATH))
        instance = start_simulator(scenario, directory, *extra)
        started.append(instance)
        return instance

    yield start

    violations = []
    try:
        for instance in started:
            if instance.process.poll() is None:
                violations += instance.violations()
    finally:
        for instance in started:
            instance.stop()
    assert violations == [], "responses that do not match the reference schema:\n" + "\n".join(map(str, violations))


@pytest.fixture
def guide_sim(start_sim) -> SimulatorProcess:
    """The simulator running the demo scenario as shipped."""
    return start_sim(GUIDE_SCENARIO)


@pytest.fixture
def edge_sim(start_sim) -> SimulatorProcess:
    """The simulator running ``edge_scenario()``."""
    return start_sim(edge_scenario())


@pytest.fixture(scope="session")
def optional_api_schema() -> SchemaChecker | None:
    """The reference schema checker, or None when the reference file is absent."""
    return load_schema()


@pytest.fixture
def api_schema(optional_api_schema) -> SchemaChecker:
    """The reference schema checker; skips the test when the reference file is absent."""
    if optional_api_schema is None:
        pytest.skip(SCHEMA_MISSING_REASON)
    return optional_api_schema


@pytest.fixture
def ovh_client(monkeypatch, optional_api_schema):
    """Return ``make(sim, application_key=..., application_secret=..., consumer_key=...)``.

    ovh 1.2.0 accepts only endpoint names from ``ovh.client.ENDPOINTS``, so the
    simulator's URL is registered there under a temporary name.
    """
    ovh = pytest.importorskip("ovh")

    def make(sim: SimulatorProcess, application_key: str = DEMO_APPLICATION_KEY,
             application_secret: str = DEMO_APPLICATION_SECRET, consumer_key: str = DEMO_CONSUMER_KEY) -> CheckedClient:
        name = f"ovhsim-{uuid.uuid4().hex[:8]}"
        monkeypatch.setitem(ovh.client.ENDPOINTS, name, sim.url)
        client = ovh.Client(endpoint=name, application_key=application_key,
                            application_secret=application_secret, consumer_key=consumer_key)
        # Proxy variables of the environment must not apply to 127.0.0.1.
        client._session.trust_env = False
        return CheckedClient(client, optional_api_schema)

    return make


@pytest.fixture
def ovh_oauth2_client(monkeypatch, optional_api_schema):
    """Return ``make(sim, client_id=..., client_secret=...)``: an ``ovh.Client`` in OAuth2 mode.

    In OAuth2 mode ovh 1.2.0 reads the token URL from
    ``ovh.client.OAUTH2_TOKEN_URLS`` by endpoint name, so the simulator's API
    and token URLs are registered under a temporary name. oauthlib refuses
    plain HTTP unless OAUTHLIB_INSECURE_TRANSPORT is set, and the sessions it
    creates read proxy settings from the environment, hence NO_PROXY.
    """
    ovh = pytest.importorskip("ovh")
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    # Key-mode settings from the environment would make ovh refuse the OAuth2 configuration.
    for name in ("OVH_APPLICATION_KEY", "OVH_APPLICATION_SECRET", "OVH_CONSUMER_KEY", "OVH_CLIENT_ID", "OVH_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)

    def make(sim: SimulatorProcess, client_id: str = DEMO_CLIENT_ID, client_secret: str = DEMO_CLIENT_SECRET) -> CheckedClient:
        name = f"ovhsim-{uuid.uuid4().hex[:8]}"
        monkeypatch.setitem(ovh.client.ENDPOINTS, name, sim.url)
        monkeypatch.setitem(ovh.client.OAUTH2_TOKEN_URLS, name, sim.token_url)
        client = ovh.Client(endpoint=name, client_id=client_id, client_secret=client_secret)
        client._session.trust_env = False
        return CheckedClient(client, optional_api_schema)

    return make


@pytest.fixture
def kinds_sim(start_sim) -> SimulatorProcess:
    """The simulator running scenarios/kinds.yaml as shipped."""
    return start_sim(KINDS_SCENARIO)
