"""Helpers of the ecosystem tests: running commands and describing their outcome."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
COMMAND_TIMEOUT = 300


def find_tool(name: str) -> str | None:
    """Return the path of command ``name`` of the interpreter's environment, or None."""
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else None


def run_command(command: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``command``, capturing its output as text, without raising on a non-zero exit code."""
    return subprocess.run(
        command,
        cwd=cwd or REPO_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )


def describe(completed: subprocess.CompletedProcess) -> str:
    """Return a command, its exit code and its output, for assertion messages."""
    return (
        f"$ {' '.join(completed.args)}\nrc={completed.returncode}\n"
        f"--- stdout ---\n{completed.stdout}\n--- stderr ---\n{completed.stderr}"
    )
