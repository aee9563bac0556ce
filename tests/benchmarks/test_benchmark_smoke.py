"""Smoke test of benchmarks/run.py: the quick run completes and records every case.

It checks that each case ran and did its job (tasks listed, corrections
written, tasks relaunched), the request and module-run counts, never the
timings, which depend on the machine. It is one test, so that pytest-xdist
never starts the benchmark twice.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]
RUN_SCRIPT = REPO_ROOT / "benchmarks" / "run.py"
SMOKE_TIMEOUT = 300

LISTING_CASES = {"python-ovh-sequential", "python-ovh-threads", "domain-task-info", "domain-task-info-no-bulk", "lookup"}
FIX_CASES = {"role", "loop"}
ALL_CASES = LISTING_CASES | FIX_CASES | {"ansible-baseline"}
TASKS = 10
ERRORS = 2


def test_quick_benchmark_run(tmp_path):
    results_path = tmp_path / "latest.json"
    command = [sys.executable, str(RUN_SCRIPT), "--quick", "--sizes", str(TASKS), "--errors", str(ERRORS),
               "--results", str(results_path), "--no-plot"]

    completed = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=SMOKE_TIMEOUT,
                               check=False)

    assert completed.returncode == 0, f"$ {' '.join(command)}\n{completed.stdout}\n{completed.stderr}"
    results = json.loads(results_path.read_text(encoding="utf-8"))
    runs = {run["case"]: run for run in results["runs"]}

    assert set(runs) == ALL_CASES
    assert [(run["case"], run["problems"]) for run in results["runs"] if not run["ok"]] == []

    # python-ovh and the module without bulk listing: /auth/time, the ids, then one GET per task.
    assert runs["python-ovh-sequential"]["requests"] == TASKS + 2
    assert runs["domain-task-info-no-bulk"]["requests"] == TASKS + 2
    # With bulk listing: /auth/time and one page.
    assert runs["domain-task-info"]["requests"] == 2
    assert runs["ansible-baseline"]["requests"] == 0

    assert runs["role"]["module_runs"] == 3
    assert runs["loop"]["module_runs"] == 1 + 2 * ERRORS
    assert runs["domain-task-info"]["module_runs"] == 1
    assert runs["lookup"]["module_runs"] == 0

    for case in sorted(FIX_CASES):
        assert runs[case]["requests_by_call"]["POST /me/task/domain/{id}/relaunch"] == ERRORS, case

    assert runs["domain-task-info"]["client_max_rss_kb"] > 0
    assert runs["lookup"]["tree_max_rss_kb"] > 0

    assert {row["case"] for row in results["summary"]} == ALL_CASES
    assert len(results["targets"]) == 6
