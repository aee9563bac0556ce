#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) ovhcloud.domain contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: domain_task_action
short_description: Relaunch, accelerate or cancel OVHcloud domain tasks when needed and allowed
version_added: 0.1.0
description:
  - Sends C(POST /me/task/domain/{id}/relaunch), C(/accelerate) or C(/cancel), but only when the
    task's status calls for the action and the task's C(canRelaunch), C(canAccelerate) or
    C(canCancel) flag allows it.
  - O(action=relaunch) acts on a task in V(error) or V(problem). A task already back in V(todo),
    V(doing) or V(done) needs no relaunch, so the module reports it unchanged. A task in error whose
    C(canRelaunch) is false failed on OVHcloud's side and only OVHcloud support can restart it,
    so the module fails and explains why.
  - O(action=accelerate) acts on a task in V(todo) whose C(canAccelerate) is true. A task in
    V(todo) that cannot be accelerated (for example because it already was), or in V(doing) or
    V(done), is reported unchanged.
  - O(action=cancel) acts on a task whose C(canCancel) is true. A task already V(cancelled) is
    reported unchanged.
  - With O(wait=true), the module then follows each task until it reaches a final status
    (V(done), V(cancelled), V(error) or V(problem)).
author:
  - ovhcloud.domain contributors (!UNKNOWN)
extends_documentation_fragment:
  - ovhcloud.domain.auth
  - ovhcloud.domain.attributes
  - ovhcloud.domain.attributes.actions
options:
  task_id:
    description:
      - Id of the task to act on. Mutually exclusive with O(task_ids).
    type: int
  task_ids:
    description:
      - Ids of several tasks to act on in one module run. Mutually exclusive with O(task_id).
      - Every task is checked before the first action is sent, so that a task the action does not
        apply to makes the module fail before any write.
    type: list
    elements: int
  action:
    description:
      - The action to take.
    type: str
    required: true
    choices: [relaunch, accelerate, cancel]
  wait:
    description:
      - Whether to wait until each task reaches a final status.
      - The module polls every second at first, then less often, up to every 30 seconds.
      - Ignored in check mode.
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait for the final status when O(wait=true).
    type: int
    default: 600
  fail_on_timeout:
    description:
      - Whether the module fails when O(wait_timeout) passes before every task is final.
      - When false, the module returns and the tasks still running keep their last status in the result.
    type: bool
    default: true
  wait_max_interval:
    description:
      - The longest pause, in seconds, between two polls while waiting.
      - Polls start one second apart and slow down by half each time up to this value. A task waiting
        in V(todo) is not polled again before its C(todoDate), within this value.
    type: int
    default: 30
  api_family:
    description:
      - The route family to act through.
      - V(me) uses C(/me/task/domain). V(domain) uses C(/domain/{serviceName}/task), which needs O(domain).
      - V(auto) uses C(/me/task/domain), and C(/domain/{serviceName}/task) when the consumer key is not
        granted the former (a key scoped to C(/domain/{serviceName}/*)).
    type: str
    choices: [auto, me, domain]
    default: auto
  domain:
    description:
      - Domain names of the tasks, needed only when the tasks are reached through C(/domain/{serviceName}/task).
      - Each task is looked up under each name until found.
    type: list
    elements: str
seealso:
  - module: ovhcloud.domain.domain_task_info
  - module: ovhcloud.domain.domain_task_argument
"""

EXAMPLES = r"""
- name: Relaunch the corrected creation of example.fr and wait for it to finish
  ovhcloud.domain.domain_task_action:
    task_id: 1000
    action: relaunch
    wait: true
    wait_timeout: 900
  register: relaunch

- name: Stop when the registry rejected the task again
  ansible.builtin.assert:
    that: relaunch.task.status == 'done'
    fail_msg: "Task 1000 ended in {{ relaunch.task.status }}: {{ relaunch.task.comment }}"

- name: Cancel a transfer that is no longer wanted
  ovhcloud.domain.domain_task_action:
    task_id: 1003
    action: cancel

- name: Relaunch several tasks and return after five minutes even if some still run
  ovhcloud.domain.domain_task_action:
    task_ids: [1000, 1004, 1005]
    action: relaunch
    wait: true
    wait_timeout: 300
    fail_on_timeout: false
"""

RETURN = r"""
task:
  description:
    - The task after the run, with the same keys as RV(ovhcloud.domain.domain_task_info#module:tasks),
      plus RV(task.changed) and RV(task.action_taken).
  returned: when O(task_id) is used
  type: dict
  contains:
    id:
      description: Task id (API field C(id)).
      type: int
      sample: 1000
    status:
      description: Task status after the run (API field C(status)).
      type: str
      sample: done
    comment:
      description: The task's comment (API field C(comment)).
      type: str
      sample: null
    can_relaunch:
      description: Whether the task can be relaunched (API field C(canRelaunch)).
      type: bool
      sample: false
    changed:
      description: Whether the action was needed (and sent, outside check mode).
      type: bool
      sample: true
    action_taken:
      description: Whether this run sent the action to the API. False in check mode.
      type: bool
      sample: true
tasks:
  description:
    - Every task handled, in the order given, each with the keys of RV(task).
  returned: always
  type: list
  elements: dict
  sample:
    - id: 1000
      function: DomainCreate
      domain: example.fr
      status: done
      changed: true
      action_taken: true
pending:
  description: Ids of the tasks still not in a final status when the wait ended.
  returned: when O(wait=true)
  type: list
  elements: int
  sample: []
elapsed:
  description: Seconds spent waiting.
  returned: when O(wait=true)
  type: float
  sample: 4.2
"""

import time

from ansible_collections.ovhcloud.domain.plugins.module_utils._errors import OvhApiError, OvhError
from ansible_collections.ovhcloud.domain.plugins.module_utils._module import OvhDomainModule
from ansible_collections.ovhcloud.domain.plugins.module_utils._tasks import (
    DomainTaskApi,
    FAILED_STATUSES,
    describe_task,
    task_result,
    to_ascii_domain,
)
from ansible_collections.ovhcloud.domain.plugins.module_utils._wait import wait_for_final_status


def decide(task, action):
    """Return ``(needed, error)`` for ``action`` on an API task object.

    ``needed`` is True when the action must be sent. ``error`` is a message
    when the action can neither be sent nor is already achieved.
    """
    status = task.get("status")
    label = describe_task(task)
    comment = (task.get("comment") or "").strip()
    if comment and not comment.endswith((".", "!", "?")):
        comment += "."
    because = " Its comment: %s" % comment if comment else ""

    if action == "relaunch":
        if status in ("todo", "doing", "done"):
            return False, None
        if status in FAILED_STATUSES:
            if task.get("canRelaunch"):
                return True, None
            return False, (
                "Cannot relaunch %s: it is in %s and OVHcloud does not allow relaunching it "
                "(canRelaunch is false). The fault is on OVHcloud's side: OVHcloud retries such tasks "
                "itself; if it stays in %s, open a support ticket quoting task id %s.%s"
                % (label, status, status, task.get("id"), because))
        return False, "Cannot relaunch %s: it is %s, and a cancelled task cannot be restarted." % (label, status)

    if action == "accelerate":
        if status == "todo":
            return bool(task.get("canAccelerate")), None
        if status in ("doing", "done"):
            return False, None
        return False, (
            "Cannot accelerate %s: it is %s, and only a task waiting in todo can be accelerated.%s"
            % (label, status, " Relaunch it instead." if status in FAILED_STATUSES else ""))

    # cancel
    if status == "cancelled":
        return False, None
    if task.get("canCancel"):
        return True, None
    return False, "Cannot cancel %s: it is %s and the API does not allow cancelling it (canCancel is false).%s" % (
        label, status, because)


def main():
    module = OvhDomainModule(
        argument_spec=dict(
            task_id=dict(type="int"),
            task_ids=dict(type="list", elements="int"),
            action=dict(type="str", required=True, choices=["relaunch", "accelerate", "cancel"]),
            wait=dict(type="bool", default=False),
            wait_timeout=dict(type="int", default=600),
            fail_on_timeout=dict(type="bool", default=True),
            wait_max_interval=dict(type="int", default=30),
            api_family=dict(type="str", choices=["auto", "me", "domain"], default="auto"),
            domain=dict(type="list", elements="str"),
        ),
        mutually_exclusive=[("task_id", "task_ids")],
        required_one_of=[("task_id", "task_ids")],
        required_if=[("api_family", "domain", ("domain",))],
        supports_check_mode=True,
    )
    params = module.params
    action = params["action"]
    if params["wait_max_interval"] < 1:
        module.fail("Invalid wait_max_interval %s: it must be at least 1 second." % params["wait_max_interval"])
    if params["wait_timeout"] < 0:
        module.fail("Invalid wait_timeout %s: it must be 0 or more seconds." % params["wait_timeout"])
    task_ids = [params["task_id"]] if params["task_id"] is not None else []
    for task_id in params["task_ids"] or []:
        if task_id not in task_ids:
            task_ids.append(task_id)

    api = DomainTaskApi(module.client, family=params["api_family"])
    domains = [to_ascii_domain(name) for name in params["domain"] or []]

    def read_task(task_id):
        return api.get_task(task_id, domains)

    # Decide for every task before sending anything, so that one task the action
    # does not apply to stops the run before any write.
    try:
        current = dict(zip(task_ids, api.client.map(read_task, task_ids)))
    except OvhError as exc:
        context = "Could not read the tasks; no action was sent"
        if isinstance(exc, OvhApiError) and exc.is_not_granted and not domains:
            context += (". To use the /domain/{serviceName}/task routes instead, which a key scoped to one "
                        "domain may allow, set the domain option")
        module.fail_from_error(exc, context)

    needed = {}
    errors = []
    for task_id in task_ids:
        needed[task_id], error = decide(current[task_id], action)
        if error:
            errors.append(error)
    if errors:
        module.fail(" ".join(errors) + " No action was sent.",
                    tasks=[task_result(current[task_id]) for task_id in task_ids])

    def send(task_id):
        """Send the action; return False when another run already did it in the meantime."""
        try:
            api.run_action(current[task_id], action)
            return True
        except OvhApiError as exc:
            if exc.status not in (400, 403, 409):
                raise
            # Two runs may act on the same task at once: the API then rejects the later
            # action, and the task shows that it needs none any more.
            latest = read_task(task_id)
            still_needed, error = decide(latest, action)
            if still_needed or error:
                raise
            current[task_id] = latest
            api.client.record_retry("task %s: the %s was already done by another run" % (task_id, action))
            return False

    to_send = [] if module.check_mode else [task_id for task_id in task_ids if needed[task_id]]
    try:
        sent_by_us = api.client.map(send, to_send)
    except OvhError as exc:
        module.fail_from_error(exc, "Could not %s every task (%d to send); run again to finish, tasks already "
                                    "handled are left as they are" % (action, len(to_send)))
    for task_id, sent in zip(list(to_send), sent_by_us):
        if not sent:
            to_send.remove(task_id)
            needed[task_id] = False

    output = {}
    try:
        if params["wait"] and not module.check_mode:
            sent = dict((task_id, current[task_id]) for task_id in to_send)
            current, pending, elapsed = wait_for_final_status(
                read_task, task_ids, params["wait_timeout"], unchanged_since=sent,
                max_interval=params["wait_max_interval"], read_many=api.client.map,
                server_time=lambda: time.time() + api.client.server_time_delta())
            output.update(pending=pending, elapsed=round(elapsed, 1))
        elif to_send:
            current.update(zip(to_send, api.client.map(read_task, to_send)))
    except OvhError as exc:
        module.fail_from_error(exc, "The %s was sent, but reading the tasks afterwards failed" % action)

    tasks = []
    for task_id in task_ids:
        task = task_result(current[task_id])
        task.update(changed=needed[task_id], action_taken=task_id in to_send)
        tasks.append(task)
    output.update(changed=any(needed.values()), tasks=tasks)
    if params["task_id"] is not None:
        output["task"] = tasks[0]

    if output.get("pending") and params["fail_on_timeout"]:
        stuck = ", ".join(describe_stuck(current[task_id]) for task_id in output["pending"])
        module.fail("Timed out after %s s waiting for a final status: %s. Raise wait_timeout, or set "
                    "fail_on_timeout to false to return while tasks still run." % (params["wait_timeout"], stuck),
                    **output)
    module.exit(**output)


def describe_stuck(task):
    comment = task.get("comment")
    return "%s in %s%s" % (describe_task(task), task.get("status"), " (%s)" % comment if comment else "")


if __name__ == "__main__":
    main()
