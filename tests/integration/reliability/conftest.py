"""Fixtures of the reliability tests: the Ansible environment for a simulator,
and the collector whose entries end in tests/output/reliability.json (see
reliability_testlib)."""

from __future__ import annotations

import itertools

import pytest

from reliability_testlib import Collector, ScopedCollector, known_bug_of, write_report


@pytest.fixture(scope="session")
def session_collector(request) -> Collector:
    """The entries of this session's reliability tests, written out when the session ends."""
    instance = Collector()
    yield instance
    if instance.entries:
        write_report(request.config, instance.entries, "integration")


@pytest.fixture
def collector(session_collector, request) -> ScopedCollector:
    """The session collector, with each entry marked as a known bug when the test is marked xfail."""
    return ScopedCollector(session_collector, known_bug_of(request))


@pytest.fixture
def env_for(harness, tmp_path):
    """Return ``env_for(simulator)``: an Ansible environment with the demo credentials for that simulator."""
    numbers = itertools.count()

    def build(simulator) -> dict[str, str]:
        return harness.ansible_env(tmp_path / f"ansible-{next(numbers)}", simulator)

    return build
