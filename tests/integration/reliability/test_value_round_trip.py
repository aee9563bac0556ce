"""Values typed by people reach the API byte for byte through the modules and
the role, and a registered value used again is not templated a second time.

Each Hypothesis example is one ansible-playbook run on the scenario
scenarios/reliability.yaml: domain_task_argument writes the value into task
5000, a second task writes the registered result into task 5001, and
domain_task_info reads both back. Values that contain Jinja delimiters come
from a vars file with `!unsafe`, because ansible-core 2.19 templates
--extra-vars; values that only look like numbers, booleans or null come
through --extra-vars JSON.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reliability_testlib import ROLE_PLAYBOOK, SCENARIO, Entry, processed_writes, role_report, yaml_unsafe

FIRST_TASK = 5000
SECOND_TASK = 5001
KEY = "legitimacyAfnic"

# Each example is an ansible-playbook run of about two seconds.
MODULE_EXAMPLES = 6

PLAYBOOK = """
- name: Write a typed value, then write the registered result again
  hosts: localhost
  gather_facts: false
  {vars_files}
  tasks:
    - name: Write the value
      ovhcloud.domain.domain_task_argument:
        task_id: {first}
        key: {key}
        value: "{{{{ typed_value }}}}"
      register: written

    - name: Write the registered value into the second task
      ovhcloud.domain.domain_task_argument:
        task_id: {second}
        key: {key}
        value: "{{{{ written.argument.value }}}}"
      register: reused

    - name: Read both tasks back
      ovhcloud.domain.domain_task_info:
        task_id: [{first}, {second}]
        arguments: true
      register: read_back
"""

# Fragments that Jinja, YAML or a shell would read as syntax, and characters
# that encodings and terminals handle differently.
TRICKY_FRAGMENTS = st.sampled_from([
    "{{ 1 + 1 }}", "{{", "}}", "{% raw %}", "{% endraw %}", "{% if true %}x{% endif %}", "{#", "#}",
    "{{ lookup('env', 'HOME') }}", "${HOME}", "$(id)", "%s", "\\", "\\n", "'", '"', "`", "\n", "\r\n", "\t",
    "é", "ß", "İ", "中文", "😀", "e\u0301", "\u200b", "\u00a0", "\u2028", "0", "007", " ", "# not a comment",
    ": ", "- ", "&anchor", "*alias", "!tag", "| >",
])
# Printable and non-printable Unicode, without surrogates, which UTF-8 cannot encode.
ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
# NOTE: ansible-core 2.19.14 loads `!unsafe ""` as null, so the empty string
# is tested through --extra-vars below instead.
TYPED_VALUES = st.lists(st.one_of(ANY_TEXT, TRICKY_FRAGMENTS), min_size=1, max_size=5).map("".join).filter(bool)

NUMBER_LIKE = st.one_of(
    st.from_regex(r"0[0-9]{1,12}", fullmatch=True),
    st.from_regex(r"[0-9]{1,20}", fullmatch=True),
    st.sampled_from([
        "1e3", "1E-2", "1_000", "0x1F", "0o17", "0b101", "-0", "+1", " 42", "42 ", "1.50", "0.0", ".5", "inf",
        "NaN", "True", "false", "yes", "off", "null", "None", "~", "[1, 2]", "{}", "2024-06-01", "12:30:00", "",
    ]),
)


@pytest.fixture(scope="module")
def value_simulator(harness, tmp_path_factory):
    simulator = harness.start_simulator(SCENARIO, tmp_path_factory.mktemp("values-simulator"))
    yield simulator
    simulator.stop()


@pytest.fixture(scope="module")
def value_env(harness, tmp_path_factory, value_simulator):
    return harness.ansible_env(tmp_path_factory.mktemp("values-ansible"), value_simulator)


@pytest.fixture(scope="module")
def value_work_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("values-playbooks")


class RoundTrips:
    """Counts of one property test, added to the collector when the test ends."""

    def __init__(self) -> None:
        self.runs = 0
        self.lost = 0
        self.duplicated = 0
        self.failures: list[str] = []


def check_round_trip(value: str, run, simulator, tally: RoundTrips) -> None:
    tally.runs += 1
    log = simulator.requests()
    stored = {task_id: simulator.argument(task_id, KEY)["value"] for task_id in (FIRST_TASK, SECOND_TASK)}
    counts = processed_writes(log)
    tally.lost += sum(1 for task_id in stored if stored[task_id] != value)
    tally.duplicated += sum(1 for count in counts.values() if count > 1)

    context = f"value {value!r}\n{run.describe()}"
    assert run.rc == 0, context
    assert stored[FIRST_TASK] == value, context
    assert stored[SECOND_TASK] == value, context

    # What the API received, not only what it stored.
    bodies = [entry["body"] for entry in log if entry["method"] == "PUT"]
    assert bodies == [{"value": value}, {"value": value}], context
    assert all(count == 1 for count in counts.values()), context

    assert run.task("Write the value")["argument"]["value"] == value, context
    assert run.task("Write the registered value into the second task")["argument"]["value"] == value, context
    for task in run.task("Read both tasks back")["tasks"]:
        assert [argument["value"] for argument in task["arguments"]] == [value], context


def record(collector, scenario: str, tally: RoundTrips) -> None:
    collector.add(Entry(
        scenario=scenario, category="values", outcome="succeeded" if not tally.failures else "failed",
        runs=tally.runs, writes_expected=2 * tally.runs, writes_applied=2 * tally.runs - tally.lost,
        writes_lost=tally.lost, writes_duplicated=tally.duplicated,
    ))


def test_typed_values_through_vars_file(value_simulator, value_env, value_work_dir, run_playbook, collector):
    tally = RoundTrips()
    playbook = PLAYBOOK.format(vars_files="vars_files: [values.yml]", first=FIRST_TASK, second=SECOND_TASK, key=KEY)
    playbook_path = value_work_dir / "vars-file.yml"
    playbook_path.write_text(playbook, encoding="utf-8")

    @settings(max_examples=MODULE_EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(value=TYPED_VALUES)
    def round_trip(value):
        value_simulator.reset()
        (value_work_dir / "values.yml").write_text(f"typed_value: {yaml_unsafe(value)}\n", encoding="ascii")
        run = run_playbook(playbook_path, value_env)
        try:
            check_round_trip(value, run, value_simulator, tally)
        except AssertionError:
            tally.failures.append(value)
            raise

    try:
        round_trip()
    finally:
        record(collector, "values/modules-vars-file-unsafe", tally)


def test_number_like_values_through_extra_vars(value_simulator, value_env, value_work_dir, run_playbook, collector):
    tally = RoundTrips()
    playbook = PLAYBOOK.format(vars_files="", first=FIRST_TASK, second=SECOND_TASK, key=KEY)
    playbook_path = value_work_dir / "extra-vars.yml"
    playbook_path.write_text(playbook, encoding="utf-8")

    @settings(max_examples=MODULE_EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(value=NUMBER_LIKE)
    def round_trip(value):
        value_simulator.reset()
        run = run_playbook(playbook_path, value_env, extra_vars={"typed_value": value})
        try:
            check_round_trip(value, run, value_simulator, tally)
        except AssertionError:
            tally.failures.append(value)
            raise

    try:
        round_trip()
    finally:
        record(collector, "values/modules-extra-vars-json", tally)


ROLE_TEMPLATE_VALUE = "Site {{ association }} — {% raw %}100 % «bénévole»{% endraw %}\nligne 2 \"ok\""
ROLE_DIGITS_VALUE = "00123456789"


def test_role_writes_values_unchanged(value_simulator, value_env, value_work_dir, run_playbook, collector):
    value_simulator.reset()
    corrections = value_work_dir / "corrections.yml"
    corrections.write_text(
        "fix_and_relaunch_corrections:\n"
        f"  - {{key: legitimacyAfnic, task_id: {FIRST_TASK}, value: {yaml_unsafe(ROLE_TEMPLATE_VALUE)}}}\n"
        f"  - {{key: companyNumber, task_id: 5003, value: \"{ROLE_DIGITS_VALUE}\"}}\n"
        "fix_and_relaunch_wait: false\n",
        encoding="ascii",
    )

    run = run_playbook(ROLE_PLAYBOOK, value_env, extra_args=("-e", f"corrections_file={corrections}"))

    log = value_simulator.requests()
    stored = {
        FIRST_TASK: value_simulator.argument(FIRST_TASK, KEY)["value"],
        5003: value_simulator.argument(5003, "companyNumber")["value"],
    }
    expected = {FIRST_TASK: ROLE_TEMPLATE_VALUE, 5003: ROLE_DIGITS_VALUE}
    counts = processed_writes(log)
    relaunched = sorted(path for (method, path) in counts if method == "POST")
    collector.add(Entry(
        scenario="values/role-template-and-leading-zero", category="values",
        outcome="succeeded" if run.rc == 0 else "failed", runs=1, writes_expected=4,
        writes_applied=sum(1 for task_id in stored if stored[task_id] == expected[task_id]) + len(relaunched),
        writes_lost=sum(1 for task_id in stored if stored[task_id] != expected[task_id]) + 2 - len(relaunched),
        writes_duplicated=sum(1 for count in counts.values() if count > 1),
    ))

    assert run.rc == 0, run.describe()
    assert stored == expected, run.describe()
    puts = {entry["path"]: entry["body"] for entry in log if entry["method"] == "PUT"}
    assert puts == {
        f"/me/task/domain/{FIRST_TASK}/argument/{KEY}": {"value": ROLE_TEMPLATE_VALUE},
        "/me/task/domain/5003/argument/companyNumber": {"value": ROLE_DIGITS_VALUE},
    }, run.describe()
    assert relaunched == [f"/me/task/domain/{FIRST_TASK}/relaunch", "/me/task/domain/5003/relaunch"], run.describe()
    assert all(count == 1 for count in counts.values()), run.describe()
    report = role_report(run)
    assert sorted(entry["id"] for entry in report["relaunched"]) == [FIRST_TASK, 5003], run.describe()
