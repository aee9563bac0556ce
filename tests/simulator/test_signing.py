"""Unit tests of the simulator's signing function and access-rule matching."""

from __future__ import annotations

import pytest

import ovhsim_testlib  # noqa: F401  (puts simulator/ on sys.path)
from ovhsim.auth import compute_signature, rule_matches
from ovhsim.scenario import AccessRule
from ovhsim_testlib import sign


def test_signature_published_example():
    # Example of OVHcloud's "First steps with the API" guide.
    signature = compute_signature(
        "EXEgWIz07P0HYwtQDs7cNIqCiQaWSuHF",
        "MtSwSrPpNjqfVSmJhLbPyr2i45lSwPU1",
        "GET",
        "https://eu.api.ovh.com/1.0/domains/",
        "",
        "1366560945",
    )
    assert signature == "$1$d3705e8afb27a0d2970a322b96550abfc67bb798"


def test_signature_bytes_body_equals_text():
    body = '{"value":"I am the mayor of the city Example. Café"}'
    url = "http://127.0.0.1:1/1.0/me/task/domain/1000/argument/legitimacyAfnic"
    from_text = compute_signature("secret", "consumer", "put", url, body, "1700000000")
    from_bytes = compute_signature("secret", "consumer", "PUT", url, body.encode("utf-8"), "1700000000")
    assert from_text == from_bytes
    assert from_text == sign("secret", "consumer", "PUT", url, body, "1700000000")


@pytest.mark.parametrize(
    ("rule_method", "rule_path", "method", "path", "granted"),
    [
        ("GET", "/*", "GET", "/me/task/domain", True),
        ("GET", "/*", "GET", "/me/task/domain/1000/argument/x", True),
        ("GET", "/*", "POST", "/me/task/domain/1000/relaunch", False),
        ("GET", "/me/task/domain/*", "GET", "/me/task/domain/1000", True),
        ("GET", "/me/task/domain/*", "GET", "/me/task/domain/1000/argument/legitimacyAfnic", True),
        ("GET", "/me/task/domain/*", "GET", "/me/task/domain", False),
        ("GET", "/me/task/domain", "GET", "/me/task/domain", True),
        ("GET", "/me/task/domain", "GET", "/me/task/domain/1000", False),
        ("POST", "/domain/*/task/*/relaunch", "POST", "/domain/example.fr/task/1000/relaunch", True),
        ("POST", "/domain/*/task/*/relaunch", "POST", "/domain/example.fr/task/1000/cancel", False),
        ("GET", "/me.task", "GET", "/meXtask", False),
    ],
)
def test_rule_matching(rule_method, rule_path, method, path, granted):
    assert rule_matches(AccessRule(rule_method, rule_path), method, path) is granted
