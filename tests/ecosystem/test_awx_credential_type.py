"""awx/credential_type_ovhcloud.yml: the AWX custom credential type.

Its injectors must set exactly the environment variables that the modules
and the lookup plugin read, and every secret input must be marked secret so
that AWX encrypts it and never shows it back.
"""

from __future__ import annotations

import re

import pytest
import yaml
from ecosystem_lib import REPO_ROOT

CREDENTIAL_TYPE = REPO_ROOT / "awx" / "credential_type_ovhcloud.yml"
SECRET_FIELDS = {"application_secret", "consumer_key", "client_secret"}
# The field types that AWX accepts for credential type inputs.
AWX_FIELD_TYPES = {"string", "boolean"}


@pytest.fixture(scope="module")
def credential_type() -> dict:
    return yaml.safe_load(CREDENTIAL_TYPE.read_text(encoding="utf-8"))


def lookup_env_names() -> set[str]:
    """Return the environment variables that the lookup plugin documents for its connection options."""
    from ansible_collections.ovhcloud.domain.plugins.doc_fragments.auth import ModuleDocFragment

    options = yaml.safe_load(ModuleDocFragment.PLUGIN)["options"]
    return {entry["name"] for option in options.values() for entry in option.get("env", [])}


def test_credential_type_is_cloud_kind(credential_type):
    assert credential_type["kind"] == "cloud"
    assert credential_type["name"]


def test_credential_type_fields_are_valid(credential_type):
    for field in credential_type["inputs"]["fields"]:
        assert set(field) <= {"id", "label", "type", "secret", "help_text", "default", "choices", "multiline", "format"}, field
        assert field["type"] in AWX_FIELD_TYPES, field
        assert field["label"] and field["help_text"], field


def test_credential_type_marks_secrets(credential_type):
    secret = {field["id"] for field in credential_type["inputs"]["fields"] if field.get("secret")}

    assert secret == SECRET_FIELDS


def test_credential_type_requires_only_endpoint(credential_type):
    # The credentials are of one of two kinds, so none of them is required.
    assert credential_type["inputs"]["required"] == ["endpoint"]


def test_injectors_match_module_environment_names(credential_type):
    from ansible_collections.ovhcloud.domain.plugins.module_utils._config import ENVIRONMENT_NAMES

    injected = credential_type["injectors"]["env"]
    assert injected == {env_name: "{{ %s }}" % option for option, env_name in ENVIRONMENT_NAMES.items()}


def test_injectors_match_lookup_environment_names(credential_type):
    assert set(credential_type["injectors"]["env"]) == lookup_env_names()


def test_injectors_reference_defined_fields(credential_type):
    fields = {field["id"] for field in credential_type["inputs"]["fields"]}

    for template in credential_type["injectors"]["env"].values():
        for name in re.findall(r"\{\{\s*(\w+)\s*\}\}", template):
            assert name in fields, template


def test_injectors_set_only_env(credential_type):
    # Extra variables would show the secrets in the job's variables.
    assert list(credential_type["injectors"]) == ["env"]
