"""Each credential source works on its own, in the modules and in the lookup.
The sources are those python-ovh reads: options, OVH_* environment
variables, ./ovh.conf, ~/.ovh.conf and the file named by config_file. The
lookup also reads Ansible variables and an [ovhcloud_domain] section of
ansible.cfg."""

from __future__ import annotations

import pytest

from auth_testlib import (
    ERROR_TASK_IDS,
    INFO_MODULE,
    LOOKUP_SOURCES,
    SOURCES,
    key_settings,
    lookup_arguments,
    lookup_playbook,
    lookup_task_ids,
    module_task_ids,
    place_settings,
    with_environment,
    write_ovh_conf,
)


@pytest.mark.parametrize("source", SOURCES)
def test_module_keys_from(source, run_module, simulator, bare_env, home_dir, work_dir, tmp_path):
    options, env, _ = place_settings(source, key_settings(simulator.url), bare_env, home_dir, work_dir, tmp_path)

    outcome = run_module(INFO_MODULE, dict(options, status="error"), env=env, cwd=work_dir)

    assert module_task_ids(outcome) == ERROR_TASK_IDS, outcome.playbook.describe()


@pytest.mark.parametrize("source", LOOKUP_SOURCES)
def test_lookup_keys_from(source, run_playbook, simulator, bare_env, home_dir, work_dir, tmp_path):
    options, env, task_vars = place_settings(source, key_settings(simulator.url), bare_env, home_dir, work_dir,
                                             tmp_path)

    result = run_playbook(lookup_playbook(lookup_arguments(options), task_vars), env, cwd=work_dir)

    assert lookup_task_ids(result) == ERROR_TASK_IDS, result.describe()


def test_module_endpoint_from_environment_keys_from_file(run_module, simulator, bare_env, work_dir):
    # The file has no [default] section: the endpoint URL from the environment names the section to read.
    settings = key_settings(simulator.url)
    write_ovh_conf(work_dir / "ovh.conf", {name: value for name, value in settings.items() if name != "endpoint"},
                   section=simulator.url)
    env = with_environment(bare_env, {"endpoint": simulator.url})

    outcome = run_module(INFO_MODULE, {"status": "error"}, env=env, cwd=work_dir)

    assert module_task_ids(outcome) == ERROR_TASK_IDS, outcome.playbook.describe()


def test_module_file_section_of_other_endpoint(run_module, simulator, bare_env, work_dir):
    # Keys filed under another endpoint's section do not apply to this endpoint.
    settings = key_settings(simulator.url)
    write_ovh_conf(work_dir / "ovh.conf", {name: value for name, value in settings.items() if name != "endpoint"},
                   section="ovh-eu")
    env = with_environment(bare_env, {"endpoint": simulator.url})

    outcome = run_module(INFO_MODULE, {"status": "error"}, env=env, cwd=work_dir)

    assert outcome.failed, outcome.playbook.describe()
    assert "Missing OVH API credentials" in outcome.msg
