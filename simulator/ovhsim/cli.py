"""Command line: ``python -m ovhsim --scenario FILE [--host 127.0.0.1] [--port 0] [--ready-file PATH] [--quiet] [--schema FILE]``."""

from __future__ import annotations

import argparse
import ipaddress
import json
import logging
import os
import signal
import sys
import tempfile
import threading
from pathlib import Path

from .app import Simulator
from .scenario import ScenarioError
from .schema_check import SchemaChecker, SchemaError
from .server import API_PREFIX, CONTROL_PREFIX, SimulatorHTTPServer

logger = logging.getLogger("ovhsim")


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ovhsim", description="Local simulator of the OVHcloud domain task API.")
    parser.add_argument("--scenario", required=True, help="scenario YAML file to serve")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="TCP port; 0 picks a free port (default: 0)")
    parser.add_argument("--ready-file", help="write the JSON {url, control, pid} here once listening")
    parser.add_argument("--quiet", action="store_true", help="do not log each request on stderr")
    parser.add_argument("--schema", metavar="FILE",
                        help="native OVH API schema JSON: check every successful API response against it"
                             " and list mismatches at /_simulator/violations")
    return parser.parse_args(argv)


def _loopback_host(host: str) -> str | None:
    """Return the IPv4 loopback address to bind for ``host``, or None when it is not loopback."""
    if host == "localhost":
        return "127.0.0.1"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if address.version != 4 or not address.is_loopback:
        return None
    return host


def write_ready_file(path: Path, content: dict) -> None:
    """Write the ready file atomically, so a reader never sees a partial file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(content, handle)
            handle.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING if args.quiet else logging.INFO,
                        format="%(asctime)s ovhsim %(levelname)s %(message)s")

    host = _loopback_host(args.host)
    if host is None:
        logger.error("invalid --host %s: the simulator listens on an IPv4 loopback address only; use 127.0.0.1", args.host)
        return 2

    schema = None
    if args.schema:
        try:
            schema = SchemaChecker.from_file(args.schema)
        except SchemaError as error:
            logger.error("invalid --schema: %s", error)
            return 2

    try:
        simulator = Simulator(args.scenario, schema=schema)
    except ScenarioError as error:
        logger.error("invalid scenario: %s", error)
        return 2

    try:
        server = SimulatorHTTPServer((host, args.port), simulator)
    except OSError as error:
        logger.error("cannot listen on %s:%d: %s", host, args.port, error.strerror)
        return 1

    port = server.server_address[1]
    base = f"http://{host}:{port}"
    stop = threading.Event()

    def request_stop(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)

    # serve_forever runs in a thread because shutdown() must be called from
    # another thread than the one serving. Its poll interval bounds the stop delay.
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                               name="ovhsim-server", daemon=True)
    serving.start()

    ready_file = Path(args.ready_file).resolve() if args.ready_file else None
    if ready_file is not None:
        write_ready_file(ready_file, {"url": base + API_PREFIX, "control": base + CONTROL_PREFIX, "pid": os.getpid()})
    print(f"ovhsim listening on {base}{API_PREFIX}", flush=True)
    logger.info("serving scenario %s with %d tasks", simulator.scenario_path, len(simulator.store))

    # A timed wait keeps the main thread responsive to signals.
    while not stop.wait(0.1):
        pass

    logger.info("stopping")
    server.shutdown()
    server.server_close()
    serving.join(timeout=5)
    if ready_file is not None:
        # A stale ready file would point the next reader at a closed port.
        ready_file.unlink(missing_ok=True)
    return 0
