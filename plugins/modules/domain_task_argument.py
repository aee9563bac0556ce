#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) ovhcloud.domain contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: domain_task_argument
short_description: Set the arguments of OVHcloud domain tasks, only when they differ
version_added: 0.1.0
description:
  - Reads an argument of a domain task through C(GET /me/task/domain/{id}/argument/{key}) and,
    when its value differs from O(value), writes it through C(PUT /me/task/domain/{id}/argument/{key}).
  - This is how a task in error gets the data the registry asked for, before it is relaunched
    with M(ovhcloud.domain.domain_task_action).
  - Before any write, every value is checked against the limits the API states for its argument,
    read-only, accepted values, minimum and maximum size. If one value is invalid, nothing is written.
  - Several arguments, of one task or of many, can be set in one run with O(values).
author:
  - ovhcloud.domain contributors
extends_documentation_fragment:
  - ovhcloud.domain.auth
  - ovhcloud.domain.attributes
  - ovhcloud.domain.attributes.actions
options:
  task_id:
    description:
      - Id of the task whose argument to set.
      - Requires O(key) and O(value). Mutually exclusive with O(values).
    type: int
  key:
    description:
      - Name of the argument, such as V(legitimacyAfnic) or V(authInfo).
    type: str
    no_log: false
  value:
    description:
      - Value to set.
      - Quote values that YAML would read as numbers, such as V("0123"), so that they reach the API unchanged.
    type: str
  values:
    description:
      - Arguments to set, of one task or of several, in one module run.
      - Mutually exclusive with O(task_id).
    type: list
    elements: dict
    suboptions:
      task_id:
        description: Id of the task.
        type: int
        required: true
      key:
        description: Name of the argument.
        type: str
        required: true
        no_log: false
      value:
        description: Value to set.
        type: str
        required: true
  secret_keys:
    description:
      - Argument names whose values are secrets. Their values are masked in results, diffs and messages.
      - Transfer auth codes (V(authInfo)) open a domain to anyone who holds them, so they are masked by default.
    type: list
    elements: str
    default: [authInfo]
    no_log: false
seealso:
  - module: ovhcloud.domain.domain_task_info
  - module: ovhcloud.domain.domain_task_action
"""

EXAMPLES = r"""
- name: Explain to AFNIC how example.fr will be used
  ovhcloud.domain.domain_task_argument:
    task_id: 1000
    key: legitimacyAfnic
    value: I am the mayor of the city Example.

- name: Set a new transfer auth code, kept out of the logs
  ovhcloud.domain.domain_task_argument:
    task_id: 1003
    key: authInfo
    value: "{{ transfer_auth_code }}"

- name: Correct several tasks in one run
  ovhcloud.domain.domain_task_argument:
    values:
      - task_id: 1000
        key: legitimacyAfnic
        value: I am the mayor of the city Example.
      - task_id: 1004
        key: legalForm
        value: association

- name: Find the failed creations of example.fr, with their arguments
  ovhcloud.domain.domain_task_info:
    domain: example.fr
    function: DomainCreate
    status: error
    arguments: true
  register: failed

- name: Set legitimacyAfnic on each of them
  ovhcloud.domain.domain_task_argument:
    task_id: "{{ item.id }}"
    key: legitimacyAfnic
    value: "{{ afnic_explanation }}"
  loop: "{{ failed.tasks }}"

- name: Relaunch them
  ovhcloud.domain.domain_task_action:
    task_ids: "{{ failed.tasks | map(attribute='id') | list }}"
    action: relaunch
    wait: true
"""

RETURN = r"""
argument:
  description:
    - The argument after the run, from the API's C(nichandle.DomainTaskArgument) object.
    - The value of a secret argument is masked.
  returned: when O(task_id) is used
  type: dict
  contains:
    task_id:
      description: Id of the task.
      type: int
      sample: 1000
    changed:
      description: Whether this run changed the value (or would, in check mode).
      type: bool
      sample: true
    key:
      description: Argument name (API field C(key)).
      type: str
      sample: legitimacyAfnic
    type:
      description: Argument type (API field C(type)).
      type: str
      sample: string
    description:
      description: What the argument is for (API field C(description)).
      type: str
      sample: Update legitimacyAfnic with valid content
    value:
      description: Value after the run (API field C(value)).
      type: str
      sample: I am the mayor of the city Example.
    read_only:
      description: Whether the value can be changed (API field C(readOnly)).
      type: bool
      sample: false
    accepted_values:
      description: Values the argument accepts, or null for any (API field C(acceptedValues)).
      type: list
      elements: str
      sample: null
    accepted_formats:
      description: File formats a document argument accepts (API field C(acceptedFormats)).
      type: list
      elements: str
      sample: null
    minimum_size:
      description: Minimum length of the value (API field C(minimumSize)).
      type: int
      sample: null
    maximum_size:
      description: Maximum length of the value (API field C(maximumSize)).
      type: int
      sample: null
    fields:
      description: Contact or account fields the registry rejected (API field C(fields)).
      type: list
      elements: str
      sample: null
    template:
      description: Template of the content (API field C(template)).
      type: str
      sample: null
arguments:
  description:
    - Every argument handled, in the order given, each with the keys of RV(argument).
  returned: always
  type: list
  elements: dict
  sample:
    - task_id: 1000
      changed: true
      key: legitimacyAfnic
      type: string
      value: I am the mayor of the city Example.
"""

from ansible_collections.ovhcloud.domain.plugins.module_utils._errors import OvhError
from ansible_collections.ovhcloud.domain.plugins.module_utils._module import OvhDomainModule
from ansible_collections.ovhcloud.domain.plugins.module_utils._tasks import (
    DomainTaskApi,
    MASK,
    argument_result,
    mask_argument,
    validate_argument_value,
)


def requested_values(params):
    """Return the requested ``(task_id, key, value)`` items, from either form of the options."""
    if params["values"] is not None:
        return [(item["task_id"], item["key"], item["value"]) for item in params["values"]]
    return [(params["task_id"], params["key"], params["value"])]


def find_conflicts(items):
    """Return a message for a task argument requested with two different values, or None."""
    seen = {}
    for task_id, key, value in items:
        previous = seen.setdefault((task_id, key), value)
        if previous != value:
            return ("Argument '%s' of task %s is given two different values: keep one of them."
                    % (key, task_id))
    return None


def plan_changes(module, api, items, secret_keys):
    """Read each argument and return the planned changes, failing before any write on a bad value."""
    keys_by_task = {}
    plans = []
    problems = []

    for task_id, key, value in items:
        if task_id not in keys_by_task:
            keys_by_task[task_id] = api.list_argument_keys(task_id)
        keys = keys_by_task[task_id]
        if key not in keys:
            problems.append("Task %s has no argument '%s'; its arguments are: %s." % (
                task_id, key, ", ".join(keys) if keys else "none"))
            continue

        current = api.get_argument(task_id, key)
        changed = current.get("value") != value
        if changed:
            problem = validate_argument_value(task_id, current, value, secret=key in secret_keys)
            if problem:
                problems.append(problem)
                continue
        plans.append((task_id, key, value, current, changed))

    if problems:
        module.fail(" ".join(problems) + " No argument was written.")
    return plans


def main():
    module = OvhDomainModule(
        argument_spec=dict(
            task_id=dict(type="int"),
            key=dict(type="str", no_log=False),
            value=dict(type="str"),
            values=dict(type="list", elements="dict", options=dict(
                task_id=dict(type="int", required=True),
                key=dict(type="str", required=True, no_log=False),
                value=dict(type="str", required=True),
            )),
            secret_keys=dict(type="list", elements="str", default=["authInfo"], no_log=False),
        ),
        mutually_exclusive=[("task_id", "values")],
        required_one_of=[("task_id", "values")],
        required_by={"task_id": ("key", "value")},
        supports_check_mode=True,
    )
    params = module.params
    secret_keys = set(params["secret_keys"])
    items = requested_values(params)

    # Secret values must never reach the output, even inside an unrelated message.
    for _task_id, key, value in items:
        if key in secret_keys and value:
            module.module.no_log_values.add(value)

    conflict = find_conflicts(items)
    if conflict:
        module.fail(conflict)

    api = DomainTaskApi(module.client)
    try:
        plans = plan_changes(module, api, items, secret_keys)
    except OvhError as exc:
        module.fail_from_error(exc, "Could not read the task arguments; no argument was written")

    results = []
    before = {}
    after = {}
    written = 0
    for task_id, key, value, current, changed in plans:
        if changed and not module.check_mode:
            try:
                api.set_argument(task_id, key, value)
            except OvhError as exc:
                module.fail_from_error(
                    exc, "Could not set argument '%s' of task %s (%d of %d arguments written before it)"
                    % (key, task_id, written, len([plan for plan in plans if plan[4]])),
                    arguments=results)
            written += 1

        result = argument_result(current)
        result["value"] = value
        result = mask_argument(result, secret_keys)
        result.update(task_id=task_id, changed=changed)
        results.append(result)

        if changed:
            shown_before = MASK if key in secret_keys and current.get("value") is not None else current.get("value")
            before.setdefault(str(task_id), {})[key] = shown_before
            after.setdefault(str(task_id), {})[key] = result["value"]

    changed = any(result["changed"] for result in results)
    output = dict(changed=changed, arguments=results)
    if params["task_id"] is not None:
        output["argument"] = results[0]
    if module.module._diff:
        output["diff"] = dict(before=before, after=after)
    module.exit(**output)


if __name__ == "__main__":
    main()
