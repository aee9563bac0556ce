# -*- coding: utf-8 -*-
# Copyright (c) ovhcloud.domain contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.ovhcloud.domain.plugins.module_utils._config import auth_mode, resolve_settings
from ansible_collections.ovhcloud.domain.plugins.module_utils._errors import OvhConfigurationError

NO_OPTIONS = {}


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_option_wins_over_environment(tmp_path):
    settings = resolve_settings({"application_key": "from-option"}, environ={"OVH_APPLICATION_KEY": "from-env"},
                                config_paths=[])
    assert settings["application_key"] == "from-option"
    assert settings["sources"]["application_key"] == "option"


def test_environment_wins_over_file(tmp_path):
    conf = write(tmp_path / "ovh.conf", "[default]\nendpoint=ovh-eu\n[ovh-eu]\napplication_key=from-file\n")
    settings = resolve_settings(NO_OPTIONS, environ={"OVH_APPLICATION_KEY": "from-env"}, config_paths=[conf])
    assert settings["application_key"] == "from-env"
    assert settings["endpoint"] == "ovh-eu"
    assert settings["sources"]["endpoint"] == "configuration file"


def test_later_file_wins(tmp_path):
    first = write(tmp_path / "etc.conf", "[default]\nendpoint=ovh-eu\n[ovh-eu]\napplication_key=first\nconsumer_key=ck\n")
    second = write(tmp_path / "home.conf", "[ovh-eu]\napplication_key=second\n")
    settings = resolve_settings(NO_OPTIONS, environ={}, config_paths=[first, second])
    assert settings["application_key"] == "second"
    assert settings["consumer_key"] == "ck"


def test_section_follows_endpoint(tmp_path):
    conf = write(tmp_path / "ovh.conf", "[ovh-eu]\napplication_key=eu\n[ovh-ca]\napplication_key=ca\n")
    settings = resolve_settings({"endpoint": "ovh-ca"}, environ={}, config_paths=[conf])
    assert settings["application_key"] == "ca"


def test_url_endpoint_names_section(tmp_path):
    conf = write(tmp_path / "ovh.conf",
                 "[default]\nendpoint=http://127.0.0.1:8080/1.0\n[http://127.0.0.1:8080/1.0]\nclient_id=cid\n")
    settings = resolve_settings(NO_OPTIONS, environ={}, config_paths=[conf])
    assert settings["client_id"] == "cid"


def test_explicit_config_file_last(tmp_path):
    default = write(tmp_path / "ovh.conf", "[default]\nendpoint=ovh-eu\n[ovh-eu]\napplication_key=default\n")
    explicit = write(tmp_path / "job.conf", "[ovh-eu]\napplication_key=explicit\n")
    settings = resolve_settings({"config_file": explicit}, environ={}, config_paths=[default])
    assert settings["application_key"] == "explicit"


def test_missing_explicit_config_file(tmp_path):
    with pytest.raises(OvhConfigurationError) as error:
        resolve_settings({"config_file": str(tmp_path / "absent.conf")}, environ={}, config_paths=[])
    assert "absent.conf" in str(error.value)


def test_missing_default_files_ignored(tmp_path):
    settings = resolve_settings(NO_OPTIONS, environ={}, config_paths=[str(tmp_path / "none.conf")])
    assert settings["endpoint"] is None


def test_keys_mode():
    assert auth_mode({"application_key": "a", "application_secret": "b", "consumer_key": "c"}) == "keys"


def test_oauth2_mode():
    assert auth_mode({"client_id": "a", "client_secret": "b"}) == "oauth2"


def test_half_oauth2_rejected():
    with pytest.raises(OvhConfigurationError) as error:
        auth_mode({"client_id": "a"})
    assert "client_secret (OVH_CLIENT_SECRET) is missing" in str(error.value)


def test_mixed_credentials_rejected():
    with pytest.raises(OvhConfigurationError) as error:
        auth_mode({"client_id": "a", "client_secret": "b", "application_key": "k",
                   "sources": {"client_id": "option", "client_secret": "option",
                               "application_key": "environment (OVH_APPLICATION_KEY)"}})
    message = str(error.value)
    assert "use one method" in message
    assert "application_key from environment (OVH_APPLICATION_KEY)" in message


def test_secret_values_not_in_messages():
    with pytest.raises(OvhConfigurationError) as error:
        auth_mode({"client_id": "a", "client_secret": "topsecret", "application_secret": "alsosecret"})
    assert "topsecret" not in str(error.value)
    assert "alsosecret" not in str(error.value)
