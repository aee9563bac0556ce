# -*- coding: utf-8 -*-
# Copyright (c) ovhcloud.domain contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Waiting for domain tasks to reach a final status."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.ovhcloud.domain.plugins.module_utils._tasks import FINAL_STATUSES

# Polling starts fast, because a relaunched task usually leaves todo within a
# minute, and slows down to spare the API on tasks that take hours.
INITIAL_INTERVAL = 1.0
MAX_INTERVAL = 30.0
BACKOFF_FACTOR = 1.5


def wait_for_final_status(read_task, task_ids, timeout, unchanged_since=None, initial_interval=INITIAL_INTERVAL,
                          max_interval=MAX_INTERVAL, sleep=time.sleep, clock=time.monotonic):
    """Poll tasks until each one has a final status or ``timeout`` seconds pass.

    ``read_task(task_id)`` returns the API task object. ``unchanged_since`` maps
    a task id to the object read before an action was sent: while the task
    still shows that object's status and ``lastUpdate``, the action has not
    been processed yet, so its old final status does not end the wait.
    Returns ``(tasks, pending, elapsed)``: the last object read for every id,
    the ids still not final, and the seconds spent.
    """
    unchanged_since = unchanged_since or {}

    start = clock()
    deadline = start + timeout
    interval = initial_interval
    latest = {}
    pending = list(task_ids)

    while True:
        still_pending = []
        for task_id in pending:
            task = read_task(task_id)
            latest[task_id] = task
            before = unchanged_since.get(task_id)
            untouched = before is not None and (before.get("status"), before.get("lastUpdate")) == (
                task.get("status"), task.get("lastUpdate"))
            if task.get("status") not in FINAL_STATUSES or untouched:
                still_pending.append(task_id)
        pending = still_pending

        now = clock()
        if not pending or now >= deadline:
            return latest, pending, now - start

        sleep(min(interval, max(deadline - now, 0)))
        interval = min(interval * BACKOFF_FACTOR, max_interval)
