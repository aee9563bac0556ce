"""Record the peak memory of each Ansible module process for the benchmark.

``benchmarks/run.py`` puts this directory on ``PYTHONPATH`` for the Ansible
commands it runs, so every Python process they start imports this file at
startup. Only module processes (Ansible runs them as ``python
.../AnsiballZ_<module>.py``) do anything: when they exit, they append one JSON
line ``{"module", "pid", "max_rss_kb", "seconds"}`` to the file named by
``OVHCLOUD_DOMAIN_BENCH_MODULE_LOG``. ``max_rss_kb`` is the process's own peak
resident set size (``ru_maxrss``, in KiB on Linux), ``seconds`` the time from
interpreter startup to exit. The number of lines is the number of module
runs.
"""

import os
import time

_STARTED = time.monotonic()
_LOG_PATH = os.environ.get("OVHCLOUD_DOMAIN_BENCH_MODULE_LOG")


def _module_name():
    # sys.argv may not be set yet while site imports this file, so read the command line from /proc.
    try:
        with open("/proc/self/cmdline", "rb") as handle:
            arguments = handle.read().split(b"\0")
    except OSError:
        return None
    for argument in arguments[1:3]:
        name = os.path.basename(argument.decode("utf-8", "replace"))
        if name.startswith("AnsiballZ_") and name.endswith(".py"):
            return name[len("AnsiballZ_"):-len(".py")]
    return None


def _record(module):
    import json
    import resource

    line = json.dumps({
        "module": module,
        "pid": os.getpid(),
        "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "seconds": round(time.monotonic() - _STARTED, 3),
    })
    # Each process appends one short line with one write, so the lines of successive modules stay whole.
    with open(_LOG_PATH, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")


if _LOG_PATH:
    _MODULE = _module_name()
    if _MODULE:
        import atexit

        atexit.register(_record, _MODULE)
