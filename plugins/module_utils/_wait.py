# -*- coding: utf-8 -*-
# Copyright (c) ovhcloud.domain contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Waiting for domain tasks to reach a final status."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time
from datetime import datetime

from ansible_collections.ovhcloud.domain.plugins.module_utils._tasks import FINAL_STATUSES

# Polling starts fast, because a relaunched task usually leaves todo within a
# minute, and slows down to spare the API on tasks that take hours.
INITIAL_INTERVAL = 1.0
MAX_INTERVAL = 30.0
BACKOFF_FACTOR = 1.5


def seconds_until(date_text, now):
    """Return the seconds from ``now`` (a Unix time) until an API datetime, or None if unparsable."""
    if not date_text:
        return None
    try:
        return datetime.fromisoformat(date_text.replace("Z", "+00:00")).timestamp() - now
    except (TypeError, ValueError):
        return None


def next_interval(tasks, interval, max_interval, now):
    """Return the seconds to sleep before the next poll.

    A task waiting in todo runs no earlier than its todoDate, so polling before
    then is wasted: the wait stretches up to that date, within ``max_interval``.
    """
    due = [seconds_until(task.get("todoDate"), now) for task in tasks if task.get("status") == "todo"]
    due = [seconds for seconds in due if seconds is not None]
    if due and len(due) == len(tasks):
        return max(interval, min(due + [max_interval]))
    return interval


def wait_for_final_status(read_task, task_ids, timeout, unchanged_since=None, initial_interval=INITIAL_INTERVAL,
                          max_interval=MAX_INTERVAL, sleep=time.sleep, clock=time.monotonic,
                          server_time=time.time, read_many=None):
    """Poll tasks until each one has a final status or ``timeout`` seconds pass.

    ``read_task(task_id)`` returns the API task object; ``read_many(function,
    ids)``, when given, runs it over several ids at once. ``unchanged_since``
    maps a task id to the object read before an action was sent: while the
    task still shows that object's status and ``lastUpdate``, the action has
    not been processed yet, so its old final status does not end the wait.
    ``server_time()`` is the API's current Unix time, to compare with todoDate.
    Returns ``(tasks, pending, elapsed)``: the last object read for every id,
    the ids still not final, and the seconds spent.
    """
    unchanged_since = unchanged_since or {}

    def read_each(function, ids):
        return [function(task_id) for task_id in ids]

    read_many = read_many or read_each
    start = clock()
    deadline = start + timeout
    interval = initial_interval
    latest = {}
    pending = list(task_ids)

    while True:
        for task_id, task in zip(pending, read_many(read_task, pending)):
            latest[task_id] = task

        still_pending = []
        for task_id in pending:
            task = latest[task_id]
            before = unchanged_since.get(task_id)
            untouched = before is not None and (before.get("status"), before.get("lastUpdate")) == (
                task.get("status"), task.get("lastUpdate"))
            if task.get("status") not in FINAL_STATUSES or untouched:
                still_pending.append(task_id)
        pending = still_pending

        now = clock()
        if not pending or now >= deadline:
            return latest, pending, now - start

        pause = next_interval([latest[task_id] for task_id in pending], interval, max_interval, server_time())
        sleep(min(pause, max(deadline - now, 0)))
        interval = min(interval * BACKOFF_FACTOR, max_interval)
