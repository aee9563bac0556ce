# -*- coding: utf-8 -*-
# Copyright (c) ovhcloud.domain contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Retry policy and request-rate limit of the API client.

Reads are retried by urllib3 on connection errors, timeouts, 429 and 502, 503,
504 responses, with exponential backoff and jitter. Writes are retried only when
the connection failed before the request was sent; any other failure of a
write is left to the caller, which reads the resource again to decide.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
import time

try:
    from urllib3.util.retry import Retry
    HAS_URLLIB3 = True
except ImportError:  # pragma: no cover - requests always brings urllib3
    Retry = object
    HAS_URLLIB3 = False

RETRY_STATUSES = (429, 502, 503, 504)
MAX_RETRIES = 4
BACKOFF_FACTOR = 0.5
BACKOFF_MAX = 10.0
BACKOFF_JITTER = 0.5
# A longer Retry-After is cut to this many seconds, so that one response cannot stall a run for hours.
RETRY_AFTER_MAX = 30


class RecordingRetry(Retry):
    """A urllib3 Retry that reports each retry to ``recorder(message)`` before it sleeps."""

    def __init__(self, *args, **kwargs):
        self.recorder = kwargs.pop("recorder", None)
        super(RecordingRetry, self).__init__(*args, **kwargs)

    def new(self, **kwargs):
        retry = super(RecordingRetry, self).new(**kwargs)
        retry.recorder = self.recorder
        return retry

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
        retry = super(RecordingRetry, self).increment(method=method, url=url, response=response, error=error,
                                                      _pool=_pool, _stacktrace=_stacktrace)
        if self.recorder is not None:
            if response is not None and response.status:
                cause = "HTTP %s" % response.status
            else:
                cause = type(error).__name__ if error is not None else "an error"
            path = (url or "").split("?")[0]
            self.recorder("retrying %s %s after %s (retry %d of %d)" % (
                method, path, cause, len(retry.history), MAX_RETRIES))
        return retry

    def get_retry_after(self, response):
        seconds = super(RecordingRetry, self).get_retry_after(response)
        if seconds is None:
            return None
        return min(seconds, RETRY_AFTER_MAX)


def build_retry(recorder=None, methods=("GET",), read_retries=MAX_RETRIES):
    """Return the Retry policy of an HTTP adapter that retries requests of ``methods``.

    ``read_retries`` bounds the retries after a request was sent but its
    response did not arrive, such as a read timeout.
    """
    options = dict(
        total=MAX_RETRIES,
        connect=MAX_RETRIES,
        read=read_retries,
        status=MAX_RETRIES,
        other=0,
        redirect=0,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset(methods),
        backoff_factor=BACKOFF_FACTOR,
        backoff_max=BACKOFF_MAX,
        raise_on_status=False,
        respect_retry_after_header=True,
        recorder=recorder,
    )
    try:
        return RecordingRetry(backoff_jitter=BACKOFF_JITTER, **options)
    except TypeError:
        # urllib3 1.26 has no jitter and no 'other' counter.
        options.pop("other")
        return RecordingRetry(**options)


class RateLimiter:
    """Spaces requests so that at most ``rate`` start per second, across threads."""

    def __init__(self, rate, clock=time.monotonic, sleep=time.sleep):
        self.interval = 1.0 / rate if rate else 0.0
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next = 0.0

    def acquire(self):
        if not self.interval:
            return
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            self._sleep(start - now)
