#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) ovhcloud.domain contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: domain_task_info
short_description: List OVHcloud domain tasks with their details
version_added: 0.1.0
description:
  - Lists the asynchronous domain-name tasks of an OVHcloud account (creations,
    transfers, trades, contact, DNS and DNSSEC updates, ...) through C(GET /me/task/domain),
    and reads each task's details through C(GET /me/task/domain/{id}).
  - Optionally reads each task's arguments, the data a task in error may need corrected,
    through C(GET /me/task/domain/{id}/argument) and C(GET /me/task/domain/{id}/argument/{key}).
  - Filters that take several values return the tasks that match any of the values.
    Different filters combine, so O(status=error) with O(domain=example.fr) returns the
    tasks of V(example.fr) that are in error.
author:
  - ovhcloud.domain contributors (!UNKNOWN)
extends_documentation_fragment:
  - ovhcloud.domain.auth
  - ovhcloud.domain.attributes
  - ovhcloud.domain.attributes.info_module
options:
  task_id:
    description:
      - Ids of the tasks to read. The other filters still apply to them.
      - A task id that does not exist makes the module fail.
    type: list
    elements: int
  domain:
    description:
      - Domain names whose tasks to return.
    type: list
    elements: str
  function:
    description:
      - Task functions to return, such as V(DomainCreate), V(DomainIncomingTransfer) or V(DomainDnsUpdate).
      - Any name is accepted, because OVHcloud adds new functions over time.
    type: list
    elements: str
  status:
    description:
      - Task statuses to return.
    type: list
    elements: str
    choices: [todo, doing, done, error, problem, cancelled]
  type:
    description:
      - Task types to return. V(alldom) tasks concern a pack of domains.
    type: list
    elements: str
    choices: [alldom, domain]
  arguments:
    description:
      - Also read the arguments of each task returned, under RV(tasks[].arguments).
      - This costs one request per task and one per argument, sent O(max_concurrency) at a time.
    type: bool
    default: false
  secret_keys:
    description:
      - Argument names whose values are secrets, masked in RV(tasks[].arguments).
    type: list
    elements: str
    default: [authInfo]
  progress:
    description:
      - Also read the progress of each task returned (C(GET /me/task/domain/{id}/progressbar)),
        under RV(tasks[].progress).
    type: bool
    default: false
  api_family:
    description:
      - The route family to read tasks through.
      - V(me) uses C(/me/task/domain), which has every route.
      - V(domain) uses C(/domain/{serviceName}/task), which needs O(domain) and has no argument or progress routes.
      - V(auto) uses C(/me/task/domain), and C(/domain/{serviceName}/task) for the names in O(domain) when the
        consumer key is not granted the former (a key scoped to C(/domain/{serviceName}/*)).
    type: str
    choices: [auto, me, domain]
    default: auto
seealso:
  - module: ovhcloud.domain.domain_task_argument
  - module: ovhcloud.domain.domain_task_action
  - plugin: ovhcloud.domain.domain_tasks
    plugin_type: lookup
"""

EXAMPLES = r"""
- name: List the domain tasks in error
  ovhcloud.domain.domain_task_info:
    status: error
  register: failed_tasks

- name: Show what each failed task needs
  ansible.builtin.debug:
    msg: "{{ item.id }} {{ item.function }} {{ item.domain }}: {{ item.comment }}"
  loop: "{{ failed_tasks.tasks }}"

- name: Read the pending creations and transfers of two domains, with their arguments
  ovhcloud.domain.domain_task_info:
    domain:
      - example.fr
      - example.com
    function: [DomainCreate, DomainIncomingTransfer]
    status: [todo, doing, error]
    arguments: true
  register: pending

- name: Follow the progress of the running transfers
  ovhcloud.domain.domain_task_info:
    function: DomainIncomingTransfer
    status: [todo, doing]
    progress: true
  register: transfers

- name: Read the tasks of a domain with a consumer key scoped to /domain/example.net/*
  ovhcloud.domain.domain_task_info:
    domain: example.net
    status: error
    api_family: auto

- name: Read one task against the EU API with explicit credentials
  ovhcloud.domain.domain_task_info:
    task_id: 1000
    endpoint: ovh-eu
    application_key: "{{ ovh_application_key }}"
    application_secret: "{{ ovh_application_secret }}"
    consumer_key: "{{ ovh_consumer_key }}"
"""

RETURN = r"""
tasks:
  description:
    - The tasks that match the filters, sorted by id.
    - Each key comes from a field of the API's C(domain.Task) object, named in its description.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Task id (API field C(id)).
      type: int
      sample: 1000
    function:
      description: What the task does (API field C(function)).
      type: str
      sample: DomainCreate
    domain:
      description: Domain name of the task (API field C(domain)). May be null for account-wide tasks.
      type: str
      sample: example.fr
    status:
      description: Task status (API field C(status)).
      type: str
      sample: error
    comment:
      description: The registry's or OVHcloud's explanation of the status (API field C(comment)).
      type: str
      sample: You have to explain in a few words how you'd like to use this domain name
    type:
      description: Task type, V(domain) or V(alldom) (API field C(type)). Null when the API does not send it.
      type: str
      sample: domain
    creation_date:
      description: When the task was created (API field C(creationDate)).
      type: str
      sample: "2022-01-01T12:00:00+01:00"
    todo_date:
      description: When the task should run next (API field C(todoDate)).
      type: str
      sample: "2022-01-01T13:00:00+01:00"
    last_update:
      description: When the task last changed (API field C(lastUpdate)).
      type: str
      sample: "2022-01-01T12:40:00+01:00"
    done_date:
      description: When the task ended (API field C(doneDate)); null until then.
      type: str
      sample: null
    can_accelerate:
      description: Whether the task can be accelerated (API field C(canAccelerate)).
      type: bool
      sample: false
    can_cancel:
      description: Whether the task can be cancelled (API field C(canCancel)).
      type: bool
      sample: false
    can_relaunch:
      description: Whether the task can be relaunched (API field C(canRelaunch)).
      type: bool
      sample: true
    api_family:
      description: The route family that served the task, V(me) or V(domain).
      type: str
      sample: me
    progress:
      description:
        - The task's progress, from the API's C(nichandle.DomainTaskProgressBar) object.
        - Null for tasks served by the V(domain) family.
      returned: when O(progress=true)
      type: dict
      contains:
        current_step:
          description: Current step, with C(step), C(description) and C(execution_duration) (API field C(currentStep)).
          type: dict
        follow_up_steps:
          description: Steps of the operation, each as RV(tasks[].progress.current_step) (API field C(followUpSteps)).
          type: list
          elements: dict
        percentage:
          description: Progress in percent (API field C(progress)).
          type: int
          sample: 50
        expected_done_date:
          description: Estimated end date (API field C(expectedDoneDate)).
          type: str
        last_update_date:
          description: Last update date (API field C(lastUpdateDate)).
          type: str
        task_actions:
          description: Actions possible on the task, such as V(canCancel) (API field C(taskActions)).
          type: list
          elements: str
        task_status:
          description: Status of the task (API field C(taskStatus)).
          type: str
    arguments:
      description:
        - The task's arguments, from the API's C(nichandle.DomainTaskArgument) objects.
        - Values of secret arguments (such as C(authInfo)) are masked.
        - Null for tasks served by the V(domain) family, which has no argument routes.
      returned: when O(arguments=true)
      type: list
      elements: dict
      contains:
        key:
          description: Argument name (API field C(key)).
          type: str
          sample: legitimacyAfnic
        type:
          description: Argument type (API field C(type)), such as V(string), V(/me/contact), V(/me/document) or V(/me).
          type: str
          sample: string
        description:
          description: What the argument is for (API field C(description)).
          type: str
          sample: Update legitimacyAfnic with valid content
        value:
          description: Current value (API field C(value)).
          type: str
          sample: null
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
          description: Maximum length of the value, or of the file for a document (API field C(maximumSize)).
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
"""

from ansible_collections.ovhcloud.domain.plugins.module_utils._errors import OvhApiError, OvhError
from ansible_collections.ovhcloud.domain.plugins.module_utils._module import OvhDomainModule
from ansible_collections.ovhcloud.domain.plugins.module_utils._tasks import DomainTaskApi, collect_task_results


def main():
    module = OvhDomainModule(
        argument_spec=dict(
            task_id=dict(type="list", elements="int"),
            domain=dict(type="list", elements="str"),
            function=dict(type="list", elements="str"),
            status=dict(type="list", elements="str",
                        choices=["todo", "doing", "done", "error", "problem", "cancelled"]),
            type=dict(type="list", elements="str", choices=["alldom", "domain"]),
            arguments=dict(type="bool", default=False),
            progress=dict(type="bool", default=False),
            secret_keys=dict(type="list", elements="str", default=["authInfo"], no_log=False),
            api_family=dict(type="str", choices=["auto", "me", "domain"], default="auto"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if params["api_family"] == "domain" and not params["domain"]:
        module.fail("api_family=domain reads /domain/{serviceName}/task, which needs the domain names: "
                    "set the domain option.")
    api = DomainTaskApi(module.client, family=params["api_family"])

    try:
        tasks = collect_task_results(api, task_ids=params["task_id"], domains=params["domain"],
                                     functions=params["function"], statuses=params["status"],
                                     types=params["type"], with_arguments=params["arguments"],
                                     with_progress=params["progress"], warn=module.warn,
                                     secret_keys=params["secret_keys"])
    except OvhError as exc:
        context = "Could not list the domain tasks"
        if isinstance(exc, OvhApiError) and exc.is_not_granted and not params["domain"]:
            context += (". To use the /domain/{serviceName}/task routes instead, which a key scoped to one "
                        "domain may allow, set the domain option")
        module.fail_from_error(exc, context)

    module.exit(changed=False, tasks=tasks)


if __name__ == "__main__":
    main()
