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

import time

from ansible_collections.ovhcloud.domain.plugins.module_utils._errors import (
    OvhApiError,
    OvhConfigurationError,
    OvhTransportError,
)


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

# Values of domain.OperationFunctionEnum (2024 and 2025 schemas).
KNOWN_FUNCTIONS = frozenset((
    "ContactControl", "ContactControlAcknowledge", "ContactControlCorrect", "ContactControlNotify",
    "DnsAnycastActivate", "DnsAnycastDeactivate", "DnssecDisable", "DnssecEnable", "DnssecResigning",
    "DnssecRollKsk", "DnssecRollZsk", "DomainAfterMarket", "DomainContactControl", "DomainContactUpdate",
    "DomainControl", "DomainCreate", "DomainDelete", "DomainDnsUpdate", "DomainDsUpdate",
    "DomainEmailRedirectionsCreate", "DomainEmailRedirectionsDelete", "DomainHold", "DomainHostCreate",
    "DomainHostDelete", "DomainHostUpdate", "DomainIncomingTransfer", "DomainLock", "DomainOutgoingTransfer",
    "DomainRegistryDelete", "DomainRenew", "DomainResourceDelete", "DomainRestore", "DomainTrade",
    "DomainUnhold", "DomainUnlock", "ZoneImport",
))
TYPES = ("alldom", "domain")

# Tag of the documents this collection uploads: the SHA-256 of the file.
DOCUMENT_DIGEST_TAG = "ansible-sha256"

# Values of domain.OperationStatusEnum. `problem` appeared in the 2024 schema.
STATUSES = ("todo", "doing", "done", "error", "problem", "cancelled")
FINAL_STATUSES = ("done", "cancelled", "error", "problem")
FAILED_STATUSES = ("error", "problem")

# Argument keys whose values are secrets: a transfer auth code opens the domain to anyone holding it.
DEFAULT_SECRET_KEYS = ("authInfo",)
MASK = "********"


def task_result(api_task):
    """Return the snake_case result of a domain.Task object, with the route family that served it."""
    result = dict((name, api_task.get(field)) for name, field in TASK_FIELDS)
    result["domain_unicode"] = to_unicode_domain(result["domain"])
    result["api_family"] = api_task.get("_family", "me")
    return result


def progress_result(api_progress):
    """Return the snake_case result of a nichandle.DomainTaskProgressBar object."""
    def step(api_step):
        if api_step is None:
            return None
        return {"step": api_step.get("step"), "description": api_step.get("description"),
                "execution_duration": api_step.get("executionDuration")}

    return {
        "current_step": step(api_progress.get("currentStep")),
        "follow_up_steps": [step(item) for item in api_progress.get("followUpSteps") or []],
        "percentage": api_progress.get("progress"),
        "expected_done_date": api_progress.get("expectedDoneDate"),
        "last_update_date": api_progress.get("lastUpdateDate"),
        "task_actions": api_progress.get("taskActions"),
        "task_status": api_progress.get("taskStatus"),
    }


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
    """Reads and writes of domain tasks through both route families.

    ``family`` is ``me`` for ``/me/task/domain``, ``domain`` for
    ``/domain/{serviceName}/task``, or ``auto``: ``/me/task/domain`` first,
    then the per-domain routes when the consumer key is not granted the
    former (a key scoped to ``/domain/{serviceName}/*``). Only the ``/me``
    family has argument and progress routes. API task objects returned here
    carry the family that served them under ``_family``.
    """

    def __init__(self, client, family="auto"):
        self.client = client
        self.family = family
        self._me_refused = family == "domain"

    # --- routes ---------------------------------------------------------------------

    def _use_me(self):
        return not self._me_refused

    def _fallback(self, exc, domains):
        """Return True when a refused /me call should be retried on the /domain family."""
        if self.family == "auto" and isinstance(exc, OvhApiError) and exc.is_not_granted and domains:
            self._me_refused = True
            return True
        return False

    def list_tasks(self, domain=None, function=None, status=None, task_type=None, domains=None):
        """Return the task objects that match the API's own filters (one value each).

        ``domain`` filters in the API; ``domains`` lists the service names to
        query when the ``/domain`` family serves the listing.
        """
        params = dict((name, value) for name, value in (
            ("domain", domain), ("function", function), ("status", status), ("type", task_type)) if value)

        if self._use_me():
            try:
                return self._list("/me/task/domain", params, "me")
            except OvhApiError as exc:
                if not self._fallback(exc, [domain] if domain else domains):
                    raise

        services = [domain] if domain else list(domains or [])
        if not services:
            raise OvhApiError(
                "GET", "/me/task/domain", 403,
                "the /domain/{serviceName}/task routes need the domain names: give the domain filter",
                error_code="NOT_GRANTED_CALL")
        params.pop("domain", None)
        tasks = []
        for service in services:
            path = "/domain/%s/task" % _quote(service)
            tasks.extend(self._list(path, params, "domain", service))
        return tasks

    def _list(self, path, params, family, service=None):
        objects, ids = self.client.get_objects(path, params=params or None)
        if objects is None:
            objects = [task for task in self.client.map(
                lambda task_id: self._get_or_none(path + "/%d" % task_id), sorted(ids or [])) if task is not None]
        for task in objects:
            task["_family"] = family
            if service and not task.get("domain"):
                task["domain"] = service
        return objects

    def _get_or_none(self, path):
        try:
            return self.client.get(path)
        except OvhApiError as exc:
            # A task listed a moment ago can vanish before it is read.
            if exc.status == 404:
                return None
            raise

    def get_task(self, task_id, domains=None):
        """Return one task object; ``domains`` are the service names to try on the /domain family."""
        if self._use_me():
            try:
                task = self.client.get("/me/task/domain/%d" % task_id)
                task["_family"] = "me"
                return task
            except OvhApiError as exc:
                if not self._fallback(exc, domains):
                    raise

        last_error = None
        for service in domains or []:
            try:
                task = self.client.get("/domain/%s/task/%d" % (_quote(service), task_id))
            except OvhApiError as exc:
                if exc.status != 404:
                    raise
                last_error = exc
                continue
            task["_family"] = "domain"
            task.setdefault("domain", service)
            return task
        if last_error is not None:
            raise last_error
        raise OvhApiError("GET", "/domain/{serviceName}/task/%d" % task_id, 403,
                          "the /domain/{serviceName}/task routes need the domain name of task %d: give the "
                          "domain option" % task_id, error_code="NOT_GRANTED_CALL")

    def _task_path(self, task):
        if task.get("_family") == "domain":
            return "/domain/%s/task/%d" % (_quote(task["domain"]), task["id"])
        return "/me/task/domain/%d" % task["id"]

    def list_argument_keys(self, task_id):
        return list(self.client.get("/me/task/domain/%d/argument" % task_id) or [])

    def get_argument(self, task_id, key):
        return self.client.get("/me/task/domain/%d/argument/%s" % (task_id, _quote(key)))

    def get_arguments(self, task_id):
        keys = self.list_argument_keys(task_id)
        return [self.get_argument(task_id, key) for key in keys]

    def get_progress(self, task_id):
        return self.client.get("/me/task/domain/%d/progressbar" % task_id)

    # --- writes ---------------------------------------------------------------------

    def set_argument(self, task_id, key, value):
        """Write an argument value, resolving a failure that leaves unknown whether it was applied."""
        path = "/me/task/domain/%d/argument/%s" % (task_id, _quote(key))
        self._write_once(
            "PUT", path, lambda: self.client.put(path, body={"value": value}),
            lambda: self.get_argument(task_id, key).get("value") == value,
            "the argument holds the new value")

    def run_action(self, task, action):
        """Send ``action`` for a task object, resolving a failure that leaves unknown whether it was applied."""
        path = "%s/%s" % (self._task_path(task), action)
        self._write_once(
            "POST", path, lambda: self.client.post(path),
            lambda: action_applied(action, task, self.client.get(self._task_path(task))),
            "the task shows the %s applied" % action)

    def _write_once(self, method, path, send, applied, applied_message):
        """Send a write; after an ambiguous failure, decide from the state read back.

        When the connection broke, the state read back shows whether the API got
        the write, and the write is sent once more only if it did not. When the
        request timed out, the API may still be processing it, so the state is
        read until the write shows or the read timeout passes again; the write is
        then never sent again, because a late copy would apply it twice.
        """
        try:
            send()
            return
        except (OvhApiError, OvhTransportError) as exc:
            if not exc.ambiguous:
                raise
            timed_out = getattr(exc, "timed_out", False)

        deadline = time.monotonic() + (self.client.timeout[1] if timed_out else 0)
        pause = 0.5
        while True:
            if applied():
                self._note("%s %s: the answer was lost, but %s" % (method, path, applied_message))
                return
            if time.monotonic() >= deadline:
                break
            time.sleep(pause)
            pause = min(pause * 2, 5.0)

        if timed_out:
            raise OvhTransportError(
                "%s %s timed out, and the state read back for %s s does not show it applied. The API may still "
                "apply it: run again later, and only what is still needed is sent." % (
                    method, path, self.client.timeout[1]), method, path)
        self._note("%s %s: the answer was lost and the state is unchanged; sending it once more" % (method, path))
        send()

    def find_document(self, document_id):
        """Return the /me/document object of an id, or None when there is none."""
        if not document_id:
            return None
        try:
            return self.client.get("/me/document/%s" % _quote(document_id))
        except OvhApiError as exc:
            if exc.status in (400, 404):
                return None
            raise

    def upload_document(self, name, content, digest):
        """Create a /me/document from bytes and return its id.

        The document is tagged with the SHA-256 of its content, so that a later
        run can tell that an argument already contains the same file.
        """
        document = self.client.post("/me/document", body={
            "name": name, "tags": [{"key": DOCUMENT_DIGEST_TAG, "value": digest}]})
        self.client.upload(document.get("putUrl"), content)
        return document["id"]

    def _note(self, message):
        self.client.record_retry(message)

    # --- queries --------------------------------------------------------------------

    def find_tasks(self, task_ids=None, domains=None, functions=None, statuses=None, types=None):
        """Return the API task objects that match every filter, sorted by id.

        Each filter is a list; an empty or None list does not filter. When task
        ids are given, those tasks are read directly and the other filters apply
        to them. Otherwise one filter with several values is sent as one listing
        per value, and the others are sent to the API when they have a single
        value or checked here when they have several. Domain names may be given
        in Unicode or ``xn--`` form.
        """
        filters = {
            "domain": _unique([to_ascii_domain(domain) for domain in domains or []]),
            "function": _unique(functions),
            "status": _unique(statuses),
            "type": _unique(types),
        }

        if task_ids:
            tasks = self.client.map(lambda task_id: self.get_task(task_id, filters["domain"]), _unique(task_ids))
            return sorted(_apply_filters(tasks, filters), key=lambda task: task["id"])

        # Function names the API does not know would be rejected by its enum check,
        # yet OVHcloud adds new functions over time: those are matched here instead.
        local = {}
        if any(function not in KNOWN_FUNCTIONS for function in filters["function"]):
            local["function"] = filters.pop("function")
            filters["function"] = []

        # Fan out over the filter with the most values, because every other
        # multi-valued filter must then be checked on the objects.
        fan_out = max(filters, key=lambda name: len(filters[name]))
        server_side = dict((name, values[0]) for name, values in filters.items() if len(values) == 1)
        for name, values in filters.items():
            if len(values) > 1 and name != fan_out:
                local[name] = values

        found = {}
        for value in filters[fan_out] or [None]:
            query = dict(server_side)
            if value is not None:
                query[fan_out] = value
            for task in self.list_tasks(query.get("domain"), query.get("function"), query.get("status"),
                                        query.get("type"), domains=filters["domain"]):
                found[task["id"]] = task

        # The API matches domain and function with LIKE; every filter is applied exactly here.
        tasks = [found[task_id] for task_id in sorted(found)]
        exact = dict((name, values) for name, values in filters.items() if values)
        exact.update(local)
        return _apply_filters(tasks, exact)


def action_applied(action, before, after):
    """Return True when ``after`` shows that ``action`` was applied to the task ``before``."""
    if action == "cancel":
        return after.get("status") == "cancelled"
    if action == "relaunch":
        return after.get("status") not in FAILED_STATUSES or after.get("lastUpdate") != before.get("lastUpdate")
    return not after.get("canAccelerate") or after.get("todoDate") != before.get("todoDate")


def to_ascii_domain(name):
    """Return a domain name in the ASCII (``xn--``) form the API uses, lower-cased."""
    name = (name or "").strip().rstrip(".").lower()
    try:
        name.encode("ascii")
        return name
    except UnicodeEncodeError:
        pass
    try:
        import idna
    except ImportError:  # pragma: no cover - requests depends on idna
        idna = None
    try:
        if idna is not None:
            return idna.encode(name, uts46=True).decode("ascii")
        return name.encode("idna").decode("ascii")
    except (UnicodeError, ValueError) as exc:
        # idna.IDNAError subclasses UnicodeError.
        raise OvhConfigurationError("Invalid domain name %r: %s. Give it in Unicode or xn-- form." % (name, exc))


def to_unicode_domain(name):
    """Return a domain name with its ``xn--`` labels decoded, or the name unchanged if it has none."""
    if not name or "xn--" not in name.lower():
        return name
    try:
        import idna
        return idna.decode(name)
    except ImportError:  # pragma: no cover - requests depends on idna
        return name.encode("ascii").decode("idna")
    except (UnicodeError, ValueError):
        # idna.IDNAError subclasses UnicodeError; an undecodable name is shown as the API returned it.
        return name


def collect_task_results(api, task_ids=None, domains=None, functions=None, statuses=None, types=None,
                         with_arguments=False, with_progress=False, warn=None, secret_keys=DEFAULT_SECRET_KEYS):
    """Return the results of the tasks that match the filters, with arguments and progress on request.

    This is the listing that ``domain_task_info`` and the ``domain_tasks`` lookup
    share. Secret argument values are masked. Tasks served by the ``/domain``
    family get ``arguments`` and ``progress`` set to None, because only the
    ``/me`` family has those routes; ``warn(message)`` is called once.
    """
    api_tasks = api.find_tasks(task_ids=task_ids, domains=domains, functions=functions,
                               statuses=statuses, types=types)

    def details(api_task):
        task = task_result(api_task)
        readable = api_task.get("_family") != "domain"
        if with_arguments:
            task["arguments"] = [
                mask_argument(argument_result(argument), secret_keys)
                for argument in api.get_arguments(api_task["id"])
            ] if readable else None
        if with_progress:
            task["progress"] = progress_result(api.get_progress(api_task["id"])) if readable else None
        return task

    # Only the arguments and progress need requests: plain conversions stay off the thread pool.
    if with_arguments or with_progress:
        results = api.client.map(details, api_tasks)
    else:
        results = [details(api_task) for api_task in api_tasks]
    if (with_arguments or with_progress) and warn and any(task["api_family"] == "domain" for task in results):
        warn("Arguments and progress of tasks read through /domain/{serviceName}/task are not available: "
             "they need GET access to /me/task/domain/* for the consumer key.")
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
                if to_ascii_domain(field) not in values:
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


def document_digest(document):
    """Return the SHA-256 tag of a /me/document object, or None."""
    for tag in (document or {}).get("tags") or []:
        if tag.get("key") == DOCUMENT_DIGEST_TAG:
            return tag.get("value")
    return None


def validate_document(task_id, argument, file_name, size):
    """Return None when a file may be uploaded for a /me/document argument, else an error message."""
    label = "argument '%s' of task %s" % (argument.get("key"), task_id)
    if argument.get("type") != "/me/document":
        return ("The %s has type %s, not /me/document: give it a value, not a file."
                % (label, argument.get("type")))
    if argument.get("readOnly"):
        return "The %s is read-only: its value cannot be changed." % label

    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    formats = [item.lower() for item in argument.get("acceptedFormats") or []]
    if formats and extension not in formats:
        return "Invalid file %s for the %s: accepted formats are %s." % (file_name, label, ", ".join(formats))

    maximum = argument.get("maximumSize")
    if maximum is not None and size > maximum:
        return "Invalid file %s for the %s: it is %d bytes, the maximum is %d." % (file_name, label, size, maximum)
    if size == 0:
        return "Invalid file %s for the %s: it is empty." % (file_name, label)
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
