"""Credentials of the authentication scenario and helpers to hand them to Ansible.

The values match tests/integration/auth/scenarios/auth.yaml. Secrets are
distinctive strings, so that finding one in Ansible's output is a leak and
never a coincidence.
"""

from __future__ import annotations

from pathlib import Path

AUTH_SCENARIO = Path(__file__).resolve().parent / "scenarios" / "auth.yaml"

INFO_MODULE = "ovhcloud.domain.domain_task_info"
ARGUMENT_MODULE = "ovhcloud.domain.domain_task_argument"
ACTION_MODULE = "ovhcloud.domain.domain_task_action"
LOOKUP = "ovhcloud.domain.domain_tasks"

APPLICATION_KEY = "auth-application-key"
APPLICATION_SECRET = "auth-app-secret-Q7xv31"
CONSUMER_KEY = "auth-consumer-key-Zr42k8"
READONLY_CONSUMER_KEY = "auth-readonly-consumer-key-Lm58"
EXPIRED_CONSUMER_KEY = "auth-expired-consumer-key-Pw19"
CLIENT_ID = "auth-client-id"
CLIENT_SECRET = "auth-client-secret-M9pk2w"

# Values the scenario does not know.
UNKNOWN_APPLICATION_KEY = "auth-unknown-application-key"
WRONG_APPLICATION_SECRET = "auth-wrong-app-secret-Vb83"
UNKNOWN_CONSUMER_KEY = "auth-unknown-consumer-key-Hx57"
UNKNOWN_CLIENT_ID = "auth-unknown-client-id"
WRONG_CLIENT_SECRET = "auth-wrong-client-secret-Jd26"

# Tasks of the scenario: 4000 and 4001 are in error, 4002 is done.
ERROR_TASK_IDS = [4000, 4001]
TRANSFER_TASK_ID = 4001
OLD_AUTH_INFO = "Old-Xfer-Code-7702"
NEW_AUTH_INFO = "New-Xfer-Code-8813"

ENVIRONMENT_NAMES = {
    "endpoint": "OVH_ENDPOINT",
    "application_key": "OVH_APPLICATION_KEY",
    "application_secret": "OVH_APPLICATION_SECRET",
    "consumer_key": "OVH_CONSUMER_KEY",
    "client_id": "OVH_CLIENT_ID",
    "client_secret": "OVH_CLIENT_SECRET",
}


def key_settings(endpoint: str, **overrides: str) -> dict[str, str]:
    """Return the endpoint and the valid API keys, with ``overrides`` replacing some of them."""
    settings = {
        "endpoint": endpoint,
        "application_key": APPLICATION_KEY,
        "application_secret": APPLICATION_SECRET,
        "consumer_key": CONSUMER_KEY,
    }
    settings.update(overrides)
    return settings


def oauth2_settings(endpoint: str, **overrides: str) -> dict[str, str]:
    """Return the endpoint and the valid OAuth2 client, with ``overrides`` replacing some of them."""
    settings = {"endpoint": endpoint, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    settings.update(overrides)
    return settings


def with_environment(env: dict[str, str], settings: dict[str, str]) -> dict[str, str]:
    """Return a copy of ``env`` with ``settings`` set as OVH_* variables."""
    result = dict(env)
    for name, value in settings.items():
        result[ENVIRONMENT_NAMES[name]] = value
    return result


def write_ovh_conf(path: Path, settings: dict[str, str], section: str | None = None) -> Path:
    """Write an ovh.conf as python-ovh reads it and return its path.

    ``[default]`` contains the endpoint when ``settings`` has one. The other
    settings go to the section named ``section``, by default the endpoint
    itself (a name such as ovh-eu, or a URL). A file without
    credentials has only ``[default]``.
    """
    credentials = {name: value for name, value in settings.items() if name != "endpoint"}
    section = section or settings["endpoint"]
    lines = []
    if "endpoint" in settings:
        lines += ["[default]", f"endpoint={settings['endpoint']}", ""]
    if credentials:
        lines.append(f"[{section}]")
        lines += [f"{name}={value}" for name, value in credentials.items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def lookup_playbook(lookup_args: str = "status='error'", task_vars: dict | None = None) -> str:
    """Return a playbook whose task ``lookup`` shows the lookup's result in ``msg``.

    ``lookup_args`` is the text after the plugin name in the ``query()`` call.
    The task ignores errors, so a failed lookup leaves an ``ignored`` entry
    whose ``msg`` is the error.
    """
    lines = [
        "- name: Read domain tasks through the lookup",
        "  hosts: localhost",
        "  gather_facts: false",
        "  tasks:",
        "    - name: lookup",
        "      ignore_errors: true",
        "      ansible.builtin.debug:",
        f"        msg: \"{{{{ query('{LOOKUP}', {lookup_args}) }}}}\"",
    ]
    if task_vars:
        lines.append("      vars:")
        lines += [f"        {name}: \"{value}\"" for name, value in task_vars.items()]
    return "\n".join(lines) + "\n"


def lookup_task_ids(playbook_result) -> list[int] | None:
    """Return the ids the lookup task returned, or None when it failed."""
    entry = playbook_result.entry("lookup")
    if entry["status"] != "ok":
        return None
    return [task["id"] for task in entry["result"]["msg"]]


def module_task_ids(outcome) -> list[int] | None:
    """Return the ids a domain_task_info run returned, or None when it failed."""
    if outcome.failed:
        return None
    return [task["id"] for task in outcome["tasks"]]


def count_calls(entries: list[dict], method: str, path: str) -> int:
    return sum(1 for entry in entries if entry["method"] == method and entry["path"] == path)


SOURCES = ("options", "environment", "cwd_file", "home_file", "config_file")
LOOKUP_SOURCES = SOURCES + ("variables", "ansible_cfg")


def place_settings(source: str, settings: dict[str, str], env: dict[str, str], home_dir: Path,
                   work_dir: Path, tmp_path: Path) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Put ``settings`` in one credential source.

    ``source`` is one of ``LOOKUP_SOURCES``. ``cwd_file`` is ``./ovh.conf``
    in ``work_dir`` and ``home_file`` is ``~/.ovh.conf`` in ``home_dir``.
    ``config_file`` is a file named by the option of that name. The lookup
    also reads ``variables`` (the ``ovh_*`` Ansible variables) and
    ``ansible_cfg`` (the ``[ovhcloud_domain]`` section of the file that
    ANSIBLE_CONFIG names). Returns the options to pass, the environment to
    run with and the Ansible variables to set.
    """
    env = dict(env)
    if source == "options":
        return dict(settings), env, {}
    if source == "environment":
        return {}, with_environment(env, settings), {}
    if source == "cwd_file":
        write_ovh_conf(work_dir / "ovh.conf", settings)
        return {}, env, {}
    if source == "home_file":
        write_ovh_conf(home_dir / ".ovh.conf", settings)
        return {}, env, {}
    if source == "config_file":
        path = write_ovh_conf(tmp_path / "custom-ovh.conf", settings)
        return {"config_file": str(path)}, env, {}
    if source == "variables":
        return {}, env, {f"ovh_{name}": value for name, value in settings.items()}
    if source == "ansible_cfg":
        config = tmp_path / "ansible.cfg"
        lines = ["[ovhcloud_domain]"] + [f"{name} = {value}" for name, value in settings.items()]
        config.write_text("\n".join(lines) + "\n", encoding="utf-8")
        env["ANSIBLE_CONFIG"] = str(config)
        return {}, env, {}
    raise ValueError(f"unknown credential source {source!r}")


def lookup_arguments(options: dict[str, str], filters: str = "status='error'") -> str:
    """Return the keyword arguments of a ``query()`` call: the filters, then ``options``."""
    parts = [filters] if filters else []
    parts += [f"{name}='{value}'" for name, value in options.items()]
    return ", ".join(parts)
