"""Fixtures of the module-level integration tests: the simulator runs the
scenario tests/integration/scenarios/modules.yaml instead of the demo one."""

from __future__ import annotations

from pathlib import Path

import pytest

MODULES_SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "modules.yaml"


@pytest.fixture
def simulator(simulator_factory):
    """The simulator running the module-test scenario; ``ansible_env`` and ``run_module`` use it."""
    return simulator_factory(MODULES_SCENARIO)


@pytest.fixture
def modules_scenario() -> Path:
    return MODULES_SCENARIO
