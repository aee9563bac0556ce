"""The simulator's mutable state for one scenario, replaced whole on reset."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from .account import Account, ContactStore, DocumentStore
from .auth import Authenticator
from .clock import SimClock
from .control import RequestLog
from .faults import FaultInjector
from .oauth2 import TokenRegistry
from .pagination import PaginationSettings
from .scenario import Scenario, load_scenario
from .schema_check import SchemaChecker, ViolationLog
from .stats import RequestStats
from .store import TaskStore


@dataclass(frozen=True)
class _Run:
    scenario: Scenario
    clock: SimClock
    store: TaskStore
    authenticator: Authenticator
    # Fault rules and base latency, then the bulk-listing switch. Both start
    # from the scenario and change through the control API until the next reset.
    faults: FaultInjector
    pagination: PaginationSettings
    # OAuth2 tokens, documents and contacts, which start from the scenario.
    tokens: TokenRegistry
    account: Account


class Simulator:
    """Scenario, clock, task store, authenticator and request log of a running server.

    A request handler reads ``run`` once and uses that snapshot to the end, so a
    concurrent reset never mixes the old clock with the new store.
    """

    def __init__(self, scenario_path: str | Path, schema: SchemaChecker | None = None):
        self.scenario_path = Path(scenario_path).resolve()
        # With a schema, every successful API response is checked, and mismatches
        # are kept across resets in ``violations``.
        self.schema = schema
        self.violations = ViolationLog()
        # http://HOST:PORT of the server, set once it listens. Documents' putUrl and getUrl start with it.
        self.base_url = ""
        self.log = RequestLog()
        self.stats = RequestStats()
        self._lock = threading.Lock()
        self.run = self._start(load_scenario(self.scenario_path))

    @staticmethod
    def _start(scenario: Scenario) -> _Run:
        clock = SimClock(scenario.clock_offset)
        tokens = TokenRegistry(scenario.oauth2_clients, clock)
        account = Account(DocumentStore(scenario.documents, clock), ContactStore(scenario.contacts))
        return _Run(
            scenario=scenario,
            clock=clock,
            store=TaskStore(scenario.tasks, clock, account),
            authenticator=Authenticator(scenario.credentials, clock, tokens),
            faults=FaultInjector(scenario.faults, scenario.latency_seconds),
            pagination=PaginationSettings(scenario.pagination),
            tokens=tokens,
            account=account,
        )

    @property
    def clock(self) -> SimClock:
        return self.run.clock

    @property
    def store(self) -> TaskStore:
        return self.run.store

    def reset(self) -> None:
        """Reload the scenario file, restart the clock and clear the request log and counters.

        Raises ScenarioError and keeps the current state when the file is invalid.
        """
        scenario = load_scenario(self.scenario_path)
        with self._lock:
            self.run = self._start(scenario)
            self.log.clear()
            self.stats.clear()
