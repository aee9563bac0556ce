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
  - ovhcloud.domain contributors (!UNKNOWN)
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
  value:
    description:
      - Value to set.
      - Quote values that YAML would read as numbers, such as V("0123"), so that they reach the API unchanged.
      - Mutually exclusive with O(file).
    type: str
  file:
    description:
      - A local file to upload as the value of a C(/me/document) argument, such as an identity document
        a registry asks for.
      - The module checks the file against the argument's C(acceptedFormats) (by file name extension)
        and C(maximumSize) (in bytes), creates a document with C(POST /me/document), uploads the file
        to the address the API returns, and sets the argument to the new document id.
      - The document is tagged with the SHA-256 of the file, so a later run with the same file changes nothing.
      - The path is on the host that runs the module. Mutually exclusive with O(value).
    type: path
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
      value:
        description: Value to set. Give exactly one of O(values[].value) and O(values[].file).
        type: str
      file:
        description: A local file to upload as the value of a C(/me/document) argument, as O(file) does.
        type: path
  secret_keys:
    description:
      - Argument names whose values are secrets. Their values are masked in results, diffs and messages.
      - Transfer auth codes (V(authInfo)) open a domain to anyone who holds them, so they are masked by default.
    type: list
    elements: str
    default: [authInfo]
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

- name: Give the identity document the registry asks for
  ovhcloud.domain.domain_task_argument:
    task_id: 3004
    key: identityEvidence
    file: files/identity-card.pdf

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
    file:
      description: The local file given for a document argument.
      type: str
      returned: when a file was given
      sample: files/identity-card.pdf
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

import hashlib
import os

from ansible_collections.ovhcloud.domain.plugins.module_utils._errors import OvhError
from ansible_collections.ovhcloud.domain.plugins.module_utils._module import OvhDomainModule
from ansible_collections.ovhcloud.domain.plugins.module_utils._tasks import (
    DomainTaskApi,
    MASK,
    argument_result,
    document_digest,
    mask_argument,
    validate_argument_value,
    validate_document,
)


class Request:
    """One requested change: a value, or a local file to upload as a document."""

    def __init__(self, task_id, key, value=None, file=None):
        self.task_id = task_id
        self.key = key
        self.value = value
        self.file = file
        self.current = None
        self.changed = False
        self.content = None
        self.digest = None

    @property
    def target(self):
        return (self.task_id, self.key)


def requested_changes(params):
    """Return the requested changes, from either form of the options."""
    if params["values"] is not None:
        items = params["values"]
    else:
        items = [params]
    return [Request(item["task_id"], item["key"], item.get("value"), item.get("file")) for item in items]


def find_problem_in_request(requests):
    """Return a message for a request that cannot be planned from its options alone, or None."""
    seen = {}
    for request in requests:
        if (request.value is None) == (request.file is None):
            return ("Argument '%s' of task %s needs exactly one of value or file."
                    % (request.key, request.task_id))
        wanted = (request.value, request.file)
        if seen.setdefault(request.target, wanted) != wanted:
            return ("Argument '%s' of task %s is given two different values: keep one of them."
                    % (request.key, request.task_id))
    return None


def read_arguments(api, requests):
    """Return ``{task_id: {key: argument}}`` for the keys requested, and the keys of each task."""
    wanted = {}
    for request in requests:
        wanted.setdefault(request.task_id, set()).add(request.key)

    def read(task_id):
        keys = api.list_argument_keys(task_id)
        found = dict((key, api.get_argument(task_id, key)) for key in keys if key in wanted[task_id])
        return task_id, keys, found

    arguments = {}
    keys_by_task = {}
    for task_id, keys, found in api.client.map(read, sorted(wanted)):
        keys_by_task[task_id] = keys
        arguments[task_id] = found
    return arguments, keys_by_task


def plan_file(api, request, current):
    """Decide whether a file must be uploaded for a document argument; return an error message or None."""
    try:
        with open(request.file, "rb") as handle:
            request.content = handle.read()
    except (IOError, OSError) as exc:
        return "Cannot read the file %s for argument '%s' of task %s: %s." % (
            request.file, request.key, request.task_id, exc.strerror or exc)

    request.digest = hashlib.sha256(request.content).hexdigest()
    document = api.find_document(current.get("value"))
    request.changed = document_digest(document) != request.digest
    if request.changed:
        return validate_document(request.task_id, current, os.path.basename(request.file), len(request.content))
    return None


def plan_changes(module, api, requests, secret_keys):
    """Read each argument and decide what to write, failing before any write on a bad request."""
    arguments, keys_by_task = read_arguments(api, requests)
    problems = []

    for request in requests:
        keys = keys_by_task[request.task_id]
        if request.key not in keys:
            problems.append("Task %s has no argument '%s'; its arguments are: %s." % (
                request.task_id, request.key, ", ".join(keys) if keys else "none"))
            continue

        request.current = arguments[request.task_id][request.key]
        if request.file is not None:
            problem = plan_file(api, request, request.current)
        else:
            request.changed = request.current.get("value") != request.value
            problem = None
            if request.changed:
                problem = validate_argument_value(request.task_id, request.current, request.value,
                                                  secret=request.key in secret_keys)
        if problem:
            problems.append(problem)

    if problems:
        module.fail(" ".join(problems) + " No argument was written.")


def write_change(api, request):
    """Send one planned change; return the value written."""
    value = request.value
    if request.file is not None:
        value = api.upload_document(os.path.basename(request.file), request.content, request.digest)
    api.set_argument(request.task_id, request.key, value)
    return value


def result_of(request, written_value, secret_keys):
    result = argument_result(request.current)
    if written_value is not None:
        result["value"] = written_value
    elif request.file is None and request.changed:
        # Check mode: show the value the run would write.
        result["value"] = request.value
    result = mask_argument(result, secret_keys)
    result.update(task_id=request.task_id, changed=request.changed)
    if request.file is not None:
        result["file"] = request.file
    return result


def main():
    module = OvhDomainModule(
        argument_spec=dict(
            task_id=dict(type="int"),
            key=dict(type="str", no_log=False),
            value=dict(type="str"),
            file=dict(type="path"),
            values=dict(type="list", elements="dict", options=dict(
                task_id=dict(type="int", required=True),
                key=dict(type="str", required=True, no_log=False),
                value=dict(type="str"),
                file=dict(type="path"),
            )),
            secret_keys=dict(type="list", elements="str", default=["authInfo"], no_log=False),
        ),
        mutually_exclusive=[("task_id", "values"), ("value", "file")],
        required_one_of=[("task_id", "values")],
        required_by={"task_id": ("key",)},
        supports_check_mode=True,
    )
    params = module.params
    secret_keys = set(params["secret_keys"])
    requests = requested_changes(params)

    # Secret values must never reach the output, even inside an unrelated message.
    for request in requests:
        if request.key in secret_keys and request.value:
            module.module.no_log_values.add(request.value)

    problem = find_problem_in_request(requests)
    if problem:
        module.fail(problem)

    api = DomainTaskApi(module.client, family="me")
    try:
        plan_changes(module, api, requests, secret_keys)
    except OvhError as exc:
        module.fail_from_error(
            exc, "Could not read the task arguments; no argument was written. Argument routes exist only "
                 "under /me/task/domain: correcting arguments needs GET on /me/task/domain/*/argument and on "
                 "/me/task/domain/*/argument/*, and PUT on /me/task/domain/*/argument/*")

    to_write = [request for request in requests if request.changed]
    written = {}
    if not module.check_mode:
        try:
            for request, value in zip(to_write, api.client.map(lambda request: write_change(api, request), to_write)):
                written[id(request)] = value
        except OvhError as exc:
            module.fail_from_error(exc, "Could not write the task arguments (%d of them were to change; "
                                        "run again to finish, only what still differs is written)" % len(to_write))

    results = []
    before = {}
    after = {}
    for request in requests:
        result = result_of(request, written.get(id(request)), secret_keys)
        results.append(result)
        if request.changed:
            old = request.current.get("value")
            shown_old = MASK if request.key in secret_keys and old is not None else old
            before.setdefault(str(request.task_id), {})[request.key] = shown_old
            after.setdefault(str(request.task_id), {})[request.key] = (
                result["value"] if request.file is None or id(request) in written else "new document from %s" % request.file)

    output = dict(changed=bool(to_write), arguments=results)
    if params["task_id"] is not None:
        output["argument"] = results[0]
    if module.module._diff:
        output["diff"] = dict(before=before, after=after)
    module.exit(**output)


if __name__ == "__main__":
    main()
