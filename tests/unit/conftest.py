# -*- coding: utf-8 -*-
# Copyright (c) ovhcloud.domain contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Make ``ansible_collections.ovhcloud.domain`` importable when pytest runs from a plain clone.

Under ``ansible-test units`` the collection already sits in an
``ansible_collections/ovhcloud/domain`` tree and nothing is done here.
"""

import os
import sys
import tempfile

try:
    import ansible_collections.ovhcloud.domain.plugins.module_utils._client  # noqa: F401 # pylint: disable=unused-import
except ImportError:
    _ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    _TREE = os.path.join(tempfile.gettempdir(), "ovhcloud-domain-unit-%d" % os.getuid())
    _LINK = os.path.join(_TREE, "ansible_collections", "ovhcloud", "domain")
    os.makedirs(os.path.dirname(_LINK), exist_ok=True)
    if os.path.realpath(_LINK) != _ROOT:
        if os.path.lexists(_LINK):
            os.remove(_LINK)
        os.symlink(_ROOT, _LINK)
    sys.path.insert(0, _TREE)
    for name in [name for name in sys.modules if name == "ansible_collections" or name.startswith("ansible_collections.")]:
        del sys.modules[name]
