# -*- coding: utf-8 -*-
# Copyright (c) ovhcloud.domain contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shared plumbing of the modules: the auth argument spec, the client, failures."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.ovhcloud.domain.plugins.module_utils._client import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_READ_TIMEOUT,
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    OvhClient,
)
from ansible_collections.ovhcloud.domain.plugins.module_utils._config import SECRET_NAMES, resolve_settings
from ansible_collections.ovhcloud.domain.plugins.module_utils._errors import (
    OvhApiError,
    OvhConfigurationError,
    OvhError,
    OvhTransportError,
)


def auth_argument_spec():
    """Return the argument spec of the connection options, documented in the ``auth`` doc fragment.

    The ``OVH_*`` environment variables and ovh.conf files are read by
    ``resolve_settings``, not through ``env_fallback``, so that one function
    applies the same precedence in the modules and in the lookup plugin.
    """
    return dict(
        endpoint=dict(type="str"),
        application_key=dict(type="str", no_log=False),
        application_secret=dict(type="str", no_log=True),
        consumer_key=dict(type="str", no_log=True),
        client_id=dict(type="str", no_log=False),
        client_secret=dict(type="str", no_log=True),
        config_file=dict(type="path"),
        timeout=dict(type="int", default=DEFAULT_READ_TIMEOUT),
        ca_bundle=dict(type="path"),
        max_concurrency=dict(type="int", default=DEFAULT_MAX_CONCURRENCY),
        rate_limit=dict(type="float"),
    )


def client_from_options(options, environ=None, config_paths=None, secret_sink=None):
    """Return an ``OvhClient`` built from module or plugin options (a dict), the environment and ovh.conf.

    Every secret found is added to the set ``secret_sink``, when given, so that a
    module can mask the ones that came from the environment or a file.
    """
    settings = resolve_settings(options, environ=environ, config_paths=config_paths)
    if secret_sink is not None:
        secret_sink.update(settings[name] for name in SECRET_NAMES if settings.get(name))
    timeout = options.get("timeout") or DEFAULT_READ_TIMEOUT
    return OvhClient(
        endpoint=settings["endpoint"],
        application_key=settings["application_key"],
        application_secret=settings["application_secret"],
        consumer_key=settings["consumer_key"],
        client_id=settings["client_id"],
        client_secret=settings["client_secret"],
        connect_timeout=min(DEFAULT_CONNECT_TIMEOUT, timeout),
        read_timeout=timeout,
        ca_bundle=options.get("ca_bundle"),
        max_concurrency=options.get("max_concurrency") or DEFAULT_MAX_CONCURRENCY,
        rate_limit=options.get("rate_limit"),
        sources=settings["sources"],
    )


class OvhDomainModule:
    """An AnsibleModule with the auth options added and one way to fail on client errors."""

    def __init__(self, argument_spec, **kwargs):
        spec = auth_argument_spec()
        spec.update(argument_spec)
        self.module = AnsibleModule(argument_spec=spec, **kwargs)
        self.params = self.module.params
        self.check_mode = self.module.check_mode

        if not HAS_REQUESTS:
            self.module.fail_json(msg=missing_required_lib("requests"), exception=str(REQUESTS_IMPORT_ERROR))

        self._client = None

    @property
    def client(self):
        if self._client is None:
            try:
                # no_log on the options does not cover secrets read from the environment or ovh.conf.
                self._client = client_from_options(self.params, secret_sink=self.module.no_log_values)
            except OvhConfigurationError as exc:
                self.module.fail_json(msg=str(exc))
        return self._client

    def fail_from_error(self, error, context=None, **result):
        """Fail the module with a message built from a client error, and never a traceback.

        ``context`` describes what the module was doing, for example ``Could not read
        task 1000``; the error's own text, hint and query id follow it.
        """
        parts = [context] if context else []
        if isinstance(error, OvhApiError):
            parts.append(error.describe())
            hint = error.hint()
            if hint:
                parts.append(hint)
            result.update(error.as_result())
        elif isinstance(error, (OvhTransportError, OvhConfigurationError, OvhError)):
            parts.append(str(error))
        else:  # pragma: no cover - only OvhError subclasses are passed here
            parts.append(str(error))
        self.fail(" ".join(_sentence(part) for part in parts), **result)

    def warn(self, message):
        self.module.warn(message)

    def _add_retries(self, result):
        # Shown with the result at -v, so that a slow run can be explained.
        if self._client is not None and self._client.retries:
            result["api_retries"] = list(self._client.retries)

    def exit(self, **result):
        self._add_retries(result)
        self.module.exit_json(**result)

    def fail(self, message, **result):
        self._add_retries(result)
        self.module.fail_json(msg=message, **result)


def _sentence(text):
    text = text.strip()
    if text and text[-1] not in ".!?]":
        text += "."
    return text
