# -*- coding: utf-8 -*-
# Copyright (c) ovhcloud.domain contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.ovhcloud.domain.plugins.module_utils._client import (
    ENDPOINTS,
    OvhClient,
    compute_signature,
    resolve_endpoint,
)
from ansible_collections.ovhcloud.domain.plugins.module_utils._errors import (
    OvhApiError,
    OvhConfigurationError,
    parse_error_body,
)


def test_signature_matches_published_example():
    # The example of OVHcloud's "first steps with the API" guide.
    signature = compute_signature(
        "EXEgWIz07P0HYwtQDs7cNIqCiQaWSuHF",
        "MtSwSrPpNjqfVSmJhLbPyr2i45lSwPU1",
        "GET",
        "https://eu.api.ovh.com/1.0/domains/",
        "",
        1366560945,
    )
    assert signature == "$1$d3705e8afb27a0d2970a322b96550abfc67bb798"


def test_signature_method_is_upper_cased():
    lower = compute_signature("as", "ck", "put", "https://x/1.0/a", '{"value":"v"}', 1)
    upper = compute_signature("as", "ck", "PUT", "https://x/1.0/a", '{"value":"v"}', 1)
    assert lower == upper


def test_signature_depends_on_body():
    assert compute_signature("as", "ck", "PUT", "u", "a", 1) != compute_signature("as", "ck", "PUT", "u", "b", 1)


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_endpoint_names_resolve(name):
    assert resolve_endpoint(name) == ENDPOINTS[name]


def test_seven_endpoint_names():
    assert sorted(ENDPOINTS) == [
        "kimsufi-ca", "kimsufi-eu", "ovh-ca", "ovh-eu", "ovh-us", "soyoustart-ca", "soyoustart-eu",
    ]


@pytest.mark.parametrize("url", [
    "https://eu.api.ovh.com/1.0",
    "https://eu.api.ovh.com/1.0/",
    "http://127.0.0.1:8080/1.0",
    "http://[::1]:8080/1.0",
    "http://localhost:8080/1.0",
])
def test_endpoint_urls_accepted(url):
    assert resolve_endpoint(url) == url.rstrip("/")


@pytest.mark.parametrize("url, fragment", [
    ("http://eu.api.ovh.com/1.0", "plain http"),
    ("http://192.168.1.10/1.0", "plain http"),
    ("ftp://eu.api.ovh.com/1.0", "https://"),
    ("ovh-europe", "Unknown endpoint 'ovh-europe'"),
    ("https://eu.api.ovh.com/1.0?x=1", "query string"),
    (None, "No endpoint is set"),
])
def test_endpoint_rejected(url, fragment):
    with pytest.raises(OvhConfigurationError) as error:
        resolve_endpoint(url)
    assert fragment in str(error.value)


def test_missing_credentials_named():
    with pytest.raises(OvhConfigurationError) as error:
        OvhClient("ovh-eu", application_key="ak")
    message = str(error.value)
    assert "application_secret (OVH_APPLICATION_SECRET)" in message
    assert "consumer_key (OVH_CONSUMER_KEY)" in message
    assert "application_key (OVH_APPLICATION_KEY)" not in message


def test_parse_application_error():
    body = '{"class":"Client::NotFound","message":"The requested object (id = 999) does not exist"}'
    assert parse_error_body(body) == (
        "The requested object (id = 999) does not exist", "Client::NotFound", None, None)


def test_parse_authentication_error():
    body = '{"errorCode":"INVALID_SIGNATURE","httpCode":"400 Bad Request","message":"Invalid signature"}'
    assert parse_error_body(body) == ("Invalid signature", None, "INVALID_SIGNATURE", None)


def test_parse_html_error_page():
    message, error_class, error_code, details = parse_error_body("<html><body>502 Bad Gateway</body></html>\n")
    assert message == "non-JSON answer: <html><body>502 Bad Gateway</body></html>"
    assert error_class is None and error_code is None and details is None


def test_parse_empty_error_body():
    assert parse_error_body("") == (None, None, None, None)


def test_api_error_message_names_call_and_query_id():
    error = OvhApiError("GET", "/me/task/domain/999", 404, "The requested object (id = 999) does not exist",
                        error_class="Client::NotFound", query_id="EU.ext-1.abc")
    assert str(error) == (
        "GET /me/task/domain/999 failed with HTTP 404 (Client::NotFound): The requested object "
        "(id = 999) does not exist [OVH query id: EU.ext-1.abc]")
    assert "Task 999 does not exist" in error.hint()


def test_not_granted_hint_names_rule():
    error = OvhApiError("POST", "/me/task/domain/1000/relaunch", 403, "This call has not been granted",
                        error_code="NOT_GRANTED_CALL")
    assert "POST /me/task/domain/*/relaunch" in error.hint()


@pytest.mark.parametrize("code, credential", [
    ("INVALID_KEY", "application_key"),
    ("INVALID_CREDENTIAL", "consumer_key"),
    ("INVALID_SIGNATURE", "application_secret"),
])
def test_authentication_hint_names_credential(code, credential):
    error = OvhApiError("GET", "/me/task/domain", 403, "x", error_code=code)
    assert credential in error.hint()


def test_unknown_argument_hint():
    error = OvhApiError("GET", "/me/task/domain/1000/argument/foo", 404, "x")
    assert "Task 1000 has no argument 'foo'" in error.hint()
