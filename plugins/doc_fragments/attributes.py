# -*- coding: utf-8 -*-
# Copyright (c) ovhcloud.domain contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # Attributes every module of the collection shares.
    DOCUMENTATION = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/ovhcloud.domain.all) in C(module_defaults) to set default values for this module.
    support: full
    membership:
      - ovhcloud.domain.all
"""

    # Attributes of the modules that only read.
    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check mode and return the same data as in normal mode.
    support: full
    details:
      - This module only reads from the API.
  diff_mode:
    description: Has nothing to compare, because it changes nothing.
    support: N/A
"""

    # Attributes of the modules that change tasks.
    ACTIONS = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying the tasks.
    support: full
    details:
      - In check mode the module reads from the API and sends no write.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check mode), when in diff mode.
    support: full
"""
