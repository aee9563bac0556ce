"""Offline stand-in for the pip bootstrap script that ansible-test downloads.

ansible-test creates each sanity-test virtual environment without pip, then
runs ``~/.ansible/test/cache/get_pip_<version>.py`` (downloaded from its own
file server the first time) inside it, as
``python get_pip_<version>.py --disable-pip-version-check pip==<version>
--no-setuptools --no-wheel``. That server is out of reach here, so
scripts/setup writes this file under that name instead. It installs the pip
bundled with the interpreter (ensurepip, no network), then installs the
requested packages with that pip from the package index it is configured
to use.

This file carries the marker below so that scripts/setup can tell it from a
real bootstrap script, which it leaves alone.
"""

# ovhcloud.domain offline get-pip stand-in

import subprocess
import sys

# Options of get-pip.py that pip's own "install" command does not know.
GET_PIP_ONLY_OPTIONS = ("--no-setuptools", "--no-wheel")


def main() -> int:
    pip_arguments = [argument for argument in sys.argv[1:] if argument not in GET_PIP_ONLY_OPTIONS]

    subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"], stdout=subprocess.DEVNULL)
    return subprocess.call([sys.executable, "-m", "pip", "install", "--quiet", *pip_arguments])


if __name__ == "__main__":
    sys.exit(main())
