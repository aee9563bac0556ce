"""Fixtures of the API-coverage tests (helpers in coverage_testlib.py).

A scripted run is played once per test session, even with pytest-xdist: the
first worker that needs it plays it and stores the outcome as JSON in the
session's shared temporary directory, and the other workers read that file.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path
from typing import Any, Callable

import pytest


@pytest.fixture(scope="session")
def shared_outcome(tmp_path_factory):
    """Return ``get(name, produce)``: the outcome of ``produce(directory)``, computed once per session.

    ``produce`` returns JSON-ready data. Under pytest-xdist, the first worker
    that requests it computes it while holding a file lock, and the others wait for
    the lock and read the stored JSON.
    """
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        # Each worker's base directory is a child of the session's directory.
        base = base.parent
    root = base / "coverage-outcomes"
    root.mkdir(exist_ok=True)
    memo: dict[str, Any] = {}

    def get(name: str, produce: Callable[[Path], Any]) -> Any:
        if name in memo:
            if isinstance(memo[name], Exception):
                raise memo[name]
            return memo[name]
        stored = root / f"{name}.json"
        with open(root / f"{name}.lock", "w", encoding="utf-8") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if stored.exists():
                outcome = json.loads(stored.read_text(encoding="utf-8"))
            else:
                try:
                    outcome = produce(root / name)
                except Exception as error:
                    # Every test of this run fails with the same error, without playing it again.
                    memo[name] = error
                    raise
                stored.write_text(json.dumps(outcome), encoding="utf-8")
        memo[name] = outcome
        return outcome

    return get
