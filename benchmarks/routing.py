"""Benchmark: the memory a web process's host → tenant map holds after a stream of random hosts.

On a fresh database of its own (see `_common.py`) one tenant is created. A route map like
each web process's (`shared_apps.tenants.routing.TenantRouteCache`) resolves the tenant's
host, then `--hosts` random subdomains nobody owns (each one an SQL miss, as a scan of
random subdomains would cause). The map's memory is measured with `tracemalloc` as what it
frees when cleared. The same is done for a map allowed to remember every unknown host,
which is what the map did before unknown hosts went into a bounded LRU.

The last line on stdout is the result as JSON: entries and bytes held by the bounded map
(`map_bytes`), by the unbounded one (`unbounded_map_bytes`), and the SQL queries a known
host costs afterwards (0 in steady state).

    .venv/bin/python benchmarks/routing.py --hosts 10000
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc
import uuid

from _common import bench_database, create_tenants, emit_result, log

DATABASE = "lectern_bench_routing"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--hosts", type=int, default=10_000, help="random unknown hosts")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    if args.hosts < 1:
        parser.error("--hosts must be at least 1")
    return args


def held_after_random_hosts(cache, known_host: str, hosts: int) -> tuple[int, object]:
    """Bytes `cache` holds after resolving `known_host` and `hosts` random unknown hosts."""
    for _ in range(100):  # first use of every code path, outside the measurement
        cache.resolve(f"{uuid.uuid4().hex}.localhost")
    cache.clear()
    gc.collect()
    tracemalloc.start()
    try:
        cache.resolve(known_host)
        for index in range(hosts):
            cache.resolve(f"{uuid.uuid4().hex}.localhost")
            if (index + 1) % 2000 == 0:
                log(f"{index + 1}/{hosts} random hosts")
        gc.collect()
        full = tracemalloc.get_traced_memory()[0]
        size = cache.size()
        cache.clear()
        gc.collect()
        empty = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return full - empty, size


def main() -> None:
    args = parse_args()
    wall_started = time.perf_counter()
    with bench_database(DATABASE, keep=args.keep):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from shared_apps.tenants.routing import UNKNOWN_HOSTS_REMEMBERED, TenantRouteCache

        create_tenants(1, prefix="bench-routing")
        known_host = "bench-routing-00000.localhost"

        log(f"bounded map: {args.hosts} random hosts")
        bounded = TenantRouteCache()
        held, size = held_after_random_hosts(bounded, known_host, args.hosts)
        bounded.resolve(known_host)
        with CaptureQueriesContext(connection) as queries:
            if bounded.resolve(known_host).tenant is None:
                raise RuntimeError(f"{known_host} did not resolve to its tenant")

        log(f"unbounded map: {args.hosts} random hosts")
        unbounded = TenantRouteCache(unknown_limit=args.hosts + 1)
        unbounded_held, unbounded_size = held_after_random_hosts(unbounded, known_host, args.hosts)

        result = {
            "random_hosts": args.hosts,
            "unknown_limit": UNKNOWN_HOSTS_REMEMBERED,
            "known_entries": size.known,
            "unknown_entries": size.unknown,
            "map_bytes": held,
            "bytes_per_entry": round(held / (size.known + size.unknown)),
            "known_host_queries": len(queries.captured_queries),
            "unbounded_unknown_entries": unbounded_size.unknown,
            "unbounded_map_bytes": unbounded_held,
        }
    result["wall_s"] = round(time.perf_counter() - wall_started, 1)
    emit_result(result)


if __name__ == "__main__":
    main()
