"""List every domain task with its details the way python-ovh scripts do.

    python benchmarks/python_ovh_listing.py --url http://127.0.0.1:PORT/1.0 [--threads N]

The script reads the ids with ``GET /me/task/domain``, then each task with
``GET /me/task/domain/{id}``: one after the other by default, or on N threads
sharing one ``ovh.Client`` (the default ``requests`` pool keeps 10 connections
alive). It prints ``{"tasks": COUNT}`` as JSON. The credentials come from
OVH_APPLICATION_KEY, OVH_APPLICATION_SECRET and OVH_CONSUMER_KEY, which
python-ovh reads itself.
"""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ThreadPoolExecutor

import ovh

# python-ovh 1.2.0 accepts only endpoint names from ovh.client.ENDPOINTS, so
# the simulator's URL is registered there under this name.
ENDPOINT_NAME = "ovhcloud-domain-benchmark"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="API base URL, such as http://127.0.0.1:8080/1.0")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads that read the tasks; 1 reads them one after the other (default: 1)")
    args = parser.parse_args(argv)
    if args.threads < 1:
        parser.error(f"--threads must be 1 or more, got {args.threads}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    ovh.client.ENDPOINTS[ENDPOINT_NAME] = args.url
    client = ovh.Client(endpoint=ENDPOINT_NAME)
    # Proxy variables of the environment must not apply to 127.0.0.1.
    client._session.trust_env = False

    task_ids = client.get("/me/task/domain")

    def read_task(task_id: int) -> dict:
        return client.get(f"/me/task/domain/{task_id}")

    if args.threads == 1:
        tasks = [read_task(task_id) for task_id in task_ids]
    else:
        with ThreadPoolExecutor(max_workers=args.threads) as pool:
            tasks = list(pool.map(read_task, task_ids))

    json.dump({"tasks": len(tasks)}, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
