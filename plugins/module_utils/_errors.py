# -*- coding: utf-8 -*-
# Copyright (c) ovhcloud.domain contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Typed errors of the OVHcloud API client.

The API returns errors in two JSON shapes. Application errors carry
``{"class": "Client::NotFound", "message": ...}``; the authentication layer
returns ``{"errorCode": "INVALID_SIGNATURE", "httpCode": "400 Bad Request",
"message": ...}``. Both are parsed into one ``OvhApiError`` that keeps the
HTTP status, the API's own message and the ``X-Ovh-Queryid`` header.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

try:
    from urllib.parse import unquote
except ImportError:  # pragma: no cover
    from urllib import unquote


# Checks to suggest for each authentication error code, so that a user learns which
# credential or access rule is at fault without reading the API's documentation.
_AUTH_HINTS = {
    "INVALID_KEY": (
        "The application key is not valid: check application_key (OVH_APPLICATION_KEY) "
        "and that it was created on this endpoint."
    ),
    "INVALID_CREDENTIAL": (
        "The consumer key is not valid: it may be mistyped, expired, revoked or not yet "
        "validated. Check consumer_key (OVH_CONSUMER_KEY) or request a new one."
    ),
    "NOT_CREDENTIAL": (
        "The consumer key does not exist: check consumer_key (OVH_CONSUMER_KEY) and that it "
        "belongs to this application key."
    ),
    "INVALID_SIGNATURE": (
        "The request signature was rejected: check application_secret (OVH_APPLICATION_SECRET) "
        "and that it belongs to the application key in use."
    ),
    "QUERY_TIME_OUT": (
        "The request timestamp was rejected: the local clock and the API clock differ too much. "
        "Check the system clock (NTP)."
    ),
    "FORBIDDEN": "The API rejected the credentials: check application_key and consumer_key.",
}


class OvhError(Exception):
    """Base class of every error the client raises."""


class OvhConfigurationError(OvhError):
    """Settings that cannot work: a missing credential, an unknown endpoint, an unsafe URL."""


class OvhAuthenticationError(OvhError):
    """The credentials were rejected before any API call, for example by the OAuth2 token service."""


class OvhTransportError(OvhError):
    """The API could not be reached or did not respond in time.

    ``ambiguous`` is True when a write was sent but its response was lost, so
    the API may or may not have applied it.
    """

    def __init__(self, message, method=None, path=None, ambiguous=False):
        super(OvhTransportError, self).__init__(message)
        self.method = method
        self.path = path
        self.ambiguous = ambiguous
        # True when the request timed out: the API may still be processing it.
        self.timed_out = False


class OvhApiError(OvhError):
    """An HTTP error response of the API, with its status, message and query id."""

    def __init__(self, method, path, status, message, error_class=None, error_code=None,
                 query_id=None, details=None):
        self.method = method
        self.path = path
        self.status = status
        self.api_message = message
        self.error_class = error_class
        self.error_code = error_code
        self.query_id = query_id
        self.details = details
        # Set by the client: the seconds of a Retry-After header, whether a write may have
        # been applied despite the error, and whether a read got no data.
        self.retry_after = None
        self.ambiguous = False
        self.timed_out = False
        self.empty_answer = False
        super(OvhApiError, self).__init__(self.describe())

    @property
    def is_not_granted(self):
        """True when the consumer key's access rules do not cover this call."""
        return self.error_code == "NOT_GRANTED_CALL"

    @property
    def is_authentication_error(self):
        return self.error_code in _AUTH_HINTS or self.is_not_granted

    def hint(self):
        """Return what the user should check or do, or None when nothing specific applies."""
        if self.is_not_granted:
            return (
                "The consumer key is not granted %s %s: add an access rule for this method "
                "and path (for example %s %s) to the consumer key, or use a key created with it."
                % (self.method, self.path, self.method, _rule_pattern(self.path))
            )
        if self.error_code in _AUTH_HINTS:
            return _AUTH_HINTS[self.error_code]
        if self.status == 404:
            return _not_found_hint(self.path)
        if self.status == 429:
            return "The API is rate limiting this account: retry later or lower the request rate."
        if self.status is not None and self.status >= 500:
            return "The API failed on its side: retry later; if it persists, contact OVHcloud support with the query id."
        return None

    def describe(self):
        """Return one line naming the call, the status, the API's message and the query id."""
        label = self.error_code or self.error_class
        text = "%s %s failed with HTTP %s" % (self.method, self.path, self.status)
        if label:
            text += " (%s)" % label
        text += ": %s" % (self.api_message or "no message")
        if self.query_id:
            text += " [OVH query id: %s]" % self.query_id
        return text

    def as_result(self):
        """Return the facts of this error as a dict for a module's failure result."""
        return {
            "http_status": self.status,
            "api_message": self.api_message,
            "api_error": self.error_code or self.error_class,
            "query_id": self.query_id,
            "method": self.method,
            "path": self.path,
        }


_TASK_PATH = re.compile(r"^/(?:me/task/domain|domain/[^/]+/task)/(\d+)(?:/argument/([^/?]+))?")


def _not_found_hint(path):
    """Return what to check when a task or argument path is not found."""
    match = _TASK_PATH.match(path or "")
    if not match:
        return None
    if match.group(2):
        return ("Task %s has no argument '%s': list its arguments with "
                "ovhcloud.domain.domain_task_info (arguments: true)." % (match.group(1), unquote(match.group(2))))
    return ("Task %s does not exist in this account: check the task id, or list the tasks "
            "with ovhcloud.domain.domain_task_info." % match.group(1))


def _rule_pattern(path):
    """Return the access-rule pattern that covers ``path``, with numeric ids generalised."""
    parts = []
    for part in path.split("?")[0].split("/"):
        parts.append("*" if part.isdigit() else part)
    return "/".join(parts)


def parse_error_body(raw):
    """Return ``(message, error_class, error_code, details)`` from an error body.

    ``raw`` is the response text. A body that is not JSON (a load balancer's HTML
    page, for example) gives its first line, shortened, as the message.
    """
    try:
        data = json.loads(raw) if raw else None
    except ValueError:
        data = None

    if isinstance(data, dict):
        message = data.get("message")
        error_class = data.get("class")
        error_code = data.get("errorCode")
        details = data.get("details")
        return message, error_class, error_code, details

    text = (raw or "").strip()
    if not text:
        return None, None, None, None
    first_line = text.splitlines()[0]
    if len(first_line) > 200:
        first_line = first_line[:200] + "..."
    return "non-JSON answer: %s" % first_line, None, None, None


def short_reason(exc):
    """Return the innermost reason of a requests exception, without urllib3's object reprs."""
    text = str(exc)
    errno_reason = re.search(r"\[Errno -?\d+\][^)'\"]*", text)
    if errno_reason:
        return errno_reason.group(0).strip()
    # urllib3 prefixes reasons with the pool or connection object's repr.
    return re.sub(r"\w+\(host='[^']*', port=\d+\)(: )?", "", text).strip() or type(exc).__name__
