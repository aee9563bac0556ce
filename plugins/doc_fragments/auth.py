# -*- coding: utf-8 -*-
# Copyright (c) ovhcloud.domain contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # Connection options of the modules.
    DOCUMENTATION = r"""
options:
  endpoint:
    description:
      - The OVHcloud API to call, as an endpoint name of OVHcloud's own clients
        (V(ovh-eu), V(ovh-ca), V(ovh-us), V(kimsufi-eu), V(kimsufi-ca), V(soyoustart-eu), V(soyoustart-ca))
        or as a base URL such as V(https://eu.api.ovh.com/1.0).
      - A base URL must use https, except to a loopback address such as V(http://127.0.0.1:8080/1.0)
        (a local simulator), so that credentials never cross a network in clear text.
      - If not set, the value of the E(OVH_ENDPOINT) environment variable is used.
    type: str
  application_key:
    description:
      - The application key that signs the requests.
      - If not set, the value of the E(OVH_APPLICATION_KEY) environment variable is used.
    type: str
  application_secret:
    description:
      - The secret of the application key.
      - If not set, the value of the E(OVH_APPLICATION_SECRET) environment variable is used.
    type: str
  consumer_key:
    description:
      - The consumer key, whose access rules must allow the calls the module makes.
      - If not set, the value of the E(OVH_CONSUMER_KEY) environment variable is used.
    type: str
  client_id:
    description:
      - The client id of an OAuth2 service account, used instead of the three keys above.
      - Service accounts exist on V(ovh-eu), V(ovh-ca) and V(ovh-us) only. For an endpoint given as a
        URL, the token is requested from C(/auth/oauth2/token) on the same host.
      - If not set, the value of the E(OVH_CLIENT_ID) environment variable is used.
    type: str
  client_secret:
    description:
      - The client secret of the OAuth2 service account.
      - If not set, the value of the E(OVH_CLIENT_SECRET) environment variable is used.
    type: str
  config_file:
    description:
      - An ovh.conf file read after C(/etc/ovh.conf), C(~/.ovh.conf) and C(./ovh.conf), which python-ovh
        also reads. A later file overrides an earlier one.
      - Files give the settings that neither an option nor an environment variable sets. Their
        C([default]) section gives C(endpoint), and the section named after the endpoint gives the
        credentials (C(application_key), C(application_secret), C(consumer_key), C(client_id), C(client_secret)).
    type: path
  timeout:
    description:
      - Seconds to wait for the API to answer one request. Connecting is limited
        to 10 seconds, or to this value when it is smaller.
    type: int
    default: 60
  ca_bundle:
    description:
      - A file of CA certificates that sign the API's TLS certificate, for an endpoint behind a proxy
        with its own CA. TLS certificates are always verified.
    type: path
  max_concurrency:
    description:
      - The maximum number of requests in flight at once, for reading or changing many tasks.
      - All requests share one pool of kept-alive connections.
    type: int
    default: 10
  rate_limit:
    description:
      - The maximum number of requests started per second. Unlimited when not set.
      - Whatever this value, the client waits and retries when the API answers HTTP 429.
    type: float
notes:
  - Each setting is taken from the module option, else from its E(OVH_*) environment variable,
    else from the ovh.conf files, as OVHcloud's own clients do.
  - The credentials are either an application key, its secret and a consumer key granted by the
    account holder, or the client id and secret of an OAuth2 service account. Giving both kinds fails.
requirements:
  - requests
"""

    # Connection options of the lookup plugin, which also reads Ansible variables and ansible.cfg.
    PLUGIN = r"""
options:
  endpoint:
    description:
      - The OVHcloud API to call, as an endpoint name of OVHcloud's own clients
        (V(ovh-eu), V(ovh-ca), V(ovh-us), V(kimsufi-eu), V(kimsufi-ca), V(soyoustart-eu), V(soyoustart-ca))
        or as a base URL such as V(https://eu.api.ovh.com/1.0).
      - A base URL must use https, except to a loopback address.
    type: str
    env:
      - name: OVH_ENDPOINT
    vars:
      - name: ovh_endpoint
    ini:
      - section: ovhcloud_domain
        key: endpoint
  application_key:
    description:
      - The application key that signs the requests.
    type: str
    env:
      - name: OVH_APPLICATION_KEY
    vars:
      - name: ovh_application_key
    ini:
      - section: ovhcloud_domain
        key: application_key
  application_secret:
    description:
      - The secret of the application key.
    type: str
    env:
      - name: OVH_APPLICATION_SECRET
    vars:
      - name: ovh_application_secret
    ini:
      - section: ovhcloud_domain
        key: application_secret
  consumer_key:
    description:
      - The consumer key, whose access rules must allow the calls the plugin makes.
    type: str
    env:
      - name: OVH_CONSUMER_KEY
    vars:
      - name: ovh_consumer_key
    ini:
      - section: ovhcloud_domain
        key: consumer_key
  client_id:
    description:
      - The client id of an OAuth2 service account, used instead of the three keys above.
    type: str
    env:
      - name: OVH_CLIENT_ID
    vars:
      - name: ovh_client_id
    ini:
      - section: ovhcloud_domain
        key: client_id
  client_secret:
    description:
      - The client secret of the OAuth2 service account.
    type: str
    env:
      - name: OVH_CLIENT_SECRET
    vars:
      - name: ovh_client_secret
    ini:
      - section: ovhcloud_domain
        key: client_secret
  config_file:
    description:
      - An ovh.conf file read after C(/etc/ovh.conf), C(~/.ovh.conf) and C(./ovh.conf).
      - Files give the settings that no option, variable or environment variable sets.
    type: path
    vars:
      - name: ovh_config_file
  timeout:
    description:
      - Seconds to wait for the API to answer one request.
    type: int
    default: 60
  ca_bundle:
    description:
      - A file of CA certificates that sign the API's TLS certificate. TLS certificates are always verified.
    type: path
  max_concurrency:
    description:
      - The maximum number of requests in flight at once.
    type: int
    default: 10
  rate_limit:
    description:
      - The maximum number of requests started per second. Unlimited when not set.
    type: float
requirements:
  - requests
"""
