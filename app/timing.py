"""The server's clock of record, in one place so that tests and domain code agree."""

import time


def now_ms() -> int:
    """UTC milliseconds since the epoch."""
    return time.time_ns() // 1_000_000
