# -*- coding: utf-8 -*-
# Copyright (c) ovhcloud.domain contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""HTTP transport to the OVHcloud API v1: endpoints, retries, errors, bulk listing.

This is the only code of the collection that speaks HTTP. Modules and the
lookup plugin build an ``OvhClient`` from their options and call it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import json
import os
import threading
import time

try:
    from urllib.parse import urlencode, urlsplit
except ImportError:  # pragma: no cover - Python 2 is not supported, this keeps sanity's import test quiet
    urlencode = urlsplit = None

try:
    from concurrent.futures import ThreadPoolExecutor
except ImportError:  # pragma: no cover - Python 2 is not supported
    ThreadPoolExecutor = None

try:
    import requests
    from requests.adapters import HTTPAdapter
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - reported through missing_required_lib
    requests = HTTPAdapter = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

from ansible_collections.ovhcloud.domain.plugins.module_utils._auth import (  # noqa: F401 pylint: disable=unused-import
    ENDPOINTS,
    OAUTH2_TOKEN_URLS,
    KeyAuth,
    OAuth2Auth,
    compute_signature,
    resolve_token_url,
)
from ansible_collections.ovhcloud.domain.plugins.module_utils._config import auth_mode
from ansible_collections.ovhcloud.domain.plugins.module_utils._errors import (
    OvhApiError,
    OvhConfigurationError,
    OvhTransportError,
    parse_error_body,
    short_reason,
)
from ansible_collections.ovhcloud.domain.plugins.module_utils._retry import (
    MAX_RETRIES,
    RETRY_AFTER_MAX,
    RateLimiter,
    build_retry,
)

DEFAULT_CONNECT_TIMEOUT = 10
DEFAULT_READ_TIMEOUT = 60
DEFAULT_MAX_CONCURRENCY = 10

# Bulk listing as OVHcloud's web console does it: whole objects, a page at a time.
PAGINATION_MODE = "CachedObjectList-Pages"
# NOTE: the console requests pages of 5000 objects; the server's own maximum is not documented.
PAGE_SIZE = 5000

# Statuses of a write response that leave unknown whether the API applied the write.
AMBIGUOUS_WRITE_STATUSES = (502, 503, 504)

USER_AGENT = "ansible-collection-ovhcloud.domain"


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


class OvhClient:
    """An authenticated client for one endpoint and one set of credentials.

    The server time offset is read once from ``/auth/time`` and reused for
    every signed request, as OVHcloud's own clients do. One ``requests``
    session keeps up to ``max_concurrency`` connections alive, shared by the
    threads of ``map``.
    """

    def __init__(self, endpoint, application_key=None, application_secret=None, consumer_key=None,
                 client_id=None, client_secret=None,
                 connect_timeout=DEFAULT_CONNECT_TIMEOUT, read_timeout=DEFAULT_READ_TIMEOUT,
                 ca_bundle=None, max_concurrency=DEFAULT_MAX_CONCURRENCY, rate_limit=None, session=None,
                 sources=None):
        if not HAS_REQUESTS:
            raise OvhConfigurationError(
                "The Python library 'requests' is required on the host that runs this module: "
                "install it with pip install requests."
            )
        if max_concurrency is not None and max_concurrency < 1:
            raise OvhConfigurationError("Invalid max_concurrency %s: it must be 1 or more." % max_concurrency)
        if rate_limit is not None and rate_limit <= 0:
            raise OvhConfigurationError(
                "Invalid rate_limit %s: it must be a positive number of requests per second." % rate_limit)

        if ca_bundle and not os.path.isfile(ca_bundle):
            raise OvhConfigurationError(
                "The CA bundle %s given in ca_bundle does not exist or is not a file: give the path of a "
                "PEM file of CA certificates." % ca_bundle)

        self.base_url = resolve_endpoint(endpoint)
        self.timeout = (connect_timeout, read_timeout)
        self._verify = ca_bundle if ca_bundle else True
        self.max_concurrency = max_concurrency or DEFAULT_MAX_CONCURRENCY
        self.request_count = 0
        self.retries = []
        # True or False once a listing showed whether the server honours bulk mode.
        self.bulk_supported = None

        self._lock = threading.Lock()
        self._time_lock = threading.Lock()
        self._time_delta = None
        self._rate_limiter = RateLimiter(rate_limit)
        self._session = session or requests.Session()
        self._session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        adapter = HTTPAdapter(max_retries=build_retry(self.record_retry),
                              pool_connections=1, pool_maxsize=self.max_concurrency)
        self._session.mount("https://", adapter)
        self._session.mount("http://", adapter)

        # ``sources`` records where each setting came from, for the messages of auth_mode.
        mode = auth_mode({"application_key": application_key, "application_secret": application_secret,
                          "consumer_key": consumer_key, "client_id": client_id, "client_secret": client_secret,
                          "sources": sources or {}})
        if mode == "oauth2":
            self.auth = OAuth2Auth(client_id, client_secret, resolve_token_url(endpoint, self.base_url),
                                   self.timeout, self._verify, recorder=self.record_retry)
        else:
            self.auth = KeyAuth(application_key, application_secret, consumer_key)

    def close(self):
        self._session.close()

    def record_retry(self, message):
        """Keep a retry message for the results, where users see it at -v."""
        with self._lock:
            self.retries.append(message)

    # --- transport -----------------------------------------------------------------

    def _send(self, method, path, url, headers, data):
        self._rate_limiter.acquire()
        with self._lock:
            self.request_count += 1
        is_write = method != "GET"
        try:
            return self._session.request(method, url, headers=headers, data=data,
                                         timeout=self.timeout, verify=self._verify,
                                         allow_redirects=False)
        except requests.exceptions.ConnectTimeout as exc:
            raise OvhTransportError(
                "Could not connect to the OVH API at %s (%s %s) within %s s: %s. Check the endpoint and "
                "the network path to it." % (self.base_url, method, path, self.timeout[0], short_reason(exc)),
                method, path)
        except requests.exceptions.Timeout:
            error = OvhTransportError(
                "%s %s timed out after %s s waiting for %s: the API is slow or unreachable; "
                "retry later or raise the timeout option." % (method, path, self.timeout[1], self.base_url),
                method, path, ambiguous=is_write)
            error.timed_out = True
            raise error
        except requests.exceptions.SSLError as exc:
            raise OvhTransportError(
                "%s %s failed TLS verification for %s: %s. Check the endpoint, or give the CA bundle "
                "that signs its certificate in ca_bundle." % (method, path, self.base_url, short_reason(exc)),
                method, path)
        except requests.exceptions.ConnectionError as exc:
            # A connection that could not even be opened carried no request.
            not_sent = "NewConnectionError" in repr(exc) or "Failed to establish" in str(exc)
            raise OvhTransportError(
                "Could not %s the OVH API at %s (%s %s): %s. Check the endpoint and the "
                "network path to it." % ("connect to" if not_sent else "get an answer from",
                                         self.base_url, method, path, short_reason(exc)),
                method, path, ambiguous=is_write and not not_sent)
        except requests.exceptions.RequestException as exc:
            raise OvhTransportError(
                "%s %s to %s failed: %s" % (method, path, self.base_url, short_reason(exc)),
                method, path, ambiguous=is_write)

    def server_time_delta(self):
        """Return the API clock minus the local clock, in seconds, read once per client."""
        # A lock of its own, held during the request, so that threads starting together
        # send one GET /auth/time between them.
        with self._time_lock:
            if self._time_delta is not None:
                return self._time_delta
            response = self._send("GET", "/auth/time", self.base_url + "/auth/time",
                                  self.auth.public_headers(), None)
            value = self._decode(response, "GET", "/auth/time")
            if not isinstance(value, int):
                raise OvhTransportError(
                    "GET /auth/time returned %r instead of a number of seconds: is %s an OVH API endpoint?"
                    % (value, self.base_url), "GET", "/auth/time")
            self._time_delta = value - int(time.time())
            return self._time_delta

    def request(self, method, path, params=None, body=None, headers=None):
        """Send one authenticated request; return its decoded JSON (None when void) and its headers.

        ``path`` is relative to the base URL, for example ``/me/task/domain``.
        ``params`` are query-string parameters; ``body`` is JSON-encoded compactly,
        as OVHcloud's clients send it. A request rejected for its timestamp is
        sent once more after the server time is read again, one rejected for an
        expired OAuth2 token once more with a new token, and a write rejected
        with 429 again after the delay in its Retry-After header.
        """
        method = method.upper()
        url = self.base_url + path
        if params:
            url += "?" + urlencode(params, doseq=True)

        data = ""
        if body is not None:
            data = json.dumps(body, separators=(",", ":"), ensure_ascii=False)

        renewed = False
        rate_limited = 0
        empty_answers = 0
        while True:
            try:
                return self._authenticated_request(method, path, url, data, headers)
            except OvhApiError as exc:
                if exc.error_code == "QUERY_TIME_OUT" and self.auth.mode == "keys" and not renewed:
                    with self._time_lock:
                        self._time_delta = None
                    renewed = True
                elif exc.status == 401 and not renewed and self.auth.renew():
                    renewed = True
                elif exc.status == 429 and method != "GET" and rate_limited < MAX_RETRIES:
                    # A 429 means the API did not process the write, so it is safe to send again.
                    rate_limited += 1
                    delay = min(exc.retry_after or 2 ** rate_limited, RETRY_AFTER_MAX)
                    self.record_retry("retrying %s %s after HTTP 429 in %s s (retry %d of %d)"
                                      % (method, path, delay, rate_limited, MAX_RETRIES))
                    time.sleep(delay)
                elif exc.empty_answer and method == "GET" and empty_answers < 2:
                    empty_answers += 1
                    self.record_retry("retrying %s %s after an empty answer (retry %d of 2)"
                                      % (method, path, empty_answers))
                    time.sleep(0.5 * empty_answers)
                else:
                    raise

    def call(self, method, path, params=None, body=None):
        """Send one authenticated request and return its decoded JSON (None for a void response)."""
        return self.request(method, path, params=params, body=body)[0]

    def _authenticated_request(self, method, path, url, data, extra_headers):
        headers = dict(extra_headers or {})
        headers.update(self.auth.headers(self, method, url, data))
        if data:
            headers["Content-Type"] = "application/json"
        response = self._send(method, path, url, headers, data.encode("utf-8") if data else None)
        return self._decode(response, method, path), response.headers

    def _decode(self, response, method, path):
        query_id = response.headers.get("X-Ovh-Queryid")
        if response.status_code >= 400:
            message, error_class, error_code, details = parse_error_body(response.text)
            error = OvhApiError(method, path, response.status_code, message, error_class,
                                error_code, query_id, details)
            error.retry_after = _retry_after(response)
            error.ambiguous = method != "GET" and response.status_code in AMBIGUOUS_WRITE_STATUSES
            raise error

        if response.status_code == 204 or not response.content.strip():
            if method == "GET":
                error = OvhApiError(method, path, response.status_code,
                                    "the API returned an empty answer where data was expected", query_id=query_id)
                error.empty_answer = True
                raise error
            # A void write returns no body, an empty body or null, and each means success.
            return None
        try:
            return response.json()
        except ValueError:
            error = OvhApiError(method, path, response.status_code,
                                "the answer is not JSON: %s" % response.text[:200].strip(), query_id=query_id)
            error.ambiguous = method != "GET"
            error.empty_answer = method == "GET"
            raise error

    # --- convenience -----------------------------------------------------------------

    def get(self, path, params=None):
        return self.call("GET", path, params=params)

    def post(self, path, body=None):
        return self.call("POST", path, body=body)

    def put(self, path, body=None):
        return self.call("PUT", path, body=body)

    def upload(self, url, content):
        """Send ``content`` (bytes) with an unsigned PUT to a document's upload URL."""
        parts = urlsplit(url or "")
        if parts.scheme != "https" and not (parts.scheme == "http" and _is_loopback(parts.hostname or "")):
            raise OvhTransportError(
                "Refusing to upload to %r: the API returned an upload URL that is not https." % url, "PUT", url)
        self._rate_limiter.acquire()
        with self._lock:
            self.request_count += 1
        label = "%s://%s%s" % (parts.scheme, parts.netloc, parts.path)
        try:
            # The upload URL carries its own authorisation; the API credentials are not sent there.
            response = requests.put(url, data=content, timeout=self.timeout, verify=self._verify,
                                    headers={"User-Agent": USER_AGENT})
        except requests.exceptions.RequestException as exc:
            raise OvhTransportError("Uploading the document to %s failed: %s" % (label, short_reason(exc)),
                                    "PUT", label)
        if response.status_code >= 300:
            raise OvhTransportError("Uploading the document to %s failed with HTTP %s: %s"
                                    % (label, response.status_code, response.text[:200].strip()), "PUT", label)

    def get_objects(self, path, params=None, page_size=PAGE_SIZE):
        """List a collection route as whole objects, a page at a time.

        Returns ``(objects, None)`` when the server returns objects in bulk mode, or
        ``(None, ids)`` when it ignores the mode and returns ids. The client
        then remembers that and requests ids directly on the next listing.
        """
        if self.bulk_supported is False:
            return None, self.get(path, params=params)

        objects = []
        number = 1
        while True:
            headers = {
                "X-Pagination-Mode": PAGINATION_MODE,
                "X-Pagination-Size": str(page_size),
                "X-Pagination-Number": str(number),
                # The server caches bulk lists; a run that just changed tasks must see them as they are.
                "Pragma": "no-cache",
            }
            data, response_headers = self.request("GET", path, params=params, headers=headers)
            data = data or []
            if response_headers.get("X-Pagination-Mode") is None or any(not isinstance(item, dict) for item in data):
                if data:
                    self.bulk_supported = False
                return None, data

            self.bulk_supported = True
            objects.extend(data)
            total = _int_header(response_headers, "X-Pagination-Elements")
            size = _int_header(response_headers, "X-Pagination-Size") or page_size
            if not data or len(data) < size or (total is not None and len(objects) >= total):
                return objects, None
            number += 1

    def map(self, function, items):
        """Return ``[function(item) for item in items]``, run on up to ``max_concurrency`` threads.

        The first exception raised by a call is raised here once every call ended.
        """
        items = list(items)
        if self.max_concurrency <= 1 or len(items) <= 1:
            return [function(item) for item in items]
        with ThreadPoolExecutor(max_workers=min(self.max_concurrency, len(items))) as pool:
            return list(pool.map(function, items))


def _int_header(headers, name):
    try:
        return int(headers.get(name))
    except (TypeError, ValueError):
        return None


def _retry_after(response):
    """Return the seconds of a Retry-After header given in seconds, or None."""
    try:
        return max(0.0, float(response.headers.get("Retry-After")))
    except (TypeError, ValueError):
        return None
