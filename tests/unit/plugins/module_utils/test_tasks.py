# -*- coding: utf-8 -*-
# Copyright (c) ovhcloud.domain contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.ovhcloud.domain.plugins.module_utils._tasks import (
    DomainTaskApi,
    argument_result,
    mask_argument,
    task_result,
    validate_argument_value,
)
from ansible_collections.ovhcloud.domain.plugins.module_utils._errors import OvhApiError
from ansible_collections.ovhcloud.domain.plugins.module_utils._wait import next_interval, wait_for_final_status

GUIDE_TASK = {
    "id": 1000, "function": "DomainCreate", "domain": "example.fr", "status": "error",
    "comment": "You have to explain in a few words how you'd like to use this domain name",
    "creationDate": "2022-01-01T12:00:00+01:00", "todoDate": "2022-01-01T13:00:00+01:00",
    "lastUpdate": "2022-01-01T12:40:00+01:00", "doneDate": None,
    "canAccelerate": False, "canRelaunch": True, "canCancel": False,
}


def argument(**overrides):
    base = {"key": "legitimacyAfnic", "type": "string", "description": "Update legitimacyAfnic with valid content",
            "value": None, "acceptedValues": None, "readOnly": False, "minimumSize": None,
            "maximumSize": None, "fields": None, "template": None, "acceptedFormats": None}
    base.update(overrides)
    return base


def test_task_result_is_snake_case():
    result = task_result(GUIDE_TASK)
    assert result["can_relaunch"] is True
    assert result["todo_date"] == "2022-01-01T13:00:00+01:00"
    assert result["last_update"] == "2022-01-01T12:40:00+01:00"
    assert result["type"] is None
    assert "canRelaunch" not in result


def test_argument_result_is_snake_case():
    result = argument_result(argument(acceptedValues=["a"]))
    assert result["accepted_values"] == ["a"]
    assert result["read_only"] is False


def test_valid_value_passes():
    assert validate_argument_value(1000, argument(), "I am the mayor of the city Example.") is None


def test_read_only_rejected():
    message = validate_argument_value(1000, argument(readOnly=True), "x")
    assert "argument 'legitimacyAfnic' of task 1000 is read-only" in message


def test_value_outside_accepted_values():
    message = validate_argument_value(1000, argument(acceptedValues=["association", "corporation"]), "other")
    assert message == ("Invalid value 'other' for the argument 'legitimacyAfnic' of task 1000: "
                       "accepted values are 'association', 'corporation'.")


def test_value_too_short():
    message = validate_argument_value(1000, argument(minimumSize=5), "abc")
    assert "it is 3 characters long, the minimum is 5" in message


def test_value_too_long():
    message = validate_argument_value(1000, argument(maximumSize=2), "abc")
    assert "it is 3 characters long, the maximum is 2" in message


def test_secret_value_not_shown():
    message = validate_argument_value(1000, argument(key="authInfo", maximumSize=2), "s3cr3t", secret=True)
    assert "s3cr3t" not in message
    assert "********" in message


def test_contact_argument_needs_id():
    message = validate_argument_value(1000, argument(type="/me/contact"), "john")
    assert "contact id" in message
    assert validate_argument_value(1000, argument(type="/me/contact"), "1104") is None


def test_mask_argument():
    masked = mask_argument({"key": "authInfo", "value": "code"}, {"authInfo"})
    assert masked["value"] == "********"
    assert mask_argument({"key": "other", "value": "v"}, {"authInfo"})["value"] == "v"


class RecordingClient:
    """A client that serves a fixed task list and records the listing queries.

    With ``bulk`` it answers listings with whole objects, as the API does in
    its paged bulk mode; otherwise with ids.
    """

    def __init__(self, tasks, bulk=False, refuse_me=False):
        self.tasks = dict((task["id"], task) for task in tasks)
        self.queries = []
        self.paths = []
        self.bulk = bulk
        self.refuse_me = refuse_me
        self.retries = []

    def record_retry(self, message):
        self.retries.append(message)

    def map(self, function, items):
        return [function(item) for item in items]

    def _matching(self, params):
        return [dict(task) for task_id, task in sorted(self.tasks.items())
                if all(task.get(name) == value for name, value in (params or {}).items())]

    def get_objects(self, path, params=None):
        self._check(path)
        self.queries.append(params or {})
        if path.startswith("/domain/"):
            params = dict(params or {}, domain=path.split("/")[2])
        tasks = self._matching(params)
        if self.bulk:
            return tasks, None
        return None, [task["id"] for task in tasks]

    def get(self, path, params=None):
        self._check(path)
        return dict(self.tasks[int(path.rsplit("/", 1)[1])])

    def _check(self, path):
        self.paths.append(path)
        if self.refuse_me and path.startswith("/me/"):
            raise OvhApiError("GET", path, 403, "This call has not been granted", error_code="NOT_GRANTED_CALL")


TASKS = [
    dict(GUIDE_TASK),
    dict(GUIDE_TASK, id=1001, domain="example.com", function="DomainIncomingTransfer"),
    dict(GUIDE_TASK, id=1002, domain="example.eu", status="done"),
    dict(GUIDE_TASK, id=1003, domain="example.fr", status="todo"),
]


def test_find_tasks_one_listing_per_status():
    client = RecordingClient(TASKS)
    tasks = DomainTaskApi(client).find_tasks(statuses=["error", "todo"], domains=["example.fr"])
    assert [task["id"] for task in tasks] == [1000, 1003]
    assert client.queries == [{"status": "error", "domain": "example.fr"},
                              {"status": "todo", "domain": "example.fr"}]


def test_find_tasks_filters_second_list_locally():
    client = RecordingClient(TASKS)
    tasks = DomainTaskApi(client).find_tasks(statuses=["error", "done"], domains=["example.fr", "example.com"])
    assert [task["id"] for task in tasks] == [1000, 1001]
    assert len(client.queries) == 2


def test_find_tasks_by_id_applies_filters():
    client = RecordingClient(TASKS)
    tasks = DomainTaskApi(client).find_tasks(task_ids=[1002, 1000], statuses=["error"])
    assert [task["id"] for task in tasks] == [1000]
    assert client.queries == []


def test_find_tasks_bulk_mode_reads_no_task():
    client = RecordingClient(TASKS, bulk=True)
    tasks = DomainTaskApi(client).find_tasks(statuses=["error"])
    assert [task["id"] for task in tasks] == [1000, 1001]
    assert client.paths == ["/me/task/domain"]


def test_find_tasks_unknown_function_matched_locally():
    tasks_with_new_function = TASKS + [dict(GUIDE_TASK, id=1004, function="DomainSendRDRPNotice")]
    client = RecordingClient(tasks_with_new_function, bulk=True)
    tasks = DomainTaskApi(client).find_tasks(functions=["DomainSendRDRPNotice"])
    assert [task["id"] for task in tasks] == [1004]
    assert client.queries == [{}]


def test_find_tasks_unicode_domain():
    idn_tasks = TASKS + [dict(GUIDE_TASK, id=1005, domain="xn--caf-dma.fr")]
    client = RecordingClient(idn_tasks, bulk=True)
    tasks = DomainTaskApi(client).find_tasks(domains=["Café.fr"])
    assert [task["id"] for task in tasks] == [1005]
    assert client.queries == [{"domain": "xn--caf-dma.fr"}]


def test_find_tasks_falls_back_to_domain_family():
    client = RecordingClient(TASKS, bulk=True, refuse_me=True)
    tasks = DomainTaskApi(client).find_tasks(domains=["example.com"], statuses=["error"])
    assert [task["id"] for task in tasks] == [1001]
    assert tasks[0]["_family"] == "domain"
    assert client.paths == ["/me/task/domain", "/domain/example.com/task"]


def test_find_tasks_refused_without_domain():
    client = RecordingClient(TASKS, bulk=True, refuse_me=True)
    with pytest.raises(OvhApiError) as error:
        DomainTaskApi(client).find_tasks(statuses=["error"])
    assert error.value.is_not_granted


def test_get_task_falls_back_per_domain():
    client = RecordingClient(TASKS, refuse_me=True)
    task = DomainTaskApi(client).get_task(1001, domains=["example.com"])
    assert task["_family"] == "domain"
    assert client.paths[-1] == "/domain/example.com/task/1001"


def test_task_result_names_family():
    assert task_result(dict(GUIDE_TASK, _family="domain"))["api_family"] == "domain"
    assert task_result(GUIDE_TASK)["api_family"] == "me"


def test_wait_stops_on_final_status():
    statuses = iter(["todo", "doing", "done"])
    clock = [0.0]

    def read_task(task_id):
        return {"id": task_id, "status": next(statuses)}

    def sleep(seconds):
        clock[0] += seconds

    tasks, pending, elapsed = wait_for_final_status(read_task, [1000], 60, sleep=sleep, clock=lambda: clock[0])
    assert tasks[1000]["status"] == "done"
    assert pending == []
    assert elapsed == pytest.approx(2.5)


def test_wait_times_out_with_last_status():
    clock = [0.0]

    def sleep(seconds):
        clock[0] += seconds

    tasks, pending, elapsed = wait_for_final_status(
        lambda task_id: {"id": task_id, "status": "doing"}, [1000], 10, sleep=sleep, clock=lambda: clock[0])
    assert pending == [1000]
    assert tasks[1000]["status"] == "doing"
    assert elapsed == pytest.approx(10)


def test_wait_ignores_status_from_before_action():
    before = {"id": 1000, "status": "error", "lastUpdate": "t0"}
    reads = iter([before, {"id": 1000, "status": "todo", "lastUpdate": "t1"},
                  {"id": 1000, "status": "done", "lastUpdate": "t2"}])
    tasks, pending, _elapsed = wait_for_final_status(
        lambda task_id: next(reads), [1000], 60, unchanged_since={1000: before}, sleep=lambda s: None)
    assert tasks[1000]["status"] == "done"
    assert pending == []


def test_next_interval_waits_for_todo_date():
    tasks = [{"status": "todo", "todoDate": "2022-01-01T13:00:00+01:00"}]
    now = next_interval.__globals__["datetime"].fromisoformat("2022-01-01T12:59:50+01:00").timestamp()
    assert next_interval(tasks, 1.0, 30.0, now) == pytest.approx(10.0)


def test_next_interval_capped_by_maximum():
    tasks = [{"status": "todo", "todoDate": "2022-01-01T18:00:00+01:00"}]
    now = next_interval.__globals__["datetime"].fromisoformat("2022-01-01T12:00:00+01:00").timestamp()
    assert next_interval(tasks, 1.0, 30.0, now) == 30.0


def test_next_interval_for_running_task():
    assert next_interval([{"status": "doing", "todoDate": None}], 2.0, 30.0, 0) == 2.0
