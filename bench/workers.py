"""Workers benchmark: the same fleet of JSON clients and facilitator actions against one
worker on SQLite, then two and four workers on PostgreSQL + Redis, in one run.

Each configuration is bench/fanout.py's worldcafe measurement (N JSON clients in separate
processes, K `extend` actions `--interval-ms` apart through the API; latency = the
client's receipt minus the time just before the POST): with several workers the clients
are spread over the workers by the kernel and each action reaches the workers that did not
take it through Redis. It prints delivery p50/p99, the time until the last client had an
action, and the server's CPU per action (the supervisor and all its workers).

PostgreSQL and Redis are Debian's, started in a temporary directory on free loopback ports
(tests/fixtures/services.py, as `make test` starts them) and stopped at the end.

Benchmarks report, they do not judge: exit status 0 whatever the figures, 1 when
messages were lost, 2 when the run broke, 130 on Ctrl-C.

    .venv/bin/python bench/workers.py                  # N=500, 50 actions, 100 ms apart
    .venv/bin/python bench/workers.py --clients 50 --actions 10   # a smoke run
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
from pathlib import Path

import httpx
from fanout import (
    ROOT,
    Options,
    Result,
    WorldcafeServer,
    print_table,
    raise_open_files_limit,
    report_problems,
    run_worldcafe,
)

sys.path.insert(0, str(ROOT))
from tests.fixtures.services import Postgres, Redis  # noqa: E402 - the starters make test uses


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=500, help="JSON clients (500)")
    parser.add_argument("--actions", type=int, default=50, help="measured actions (50)")
    parser.add_argument("--interval-ms", type=float, default=100,
                        help="time between actions (100)")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured actions first (3)")
    parser.add_argument("--client-processes", type=int, default=2,
                        help="processes the clients are spread over (2)")
    parser.add_argument("--workers", default="2,4",
                        help="worker counts to run on PostgreSQL + Redis (2,4)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    raise_open_files_limit()
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    options = Options(arguments.clients, arguments.actions, arguments.warmup,
                      arguments.interval_ms / 1000, arguments.client_processes, None)
    load = os.getloadavg()[0]
    results: list[Result] = []
    postgres = redis = None
    try:
        postgres, redis = Postgres().start(), Redis().start()
        with tempfile.TemporaryDirectory(prefix="worldcafe-workers-") as folder:
            runs = [("1 SQLite", WorldcafeServer(Path(folder) / "1"))]
            for count in (int(n) for n in arguments.workers.split(",") if n):
                runs.append((f"{count} PG+Redis", WorldcafeServer(
                    Path(folder) / f"{count}", database_url=postgres.new_database(),
                    workers=count, redis_url=redis.url)))
            for name, server in runs:
                server.log.parent.mkdir(parents=True, exist_ok=True)
                result = run_worldcafe(options, server.log.parent, server)
                result.server = name
                results.append(result)
                print(f"  {name} measured", file=sys.stderr)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (RuntimeError, httpx.HTTPError, OSError, EOFError) as error:
        print(f"workers: the run broke: {error}", file=sys.stderr)
        return 2
    finally:
        for service in (redis, postgres):
            if service is not None:
                service.stop()
    print_table(results)
    print(f"({options.clients} JSON clients in {options.client_processes} processes; "
          f"{options.actions} actions {options.interval_s * 1000:.0f} ms apart after "
          f"{options.warmup} warm-up; 'cpu/act' = server CPU ms per action, all workers)")
    print(f"{os.cpu_count()} CPUs, 1-minute load average {load:.2f} before the run")
    base = results[0] if results else None
    for result in results[1:]:
        if base and base.p99_ms and base.server_cpu_ms_per_action:
            print(f"{result.server} / {base.server}: p50 ×{result.p50_ms / base.p50_ms:.2f}, "
                  f"p99 ×{result.p99_ms / base.p99_ms:.2f}, cpu/act "
                  f"×{result.server_cpu_ms_per_action / base.server_cpu_ms_per_action:.2f}")
    return report_problems(results)


if __name__ == "__main__":
    sys.exit(main())
