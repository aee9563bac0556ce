# -*- coding: utf-8 -*-
# Copyright (c) ovhcloud.domain contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Property-based tests of OvhClient and DomainTaskApi against the simulator:
any argument value and any task id reach the API and come back unchanged.

The simulator (package ovhsim) runs as a subprocess on 127.0.0.1 with a
scenario built here: tasks whose ids sit at the edges of the API's long type
and of JSON's exact integers, each with a free-text argument. Each example
clears the request log, writes, then compares what the API received, what it
stored and what the client reads back. The counts feed the reliability
report (tests/output/reliability.json).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import sys
import time
from pathlib import Path

import pytest

from ansible_collections.ovhcloud.domain.plugins.module_utils._client import OvhClient
from ansible_collections.ovhcloud.domain.plugins.module_utils._errors import OvhApiError
from ansible_collections.ovhcloud.domain.plugins.module_utils._tasks import DomainTaskApi

VALUE_EXAMPLES = 300
ID_EXAMPLES = 100
KEY = "legitimacyAfnic"

# 2**53 + 1 is the first integer a JSON parser that uses doubles would change,
# 2**63 - 1 the largest id the API's long type allows.
TASK_IDS = [1, 9, 10, 1000, 2 ** 31 - 1, 2 ** 31, 2 ** 53 + 1, 2 ** 63 - 1]
LONG_MIN = -2 ** 63
LONG_MAX = 2 ** 63 - 1

RELIABILITY_LIB = Path(__file__).resolve().parents[3] / "integration" / "reliability" / "reliability_testlib.py"

# The built collection leaves out the simulator and the repository's test
# fixtures (tests/conftest.py, tests/integration), so ansible-test units skips
# these tests. They run from the repository with pytest.
if not RELIABILITY_LIB.is_file():
    pytest.skip("needs the simulator and the fixtures of the repository's tests/ tree", allow_module_level=True)
pytest.importorskip("ovhsim")
hypothesis = pytest.importorskip("hypothesis")
st = pytest.importorskip("hypothesis.strategies")


def scenario():
    task = {
        "function": "DomainCreate", "domain": "example.fr", "status": "error",
        "creationDate": "2024-06-01T10:00:00+02:00", "canRelaunch": True,
        "arguments": [{"key": KEY, "type": "string", "value": None, "description": "Free text"}],
    }
    return {
        "credentials": [{
            "application_key": "demo-application-key",
            "application_secret": "demo-application-secret",
            "consumer_keys": [{"consumer_key": "demo-consumer-key"}],
        }],
        "tasks": [dict(task, id=task_id) for task_id in TASK_IDS],
    }


def load_reliability_lib():
    name = "ovhcloud_domain_reliability_testlib"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, str(RELIABILITY_LIB))
    module = importlib.util.module_from_spec(spec)
    # Dataclasses look their module up in sys.modules while the module runs.
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def client_collector(request):
    """Entries of the client property tests, merged into tests/output/reliability.json at the end."""
    lib = load_reliability_lib()
    collector = lib.Collector()
    yield lib, collector
    if collector.entries:
        lib.write_report(request.config, collector.entries, "client")


@pytest.fixture(scope="module")
def property_simulator(harness, tmp_path_factory):
    simulator = harness.start_simulator(scenario(), tmp_path_factory.mktemp("property-simulator"))
    yield simulator
    simulator.stop()


@pytest.fixture(scope="module")
def api(property_simulator):
    client = OvhClient(property_simulator.url, application_key="demo-application-key",
                       application_secret="demo-application-secret", consumer_key="demo-consumer-key",
                       connect_timeout=5, read_timeout=10)
    yield DomainTaskApi(client, family="me")
    client.close()


class Tally:
    def __init__(self):
        self.examples = 0
        self.lost = 0
        self.duplicated = 0
        self.failed = False


def record(client_collector, scenario_name, tally):
    lib, collector = client_collector
    collector.add(lib.Entry(
        scenario=scenario_name, category="client_properties", outcome="failed" if tally.failed else "succeeded",
        client_examples=tally.examples, writes_expected=tally.examples, writes_applied=tally.examples - tally.lost,
        writes_lost=tally.lost, writes_duplicated=tally.duplicated,
    ))


def logged_puts(simulator, timeout=2.0):
    """Return the PUT requests of the log, waiting for the first one to appear.

    The simulator appends a request to its log after it has sent the reply,
    so a client that reads the log right after the reply can miss the entry.
    """
    deadline = time.monotonic() + timeout
    while True:
        puts = [entry for entry in simulator.requests() if entry["method"] == "PUT"]
        if puts or time.monotonic() > deadline:
            return puts
        time.sleep(0.01)


def round_trip(api, simulator, task_id, value, tally):
    """Write ``value``, then check what the API received, stored and returns."""
    tally.examples += 1
    simulator.clear_requests()

    api.set_argument(task_id, KEY, value)

    puts = logged_puts(simulator)
    stored = simulator.argument(task_id, KEY)["value"]
    tally.lost += int(stored != value)
    tally.duplicated += int(len(puts) > 1)
    assert [entry["body"] for entry in puts] == [{"value": value}]
    assert puts[0]["path"] == "/me/task/domain/%d/argument/%s" % (task_id, KEY)
    assert stored == value
    assert api.get_argument(task_id, KEY)["value"] == value


# Text from every Unicode category but surrogates, which UTF-8 cannot encode,
# mixed with fragments that templating, YAML or number parsing would change.
FRAGMENTS = st.sampled_from([
    "{{ 1 + 1 }}", "{{", "}}", "{% raw %}", "{#", "0", "007", "1e3", "0x1F", "-0", "true", "null", "~",
    "\n", "\r\n", "\t", "\x00", "'", '"', "\\", "\\u00e9", "é", "e\u0301", "ß", "中文", "😀", "\u200b",
    "\u2028", "\ufeff", "%2F", "/", "..", "?x=1", "#",
])
VALUES = st.lists(st.one_of(st.text(alphabet=st.characters(blacklist_categories=("Cs",))), FRAGMENTS),
                  max_size=6).map("".join)


def test_argument_values_round_trip(api, property_simulator, client_collector):
    tally = Tally()

    @hypothesis.settings(max_examples=VALUE_EXAMPLES, deadline=None, database=None,
                         suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture])
    @hypothesis.given(value=VALUES)
    def check(value):
        round_trip(api, property_simulator, 1000, value, tally)

    try:
        check()
    except BaseException:
        tally.failed = True
        raise
    finally:
        record(client_collector, "client/argument-values", tally)


def test_digit_strings_round_trip(api, property_simulator, client_collector):
    tally = Tally()

    @hypothesis.settings(max_examples=VALUE_EXAMPLES // 3, deadline=None, database=None,
                         suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture])
    @hypothesis.given(value=st.from_regex(r"0*[0-9]{1,30}", fullmatch=True))
    def check(value):
        round_trip(api, property_simulator, 1000, value, tally)

    try:
        check()
    except BaseException:
        tally.failed = True
        raise
    finally:
        record(client_collector, "client/digit-strings", tally)


def test_task_ids_round_trip(api, property_simulator, client_collector):
    tally = Tally()

    @hypothesis.settings(max_examples=ID_EXAMPLES, deadline=None, database=None,
                         suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture])
    @hypothesis.given(task_id=st.sampled_from(TASK_IDS), value=st.text(max_size=20))
    def check(task_id, value):
        task = api.get_task(task_id)
        assert task["id"] == task_id
        assert isinstance(task["id"], int)
        assert not isinstance(task["id"], bool)
        round_trip(api, property_simulator, task_id, value, tally)

    try:
        check()
    except BaseException:
        tally.failed = True
        raise
    finally:
        record(client_collector, "client/task-ids", tally)


def test_unknown_task_ids_named_in_error(api):
    @hypothesis.settings(max_examples=ID_EXAMPLES, deadline=None, database=None,
                         suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture])
    @hypothesis.given(task_id=st.integers(min_value=LONG_MIN, max_value=LONG_MAX).filter(lambda value: value not in TASK_IDS))
    def check(task_id):
        with pytest.raises(OvhApiError) as error:
            api.get_task(task_id)
        assert error.value.status == 404
        assert error.value.path == "/me/task/domain/%d" % task_id

    check()
