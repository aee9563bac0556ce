# -*- coding: utf-8 -*-
# Copyright (c) ovhcloud.domain contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: domain_tasks
short_description: List OVHcloud domain tasks inside an expression
version_added: 0.1.0
description:
  - Returns the domain tasks of an OVHcloud account that match the filters, as the same
    objects as the RV(ovhcloud.domain.domain_task_info#module:tasks) result of M(ovhcloud.domain.domain_task_info).
  - Runs on the controller, so the credentials can also come from Ansible variables or C(ansible.cfg).
author:
  - ovhcloud.domain contributors (!UNKNOWN)
extends_documentation_fragment:
  - ovhcloud.domain.auth.plugin
options:
  _terms:
    description:
      - Task ids to read. The filters still apply to them.
    type: list
    elements: int
    required: false
  task_id:
    description:
      - Task ids to read, as in M(ovhcloud.domain.domain_task_info).
    type: list
    elements: int
  domain:
    description:
      - Domain names whose tasks to return.
    type: list
    elements: str
  function:
    description:
      - Task functions to return, such as V(DomainCreate). Any name is accepted.
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
      - Task types to return.
    type: list
    elements: str
    choices: [alldom, domain]
  arguments:
    description:
      - Also read the arguments of each task returned. Secret values such as C(authInfo) are masked.
    type: bool
    default: false
  progress:
    description:
      - Also read the progress of each task returned.
    type: bool
    default: false
  api_family:
    description:
      - The route family to read tasks through, as in M(ovhcloud.domain.domain_task_info).
    type: str
    choices: [auto, me, domain]
    default: auto
seealso:
  - module: ovhcloud.domain.domain_task_info
"""

EXAMPLES = r"""
- name: Count the tasks in error
  ansible.builtin.debug:
    msg: "{{ query('ovhcloud.domain.domain_tasks', status='error') | length }} tasks in error"

- name: Fail the play if a creation of example.fr is stuck
  ansible.builtin.assert:
    that: >-
      query('ovhcloud.domain.domain_tasks', domain='example.fr', function='DomainCreate',
            status=['error', 'problem']) | length == 0

- name: Read task 1000 with credentials from variables
  ansible.builtin.debug:
    msg: "{{ lookup('ovhcloud.domain.domain_tasks', 1000, endpoint='ovh-eu') }}"
  vars:
    ovh_application_key: "{{ vault_ovh_application_key }}"
    ovh_application_secret: "{{ vault_ovh_application_secret }}"
    ovh_consumer_key: "{{ vault_ovh_consumer_key }}"
"""

RETURN = r"""
_raw:
  description:
    - One task object per matching task, sorted by id, with the keys that
      M(ovhcloud.domain.domain_task_info) documents (C(id), C(function), C(domain), C(status),
      C(comment), C(type), C(creation_date), C(todo_date), C(last_update), C(done_date),
      C(can_accelerate), C(can_cancel), C(can_relaunch), C(api_family), and C(arguments) and
      C(progress) when requested).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display

from ansible_collections.ovhcloud.domain.plugins.module_utils._errors import OvhApiError, OvhError
from ansible_collections.ovhcloud.domain.plugins.module_utils._module import client_from_options
from ansible_collections.ovhcloud.domain.plugins.module_utils._tasks import DomainTaskApi, collect_task_results

display = Display()

_OPTION_NAMES = ("endpoint", "application_key", "application_secret", "consumer_key", "client_id",
                 "client_secret", "config_file", "timeout", "ca_bundle", "max_concurrency", "rate_limit",
                 "task_id", "domain", "function", "status", "type", "arguments", "progress", "api_family")


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        options = dict((name, self.get_option(name)) for name in _OPTION_NAMES)

        task_ids = list(options["task_id"] or [])
        for term in terms or []:
            try:
                task_ids.append(int(term))
            except (TypeError, ValueError):
                raise AnsibleLookupError(
                    "Invalid task id %r for ovhcloud.domain.domain_tasks: task ids are whole numbers." % (term,))

        client = None
        try:
            client = client_from_options(options)
            api = DomainTaskApi(client, family=options["api_family"])
            return collect_task_results(api, task_ids=task_ids, domains=options["domain"],
                                        functions=options["function"], statuses=options["status"],
                                        types=options["type"], with_arguments=options["arguments"],
                                        with_progress=options["progress"], warn=display.warning)
        except OvhApiError as exc:
            hint = exc.hint()
            raise AnsibleLookupError("Could not list the domain tasks: %s%s" % (
                exc.describe(), (" " + hint) if hint else ""))
        except OvhError as exc:
            raise AnsibleLookupError("Could not list the domain tasks: %s" % exc)
        finally:
            for message in client.retries if client is not None else []:
                display.v("ovhcloud.domain.domain_tasks: %s" % message)
