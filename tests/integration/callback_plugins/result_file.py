# Test-only callback plugin: writes every task result and the play recap of
# an ansible-playbook run to a JSON file, so tests can assert on results
# while the default callback keeps stdout readable.
from __future__ import annotations

DOCUMENTATION = r"""
name: result_file
type: aggregate
short_description: Write task results and the play recap to a JSON file
description:
  - Collects the result of every task on every host, and the statistics of
    the play recap, and writes them to a JSON file when the playbook ends.
  - Used by the integration tests of ovhcloud.domain.
options:
  path:
    description: File that receives the JSON document.
    type: path
    required: true
    env:
      - name: OVHCLOUD_DOMAIN_TEST_RESULT_FILE
"""

import json

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "result_file"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._tasks = []

    def _record(self, result, status):
        # The public result, task and host properties exist from ansible-core
        # 2.19 on; older releases (the tests also run on 2.16) have only the
        # private attributes.
        if hasattr(result, "host"):
            host, task, payload = result.host, result.task, result.result
        else:
            host, task, payload = result._host, result._task, result._result
        self._tasks.append(
            {
                "host": host.get_name(),
                "task": result.task_name,
                "action": task.action,
                "status": status,
                "result": payload,
            }
        )

    def v2_runner_on_ok(self, result):
        self._record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "ignored" if ignore_errors else "failed")

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._record(result, "unreachable")

    def v2_playbook_on_stats(self, stats):
        recap = {host: stats.summarize(host) for host in sorted(stats.processed)}
        document = {"tasks": self._tasks, "stats": recap}

        with open(self.get_option("path"), "w", encoding="utf-8") as handle:
            json.dump(document, handle, default=str, indent=1)
