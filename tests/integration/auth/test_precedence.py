"""Which source wins when several set the same setting: an option beats an
OVH_* environment variable, which beats the ovh.conf files, and a later file
beats an earlier one (~/.ovh.conf, then ./ovh.conf, then config_file). For
the lookup, a keyword argument beats an Ansible variable, which beats the
environment, which beats ansible.cfg, which beats the ovh.conf files.

Each case puts a complete set of keys in two sources that differ only in the
consumer key: the valid one in one source, an unknown one in the other."""

from __future__ import annotations

import pytest

from auth_testlib import (
    CONSUMER_KEY,
    ERROR_TASK_IDS,
    INFO_MODULE,
    UNKNOWN_CONSUMER_KEY,
    key_settings,
    lookup_arguments,
    lookup_playbook,
    lookup_task_ids,
    module_task_ids,
    place_settings,
    with_environment,
    write_ovh_conf,
)

# (higher source, lower source)
MODULE_CASES = [
    ("options", "environment"),
    ("options", "config_file"),
    ("environment", "cwd_file"),
    ("environment", "home_file"),
    ("environment", "config_file"),
    ("cwd_file", "home_file"),
    ("config_file", "cwd_file"),
    ("config_file", "home_file"),
]
LOOKUP_CASES = [
    ("options", "variables"),
    ("variables", "environment"),
    ("environment", "ansible_cfg"),
    ("environment", "cwd_file"),
    ("ansible_cfg", "cwd_file"),
    ("cwd_file", "home_file"),
    ("config_file", "cwd_file"),
]


def case_id(case):
    return f"{case[0]}-over-{case[1]}"


def place_both(sources, consumer_keys, url, env, home_dir, work_dir, tmp_path):
    """Put the keys in each source with that source's consumer key, and return options, env and variables."""
    options, variables = {}, {}
    for source, consumer_key in zip(sources, consumer_keys):
        settings = key_settings(url, consumer_key=consumer_key)
        more_options, env, more_variables = place_settings(source, settings, env, home_dir, work_dir, tmp_path)
        options.update(more_options)
        variables.update(more_variables)
    return options, env, variables


@pytest.mark.parametrize("case", MODULE_CASES, ids=case_id)
def test_module_higher_source_wins(case, run_module, simulator, bare_env, home_dir, work_dir, tmp_path):
    options, env, _ = place_both(case, (CONSUMER_KEY, UNKNOWN_CONSUMER_KEY), simulator.url, bare_env,
                                 home_dir, work_dir, tmp_path)

    outcome = run_module(INFO_MODULE, dict(options, status="error"), env=env, cwd=work_dir)

    assert module_task_ids(outcome) == ERROR_TASK_IDS, outcome.playbook.describe()


@pytest.mark.parametrize("case", MODULE_CASES, ids=case_id)
def test_module_higher_wrong_value_fails(case, run_module, simulator, bare_env, home_dir, work_dir, tmp_path):
    options, env, _ = place_both(case, (UNKNOWN_CONSUMER_KEY, CONSUMER_KEY), simulator.url, bare_env,
                                 home_dir, work_dir, tmp_path)

    outcome = run_module(INFO_MODULE, dict(options, status="error"), env=env, cwd=work_dir)

    assert outcome.failed, outcome.playbook.describe()
    assert "INVALID_CREDENTIAL" in outcome.msg


@pytest.mark.parametrize("case", LOOKUP_CASES, ids=case_id)
def test_lookup_higher_source_wins(case, run_playbook, simulator, bare_env, home_dir, work_dir, tmp_path):
    options, env, variables = place_both(case, (CONSUMER_KEY, UNKNOWN_CONSUMER_KEY), simulator.url, bare_env,
                                         home_dir, work_dir, tmp_path)

    result = run_playbook(lookup_playbook(lookup_arguments(options), variables), env, cwd=work_dir)

    assert lookup_task_ids(result) == ERROR_TASK_IDS, result.describe()


@pytest.mark.parametrize("case", LOOKUP_CASES, ids=case_id)
def test_lookup_higher_wrong_value_fails(case, run_playbook, simulator, bare_env, home_dir, work_dir, tmp_path):
    options, env, variables = place_both(case, (UNKNOWN_CONSUMER_KEY, CONSUMER_KEY), simulator.url, bare_env,
                                         home_dir, work_dir, tmp_path)

    result = run_playbook(lookup_playbook(lookup_arguments(options), variables), env, cwd=work_dir)

    assert lookup_task_ids(result) is None, result.describe()
    assert "INVALID_CREDENTIAL" in result.entry("lookup")["result"]["msg"]


def test_module_endpoint_option_over_environment(run_module, simulator, bare_env, work_dir, closed_port_url):
    env = with_environment(bare_env, key_settings(closed_port_url))

    outcome = run_module(INFO_MODULE, {"status": "error", "endpoint": simulator.url}, env=env, cwd=work_dir)

    assert module_task_ids(outcome) == ERROR_TASK_IDS, outcome.playbook.describe()


def test_module_endpoint_environment_wrong(run_module, simulator, bare_env, work_dir, closed_port_url):
    env = with_environment(bare_env, key_settings(closed_port_url))
    write_ovh_conf(work_dir / "ovh.conf", {"endpoint": simulator.url}, section="default")

    outcome = run_module(INFO_MODULE, {"status": "error", "timeout": 5}, env=env, cwd=work_dir)

    assert outcome.failed, outcome.playbook.describe()
    assert closed_port_url.split("/")[2] in outcome.msg


def test_module_endpoint_environment_over_file(run_module, simulator, bare_env, work_dir, closed_port_url):
    # The file's [default] endpoint loses to OVH_ENDPOINT, whose URL names the section the keys are read from.
    settings = key_settings(simulator.url)
    path = work_dir / "ovh.conf"
    write_ovh_conf(path, {name: value for name, value in settings.items() if name != "endpoint"},
                   section=simulator.url)
    path.write_text(f"[default]\nendpoint={closed_port_url}\n\n" + path.read_text(encoding="utf-8"),
                    encoding="utf-8")
    env = with_environment(bare_env, {"endpoint": simulator.url})

    outcome = run_module(INFO_MODULE, {"status": "error"}, env=env, cwd=work_dir)

    assert module_task_ids(outcome) == ERROR_TASK_IDS, outcome.playbook.describe()
