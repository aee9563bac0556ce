# -*- coding: utf-8 -*-
# Copyright (c) ovhcloud.domain contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""HTTP transport to the OVHcloud API v1: endpoints, request signing, errors.

This is the only code of the collection that speaks HTTP. Modules and the
lookup plugin build an ``OvhClient`` from their options and call it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import ipaddress
import json
import re
import time

try:
    from urllib.parse import urlencode, urlsplit
except ImportError:  # pragma: no cover - Python 2 is not supported, this keeps sanity's import test quiet
    urlencode = urlsplit = None

try:
    import requests
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - reported through missing_required_lib
    requests = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

from ansible_collections.ovhcloud.domain.plugins.module_utils._errors import (
    OvhApiError,
    OvhAuthenticationError,
    OvhConfigurationError,
    OvhTransportError,
    parse_error_body,
)
from ansible_collections.ovhcloud.domain.plugins.module_utils._config import auth_mode


# Endpoint names and base URLs of OVHcloud's own clients (python-ovh, go-ovh).
ENDPOINTS = {
    "ovh-eu": "https://eu.api.ovh.com/1.0",
    "ovh-ca": "https://ca.api.ovh.com/1.0",
    "ovh-us": "https://api.us.ovhcloud.com/1.0",
    "kimsufi-eu": "https://eu.api.kimsufi.com/1.0",
    "kimsufi-ca": "https://ca.api.kimsufi.com/1.0",
    "soyoustart-eu": "https://eu.api.soyoustart.com/1.0",
    "soyoustart-ca": "https://ca.api.soyoustart.com/1.0",
}

# Token URLs of OVHcloud's OAuth2 service accounts (python-ovh 1.2, go-ovh). Kimsufi
# and So you Start have no OAuth2.
OAUTH2_TOKEN_URLS = {
    "ovh-eu": "https://www.ovh.com/auth/oauth2/token",
    "ovh-ca": "https://ca.ovh.com/auth/oauth2/token",
    "ovh-us": "https://us.ovhcloud.com/auth/oauth2/token",
}

DEFAULT_CONNECT_TIMEOUT = 10
DEFAULT_READ_TIMEOUT = 60

USER_AGENT = "ansible-collection-ovhcloud.domain"


def compute_signature(application_secret, consumer_key, method, url, body, timestamp):
    """Return the ``X-Ovh-Signature`` value of one request.

    The API signs the SHA-1 of the application secret, the consumer key, the
    upper-case method, the full URL with its query string, the body text and the
    timestamp, joined with ``+``.
    """
    parts = [application_secret, consumer_key, method.upper(), url, body or "", str(timestamp)]
    digest = hashlib.sha1("+".join(parts).encode("utf-8")).hexdigest()
    return "$1$" + digest


def _is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resolve_endpoint(endpoint):
    """Return the base URL for an endpoint name or URL.

    Raises OvhConfigurationError for an unknown name or for a URL that would
    send credentials in clear text to another machine.
    """
    if not endpoint:
        raise OvhConfigurationError(
            "No endpoint is set: set the endpoint option or OVH_ENDPOINT to one of %s, "
            "or to a base URL such as https://eu.api.ovh.com/1.0." % ", ".join(sorted(ENDPOINTS))
        )

    if endpoint in ENDPOINTS:
        return ENDPOINTS[endpoint]

    if "://" not in endpoint:
        raise OvhConfigurationError(
            "Unknown endpoint '%s': use one of %s, or a base URL such as https://eu.api.ovh.com/1.0."
            % (endpoint, ", ".join(sorted(ENDPOINTS)))
        )

    parts = urlsplit(endpoint)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise OvhConfigurationError(
            "Invalid endpoint URL '%s': it must be an https:// URL with a host name." % endpoint
        )
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise OvhConfigurationError(
            "Refusing endpoint URL '%s': plain http would send credentials in clear text. "
            "Use https, or http only to a loopback address such as 127.0.0.1." % endpoint
        )
    if parts.query or parts.fragment:
        raise OvhConfigurationError(
            "Invalid endpoint URL '%s': a base URL has no query string or fragment." % endpoint
        )
    return endpoint.rstrip("/")


def resolve_token_url(endpoint, base_url):
    """Return the OAuth2 token URL for an endpoint name, or for a base URL on the same host."""
    if endpoint in OAUTH2_TOKEN_URLS:
        return OAUTH2_TOKEN_URLS[endpoint]
    if endpoint in ENDPOINTS:
        raise OvhConfigurationError(
            "The endpoint %s has no OAuth2 service accounts: use an application key, application secret "
            "and consumer key there, or an endpoint among %s." % (endpoint, ", ".join(sorted(OAUTH2_TOKEN_URLS))))
    # A base URL (a simulator or a proxy) serves the token route on its own host.
    parts = urlsplit(base_url)
    return "%s://%s/auth/oauth2/token" % (parts.scheme, parts.netloc)


class KeyAuth:
    """Signs each request with an application key, its secret and a consumer key."""

    mode = "keys"

    def __init__(self, application_key, application_secret, consumer_key):
        self.application_key = application_key
        self._application_secret = application_secret
        self._consumer_key = consumer_key

    def headers(self, client, method, url, data):
        timestamp = int(time.time()) + client.server_time_delta()
        return {
            "X-Ovh-Application": self.application_key,
            "X-Ovh-Consumer": self._consumer_key,
            "X-Ovh-Timestamp": str(timestamp),
            "X-Ovh-Signature": compute_signature(self._application_secret, self._consumer_key,
                                                 method, url, data, timestamp),
        }

    def public_headers(self):
        return {"X-Ovh-Application": self.application_key}

    def renew(self):
        return False


class OAuth2Auth:
    """Sends a bearer token of an OAuth2 service account (client credentials, scope ``all``).

    The token is fetched on first use and kept for the life of this object,
    which is one module run or one lookup call.
    """

    mode = "oauth2"

    def __init__(self, client_id, client_secret, token_url, timeout, verify):
        self.client_id = client_id
        self._client_secret = client_secret
        self.token_url = token_url
        self._timeout = timeout
        self._verify = verify
        self._token = None
        self._expires_at = 0

    def _fetch(self):
        try:
            from oauthlib.oauth2 import BackendApplicationClient
            from oauthlib.oauth2.rfc6749.errors import OAuth2Error
            from requests_oauthlib import OAuth2Session
        except ImportError:
            raise OvhConfigurationError(
                "OAuth2 service accounts need the Python library 'requests-oauthlib' on the host that runs "
                "this module: install it with pip install requests-oauthlib.")

        session = OAuth2Session(client=BackendApplicationClient(client_id=self.client_id, scope=["all"]))
        try:
            token = session.fetch_token(token_url=self.token_url, client_id=self.client_id,
                                        client_secret=self._client_secret, timeout=self._timeout,
                                        verify=self._verify)
        except OAuth2Error as exc:
            raise OvhAuthenticationError(
                "OAuth2 failure: (%s) %s. Check client_id (OVH_CLIENT_ID) and client_secret (OVH_CLIENT_SECRET), "
                "and that the service account exists on this endpoint (token URL %s)."
                % (exc.error, exc.description or "no description", self.token_url))
        except requests.exceptions.RequestException as exc:
            raise OvhAuthenticationError(
                "OAuth2 failure: could not get a token from %s: %s. Check the endpoint and the network path to it."
                % (self.token_url, _short_reason(exc)))
        finally:
            session.close()

        self._token = token.get("access_token")
        self._expires_at = time.monotonic() + float(token.get("expires_in") or 3600) - 30

    def headers(self, client, method, url, data):
        if self._token is None or time.monotonic() >= self._expires_at:
            self._fetch()
        return {"Authorization": "Bearer %s" % self._token}

    def public_headers(self):
        return {}

    def renew(self):
        """Drop the token so the next request fetches a new one. Returns True."""
        self._token = None
        return True


class OvhClient:
    """A signed-request client for one endpoint and one set of credentials.

    The server time offset is read once from ``/auth/time`` and reused for
    every signed request, as OVHcloud's own clients do. One ``requests``
    session keeps connections alive between calls.
    """

    def __init__(self, endpoint, application_key=None, application_secret=None, consumer_key=None,
                 client_id=None, client_secret=None,
                 connect_timeout=DEFAULT_CONNECT_TIMEOUT, read_timeout=DEFAULT_READ_TIMEOUT,
                 ca_bundle=None, session=None):
        if not HAS_REQUESTS:
            raise OvhConfigurationError(
                "The Python library 'requests' is required on the host that runs this module: "
                "install it with pip install requests."
            )

        self.base_url = resolve_endpoint(endpoint)
        self.timeout = (connect_timeout, read_timeout)
        self._verify = ca_bundle if ca_bundle else True
        self._time_delta = None
        self._session = session or requests.Session()
        self._session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        self.request_count = 0

        mode = auth_mode({"application_key": application_key, "application_secret": application_secret,
                          "consumer_key": consumer_key, "client_id": client_id, "client_secret": client_secret})
        if mode == "oauth2":
            self.auth = OAuth2Auth(client_id, client_secret, resolve_token_url(endpoint, self.base_url),
                                   self.timeout, self._verify)
        else:
            self.auth = KeyAuth(application_key, application_secret, consumer_key)

    def close(self):
        self._session.close()

    # --- transport -----------------------------------------------------------------

    def _send(self, method, path, url, headers, data):
        self.request_count += 1
        try:
            return self._session.request(method, url, headers=headers, data=data,
                                         timeout=self.timeout, verify=self._verify,
                                         allow_redirects=False)
        except requests.exceptions.Timeout:
            raise OvhTransportError(
                "%s %s timed out after %s s waiting for %s: the API is slow or unreachable; "
                "retry later or raise the timeout option." % (method, path, self.timeout[1], self.base_url),
                method, path)
        except requests.exceptions.SSLError as exc:
            raise OvhTransportError(
                "%s %s failed TLS verification for %s: %s. Check the endpoint, or give the CA bundle "
                "that signs its certificate." % (method, path, self.base_url, _short_reason(exc)),
                method, path)
        except requests.exceptions.ConnectionError as exc:
            raise OvhTransportError(
                "Could not connect to the OVH API at %s (%s %s): %s. Check the endpoint and the "
                "network path to it." % (self.base_url, method, path, _short_reason(exc)),
                method, path)
        except requests.exceptions.RequestException as exc:
            raise OvhTransportError(
                "%s %s to %s failed: %s" % (method, path, self.base_url, _short_reason(exc)),
                method, path)

    def server_time_delta(self):
        """Return the API clock minus the local clock, in seconds, read once per client."""
        if self._time_delta is None:
            response = self._send("GET", "/auth/time", self.base_url + "/auth/time",
                                  self.auth.public_headers(), None)
            value = self._decode(response, "GET", "/auth/time")
            if not isinstance(value, int):
                raise OvhTransportError(
                    "GET /auth/time returned %r instead of a number of seconds: is %s an OVH API endpoint?"
                    % (value, self.base_url), "GET", "/auth/time")
            self._time_delta = value - int(time.time())
        return self._time_delta

    def call(self, method, path, params=None, body=None):
        """Send one authenticated request and return its decoded JSON (None for a void answer).

        ``path`` is relative to the base URL, for example ``/me/task/domain``.
        ``params`` are query-string parameters; ``body`` is JSON-encoded compactly,
        as OVHcloud's clients send it. A request rejected for its timestamp is
        sent once more after the server time is read again, and one rejected
        for an expired OAuth2 token once more with a new token.
        """
        method = method.upper()
        url = self.base_url + path
        if params:
            url += "?" + urlencode(params, doseq=True)

        data = ""
        if body is not None:
            data = json.dumps(body, separators=(",", ":"), ensure_ascii=False)

        try:
            return self._signed_request(method, path, url, data)
        except OvhApiError as exc:
            if exc.error_code == "QUERY_TIME_OUT" and self.auth.mode == "keys":
                self._time_delta = None
            elif exc.status == 401 and self.auth.renew():
                pass
            else:
                raise
        return self._signed_request(method, path, url, data)

    def _signed_request(self, method, path, url, data):
        headers = self.auth.headers(self, method, url, data)
        if data:
            headers["Content-Type"] = "application/json"
        response = self._send(method, path, url, headers, data.encode("utf-8") if data else None)
        return self._decode(response, method, path)

    def _decode(self, response, method, path):
        query_id = response.headers.get("X-Ovh-Queryid")
        if response.status_code >= 400:
            message, error_class, error_code, details = parse_error_body(response.text)
            raise OvhApiError(method, path, response.status_code, message, error_class,
                              error_code, query_id, details)

        if response.status_code == 204 or not response.content.strip():
            return None
        try:
            return response.json()
        except ValueError:
            raise OvhApiError(method, path, response.status_code,
                              "the answer is not JSON: %s" % response.text[:200].strip(),
                              query_id=query_id)

    # --- convenience -----------------------------------------------------------------

    def get(self, path, params=None):
        return self.call("GET", path, params=params)

    def post(self, path, body=None):
        return self.call("POST", path, body=body)

    def put(self, path, body=None):
        return self.call("PUT", path, body=body)


def _short_reason(exc):
    """Return the innermost reason of a requests exception, without urllib3's object reprs."""
    text = str(exc)
    errno_reason = re.search(r"\[Errno -?\d+\][^)'\"]*", text)
    if errno_reason:
        return errno_reason.group(0).strip()
    # urllib3 prefixes reasons with the pool or connection object's repr.
    return re.sub(r"\w+\(host='[^']*', port=\d+\)(: )?", "", text).strip() or type(exc).__name__
