# -*- coding: utf-8 -*-
# Copyright (c) ovhcloud.domain contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Where the connection settings come from, in the order OVHcloud's clients use.

Precedence, per setting: the module or plugin option, then the ``OVH_*``
environment variable, then ``ovh.conf`` files. Files are read in the order
``/etc/ovh.conf``, ``~/.ovh.conf``, ``./ovh.conf`` and then the file named by
``config_file``, each later file overriding the earlier ones, as python-ovh
1.x reads them. A file's ``[default]`` section gives the ``endpoint``; the
credentials live in a section named after the endpoint (its name, or its URL
when the endpoint is given as a URL).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

try:
    from configparser import Error as ConfigParserError, RawConfigParser
except ImportError:  # pragma: no cover - Python 2 is not supported
    ConfigParserError = RawConfigParser = None

from ansible_collections.ovhcloud.domain.plugins.module_utils._errors import OvhConfigurationError

CREDENTIAL_NAMES = ("application_key", "application_secret", "consumer_key", "client_id", "client_secret")
SECRET_NAMES = ("application_secret", "consumer_key", "client_secret")

ENVIRONMENT_NAMES = {
    "endpoint": "OVH_ENDPOINT",
    "application_key": "OVH_APPLICATION_KEY",
    "application_secret": "OVH_APPLICATION_SECRET",
    "consumer_key": "OVH_CONSUMER_KEY",
    "client_id": "OVH_CLIENT_ID",
    "client_secret": "OVH_CLIENT_SECRET",
}


def default_config_files():
    """Return the ovh.conf paths python-ovh reads, lowest priority first."""
    return ["/etc/ovh.conf", os.path.expanduser("~/.ovh.conf"), os.path.realpath("./ovh.conf")]


def read_config_files(paths, explicit=None):
    """Return a parser loaded from the existing files of ``paths`` and then ``explicit``.

    ``explicit`` is the user's ``config_file``: unlike the default locations,
    it must exist and parse, because the user asked for it.
    """
    parser = RawConfigParser()
    for path in paths:
        try:
            parser.read(path, encoding="utf-8")
        except (ConfigParserError, OSError, UnicodeDecodeError) as exc:
            raise OvhConfigurationError("Cannot read the OVH configuration file %s: %s" % (path, exc))

    if explicit:
        if not os.path.isfile(explicit):
            raise OvhConfigurationError(
                "The configuration file %s given in config_file does not exist or is not a file." % explicit)
        try:
            with open(explicit, encoding="utf-8") as handle:
                parser.read_file(handle, source=explicit)
        except (ConfigParserError, OSError, UnicodeDecodeError) as exc:
            raise OvhConfigurationError("Cannot read the OVH configuration file %s: %s" % (explicit, exc))
    return parser


def _file_value(parser, section, name):
    if parser is None or not parser.has_section(section):
        return None
    value = parser.get(section, name, fallback=None)
    return value.strip() if value and value.strip() else None


def resolve_settings(options, environ=None, config_paths=None):
    """Return the endpoint and credentials to use, with a ``sources`` map for messages.

    ``options`` contains the values given to the module or plugin (None when not
    given). Environment values are taken only for settings the options leave
    unset. Returned keys: ``endpoint``, the names in ``CREDENTIAL_NAMES``, and
    ``sources`` mapping each set value to ``option``, ``environment`` or the
    file path it came from. Secrets are never put in ``sources``.
    """
    environ = os.environ if environ is None else environ
    paths = default_config_files() if config_paths is None else config_paths
    parser = read_config_files(paths, options.get("config_file"))

    settings = {}
    sources = {}

    def pick(name, section):
        if options.get(name):
            sources[name] = "option"
            return options[name]
        env_name = ENVIRONMENT_NAMES.get(name)
        if env_name and environ.get(env_name):
            sources[name] = "environment (%s)" % env_name
            return environ[env_name]
        value = _file_value(parser, section, name)
        if value:
            sources[name] = "configuration file"
        return value

    settings["endpoint"] = pick("endpoint", "default")
    section = settings["endpoint"]
    for name in CREDENTIAL_NAMES:
        settings[name] = pick(name, section) if section else (options.get(name) or environ.get(ENVIRONMENT_NAMES[name]))
        if settings[name] and name not in sources:
            sources[name] = "option" if options.get(name) else "environment (%s)" % ENVIRONMENT_NAMES[name]

    settings["sources"] = sources
    return settings


def auth_mode(settings):
    """Return ``"oauth2"`` or ``"keys"`` for resolved settings, or raise on an incomplete or mixed set."""
    oauth2 = [name for name in ("client_id", "client_secret") if settings.get(name)]
    keys = [name for name in ("application_key", "application_secret", "consumer_key") if settings.get(name)]

    if oauth2 and keys:
        raise OvhConfigurationError(
            "Both OAuth2 credentials (%s) and API keys (%s) are set: use one method. Unset the API keys "
            "to use a service account, or unset client_id and client_secret to use the keys."
            % (_describe(oauth2, settings), _describe(keys, settings)))
    if oauth2:
        if len(oauth2) == 1:
            missing = "client_secret (OVH_CLIENT_SECRET)" if oauth2[0] == "client_id" else "client_id (OVH_CLIENT_ID)"
            raise OvhConfigurationError(
                "OAuth2 credentials are incomplete: %s is set but %s is missing. Give both, or neither."
                % (_describe(oauth2, settings), missing))
        return "oauth2"

    missing = ["%s (%s)" % (name, ENVIRONMENT_NAMES[name])
               for name in ("application_key", "application_secret", "consumer_key") if not settings.get(name)]
    if missing:
        raise OvhConfigurationError(
            "Missing OVH API credentials: %s. Give them as module options, as environment variables or in "
            "an ovh.conf file; or give client_id and client_secret (OVH_CLIENT_ID, OVH_CLIENT_SECRET) of a "
            "service account instead." % ", ".join(missing))
    return "keys"


def _describe(names, settings):
    sources = settings.get("sources", {})
    return ", ".join("%s from %s" % (name, sources.get(name, "option")) for name in names)
