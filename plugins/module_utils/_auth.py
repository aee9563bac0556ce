# -*- coding: utf-8 -*-
# Copyright (c) ovhcloud.domain contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Authentication of API requests: signed keys, or OAuth2 service accounts."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os
import threading
import time

try:
    from urllib.parse import urlsplit
except ImportError:  # pragma: no cover - Python 2 is not supported
    urlsplit = None

try:
    import requests
    from requests.adapters import HTTPAdapter
except ImportError:  # pragma: no cover - the client reports the missing library
    requests = HTTPAdapter = None

from ansible_collections.ovhcloud.domain.plugins.module_utils._retry import build_retry
from ansible_collections.ovhcloud.domain.plugins.module_utils._errors import (
    OvhAuthenticationError,
    OvhConfigurationError,
    short_reason,
)

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


def compute_signature(application_secret, consumer_key, method, url, body, timestamp):
    """Return the ``X-Ovh-Signature`` value of one request.

    The API signs the SHA-1 of the application secret, the consumer key, the
    upper-case method, the full URL with its query string, the body text and the
    timestamp, joined with ``+``.
    """
    parts = [application_secret, consumer_key, method.upper(), url, body or "", str(timestamp)]
    digest = hashlib.sha1("+".join(parts).encode("utf-8")).hexdigest()
    return "$1$" + digest


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

    def __init__(self, client_id, client_secret, token_url, timeout, verify, recorder=None):
        self.client_id = client_id
        self._client_secret = client_secret
        self.token_url = token_url
        self._timeout = timeout
        self._verify = verify
        self._token = None
        self._expires_at = 0
        self._lock = threading.Lock()
        self._recorder = recorder

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
        # A token request creates nothing, so it is retried after 429 and gateway errors like a
        # read; a token service too slow to respond fails at once instead of after several timeouts.
        adapter = HTTPAdapter(max_retries=build_retry(self._recorder, methods=("POST",), read_retries=0))
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        session.register_compliance_hook("access_token_response", self._check_token_response)
        # oauthlib rejects plain-http token URLs. The endpoint check allows http only to a
        # loopback address (a local simulator), so lift the rule for that request alone.
        insecure = urlsplit(self.token_url).scheme == "http"
        previous = os.environ.get("OAUTHLIB_INSECURE_TRANSPORT")
        if insecure:
            os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
        try:
            token = session.fetch_token(token_url=self.token_url, client_id=self.client_id,
                                        client_secret=self._client_secret, timeout=self._timeout,
                                        verify=self._verify)
        except OAuth2Error as exc:
            raise OvhAuthenticationError(
                "OAuth2 failure: (%s) %s. Check client_id (OVH_CLIENT_ID) and client_secret (OVH_CLIENT_SECRET), "
                "and that the service account exists on this endpoint (token URL %s)."
                % (exc.error, (exc.description or "no description").rstrip("."), self.token_url))
        except requests.exceptions.RequestException as exc:
            raise OvhAuthenticationError(
                "OAuth2 failure: could not get a token from %s: %s. Check the endpoint and the network path to it."
                % (self.token_url, short_reason(exc)))
        finally:
            session.close()
            if insecure and previous is None:
                os.environ.pop("OAUTHLIB_INSECURE_TRANSPORT", None)

        self._token = token.get("access_token")
        self._expires_at = time.monotonic() + float(token.get("expires_in") or 3600) - 30

    def _check_token_response(self, response):
        """Raise a clear error for a token response that is a server failure, not an OAuth2 response."""
        if response.status_code >= 500:
            raise OvhAuthenticationError(
                "OAuth2 failure: the token service at %s failed with HTTP %s; retry later."
                % (self.token_url, response.status_code))
        return response

    def headers(self, client, method, url, data):
        with self._lock:
            if self._token is None or time.monotonic() >= self._expires_at:
                self._fetch()
            return {"Authorization": "Bearer %s" % self._token}

    def public_headers(self):
        return {}

    def renew(self):
        """Drop the token so the next request fetches a new one. Returns True."""
        with self._lock:
            self._token = None
        return True
