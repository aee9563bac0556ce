"""The simulator's mutable state for one scenario, replaced whole on reset."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from .auth import Authenticator
from .clock import SimClock
from .control import RequestLog
from .scenario import Scenario, load_scenario
from .store import TaskStore


@dataclass(frozen=True)
class _Run:
    scenario: Scenario
    clock: SimClock
    store: TaskStore
    authenticator: Authenticator


class Simulator:
    """Scenario, clock, task store, authenticator and request log of a running server.

    A request handler reads ``run`` once and uses that snapshot to the end, so a
    concurrent reset never mixes the old clock with the new store.
    """

    def __init__(self, scenario_path: str | Path):
        self.scenario_path = Path(scenario_path).resolve()
        self.log = RequestLog()
        self._lock = threading.Lock()
        self.run = self._start(load_scenario(self.scenario_path))

    @staticmethod
    def _start(scenario: Scenario) -> _Run:
        clock = SimClock(scenario.clock_offset)
        return _Run(
            scenario=scenario,
            clock=clock,
            store=TaskStore(scenario.tasks, clock),
            authenticator=Authenticator(scenario.credentials, clock),
        )

    @property
    def clock(self) -> SimClock:
        return self.run.clock

    @property
    def store(self) -> TaskStore:
        return self.run.store

    def reset(self) -> None:
        """Reload the scenario file, restart the clock and clear the request log.

        Raises ScenarioError and keeps the current state when the file is invalid.
        """
        scenario = load_scenario(self.scenario_path)
        with self._lock:
            self.run = self._start(scenario)
            self.log.clear()
