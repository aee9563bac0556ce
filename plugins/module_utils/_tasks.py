# -*- coding: utf-8 -*-
# Copyright (c) ovhcloud.domain contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Domain tasks of the ``/me/task/domain`` route family, as Ansible results.

API objects use camelCase names; results use snake_case. The mappings below
are the single place where one becomes the other, and the module
documentation names the API field behind each result key.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ovhcloud.domain.plugins.module_utils._errors import OvhApiError


TASK_FIELDS = (
    ("id", "id"),
    ("function", "function"),
    ("domain", "domain"),
    ("status", "status"),
    ("comment", "comment"),
    ("type", "type"),
    ("creation_date", "creationDate"),
    ("todo_date", "todoDate"),
    ("last_update", "lastUpdate"),
    ("done_date", "doneDate"),
    ("can_accelerate", "canAccelerate"),
    ("can_cancel", "canCancel"),
    ("can_relaunch", "canRelaunch"),
)

ARGUMENT_FIELDS = (
    ("key", "key"),
    ("type", "type"),
    ("description", "description"),
    ("value", "value"),
    ("read_only", "readOnly"),
    ("accepted_values", "acceptedValues"),
    ("accepted_formats", "acceptedFormats"),
    ("minimum_size", "minimumSize"),
    ("maximum_size", "maximumSize"),
    ("fields", "fields"),
    ("template", "template"),
)

# Values of domain.OperationStatusEnum. `problem` appeared in the 2024 schema.
STATUSES = ("todo", "doing", "done", "error", "problem", "cancelled")
FINAL_STATUSES = ("done", "cancelled", "error", "problem")
FAILED_STATUSES = ("error", "problem")

# Argument keys whose values are secrets: a transfer auth code opens the domain to anyone holding it.
DEFAULT_SECRET_KEYS = ("authInfo",)
MASK = "********"


def task_result(api_task):
    """Return the snake_case result of a domain.Task object."""
    return dict((name, api_task.get(field)) for name, field in TASK_FIELDS)


def argument_result(api_argument):
    """Return the snake_case result of a nichandle.DomainTaskArgument object."""
    return dict((name, api_argument.get(field)) for name, field in ARGUMENT_FIELDS)


def describe_task(task):
    """Return a short label such as ``task 1000 (DomainCreate example.fr)`` for messages."""
    details = " ".join(str(part) for part in (task.get("function"), task.get("domain")) if part)
    if details:
        return "task %s (%s)" % (task.get("id"), details)
    return "task %s" % task.get("id")


class DomainTaskApi:
    """Reads and writes of domain tasks through ``/me/task/domain``."""

    def __init__(self, client):
        self.client = client

    def list_task_ids(self, domain=None, function=None, status=None, task_type=None):
        """Return the task ids that match the API's own filters (one value each)."""
        params = {}
        if domain:
            params["domain"] = domain
        if function:
            params["function"] = function
        if status:
            params["status"] = status
        if task_type:
            params["type"] = task_type
        ids = self.client.get("/me/task/domain", params=params or None)
        return list(ids or [])

    def get_task(self, task_id):
        return self.client.get("/me/task/domain/%d" % task_id)

    def list_argument_keys(self, task_id):
        return list(self.client.get("/me/task/domain/%d/argument" % task_id) or [])

    def get_argument(self, task_id, key):
        return self.client.get("/me/task/domain/%d/argument/%s" % (task_id, _quote(key)))

    def get_arguments(self, task_id):
        return [self.get_argument(task_id, key) for key in self.list_argument_keys(task_id)]

    def set_argument(self, task_id, key, value):
        self.client.put("/me/task/domain/%d/argument/%s" % (task_id, _quote(key)), body={"value": value})

    def run_action(self, task_id, action):
        self.client.post("/me/task/domain/%d/%s" % (task_id, action))

    def find_tasks(self, task_ids=None, domains=None, functions=None, statuses=None, types=None):
        """Return the API task objects that match every filter, sorted by id.

        Each filter is a list; an empty or None list does not filter. When task
        ids are given, those tasks are read directly and the other filters apply
        to them. Otherwise one filter with several values is sent as one listing
        per value, and the others are sent to the API when they have a single
        value or checked here when they have several.
        """
        filters = {
            "domain": _unique(domains),
            "function": _unique(functions),
            "status": _unique(statuses),
            "type": _unique(types),
        }

        if task_ids:
            tasks = [self.get_task(task_id) for task_id in _unique(task_ids)]
            return sorted(_apply_filters(tasks, filters), key=lambda task: task["id"])

        # Choose the filter to fan out over: the one with the most values, because
        # every other multi-valued filter must then be checked on full objects.
        fan_out = max(filters, key=lambda name: len(filters[name]))
        server_side = dict((name, values[0]) for name, values in filters.items() if len(values) == 1)
        client_side = dict((name, values) for name, values in filters.items()
                           if len(values) > 1 and name != fan_out)

        ids = set()
        for value in filters[fan_out] or [None]:
            query = dict(server_side)
            if value is not None:
                query[fan_out] = value
            ids.update(self.list_task_ids(query.get("domain"), query.get("function"),
                                          query.get("status"), query.get("type")))

        tasks = []
        for task_id in sorted(ids):
            try:
                tasks.append(self.get_task(task_id))
            except OvhApiError as exc:
                # A task listed a moment ago can vanish before it is read; skip it.
                if exc.status != 404:
                    raise
        return _apply_filters(tasks, client_side)


def collect_task_results(api, task_ids=None, domains=None, functions=None, statuses=None, with_arguments=False):
    """Return the results of the tasks that match the filters, with their arguments on request.

    This is the listing that ``domain_task_info`` and the ``domain_tasks`` lookup
    share. Secret argument values are masked.
    """
    results = []
    for api_task in api.find_tasks(task_ids=task_ids, domains=domains, functions=functions, statuses=statuses):
        task = task_result(api_task)
        if with_arguments:
            task["arguments"] = [
                mask_argument(argument_result(argument), DEFAULT_SECRET_KEYS)
                for argument in api.get_arguments(api_task["id"])
            ]
        results.append(task)
    return results


def _quote(key):
    try:
        from urllib.parse import quote
    except ImportError:  # pragma: no cover
        from urllib import quote
    return quote(key, safe="")


def _unique(values):
    """Return the values without duplicates, keeping their order; None becomes []."""
    result = []
    for value in values or []:
        if value not in result:
            result.append(value)
    return result


def _apply_filters(tasks, filters):
    """Keep the tasks whose fields match every filter given as a list of accepted values."""
    kept = []
    for task in tasks:
        matches = True
        for name, values in filters.items():
            if not values:
                continue
            field = task.get(name)
            if name == "domain":
                if (field or "").lower() not in [value.lower() for value in values]:
                    matches = False
            elif field not in values:
                matches = False
        if matches:
            kept.append(task)
    return kept


def validate_argument_value(task_id, argument, value, secret=False):
    """Return None when ``value`` may be written to ``argument``, else an error message.

    The checks are those the API states on the argument itself: read-only,
    accepted values and size limits. The message names the value, unless it is
    ``secret``, and what the argument accepts. ``argument`` is an API object
    (camelCase).
    """
    def _show_value(text):
        return MASK if secret and text is not None else _show(text)

    key = argument.get("key")
    label = "argument '%s' of task %s" % (key, task_id)

    if argument.get("readOnly"):
        return "The %s is read-only: its value cannot be changed. Remove it from the corrections." % label

    if value is None:
        return None

    accepted = argument.get("acceptedValues")
    if accepted and value not in accepted:
        return "Invalid value %s for the %s: accepted values are %s." % (
            _show_value(value), label, ", ".join(_show(item) for item in accepted))

    arg_type = argument.get("type")
    if arg_type == "/me/contact" and not value.isdigit():
        return ("Invalid value %s for the %s: this argument takes a contact id "
                "(a number from /me/contact)." % (_show_value(value), label))

    # For a document argument, maximumSize is the size of the file in bytes, not
    # of the document id written here.
    if arg_type != "/me/document":
        minimum = argument.get("minimumSize")
        maximum = argument.get("maximumSize")
        if minimum is not None and len(value) < minimum:
            return "Invalid value %s for the %s: it is %d characters long, the minimum is %d." % (
                _show_value(value), label, len(value), minimum)
        if maximum is not None and len(value) > maximum:
            return "Invalid value %s for the %s: it is %d characters long, the maximum is %d." % (
                _show_value(value), label, len(value), maximum)
    return None


def _show(value):
    return "'%s'" % value if value is not None else "null"


def mask_argument(argument, secret_keys):
    """Return a copy of an argument result with its value hidden when its key is secret."""
    if argument.get("key") in secret_keys and argument.get("value") is not None:
        masked = dict(argument)
        masked["value"] = MASK
        return masked
    return argument
