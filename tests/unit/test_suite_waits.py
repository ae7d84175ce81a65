"""The suite's own rule for waits (docs/testing.md): every request a test sends names its
time-out, a multiple of `seconds()` that stretches with the machine's load. httpx's own
default (5 s) does not stretch: with two suites on two cores a follow-up's request took
longer and failed the run. And every request goes through tests/fixtures/loopback.py,
which shares one TLS context: httpx's own calls build one each, a CPU cost the suite paid
some thousands of times a run."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
SENDERS = {"get", "post", "patch", "put", "delete", "stream", "request", "Client",
           "AsyncClient"}


def requests(source: str, module: str) -> list[ast.Call]:
    """The `module.X(...)` calls in `source` that send requests or make a client."""
    return [node for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name) and node.func.value.id == module
            and node.func.attr in SENDERS]


def requests_without_a_time_out(source: str) -> list[int]:
    """The lines of `loopback.X(...)` calls in `source` that name no time-out."""
    return [node.lineno for node in requests(source, "loopback")
            if not any(k.arg in ("timeout", None) for k in node.keywords)]


def suite_modules():
    return [path for path in sorted(TESTS.rglob("*.py")) if path.name != "loopback.py"]


def test_the_probe_finds_a_request_without_a_time_out():
    assert requests_without_a_time_out(
        "loopback.get('/a', timeout=seconds(5))\nloopback.Client(base_url=u)\n") == [2]


def test_every_request_of_the_suite_names_its_time_out():
    missing = [f"{path.relative_to(TESTS)}:{line}" for path in suite_modules()
               for line in requests_without_a_time_out(path.read_text(encoding="utf-8"))]
    assert missing == []


def test_no_request_of_the_suite_builds_a_tls_context_of_its_own():
    assert [node.lineno for node in requests("httpx.post('/a', timeout=1)\n", "httpx")] == [1]
    direct = [f"{path.relative_to(TESTS)}:{node.lineno}" for path in suite_modules()
              for node in requests(path.read_text(encoding="utf-8"), "httpx")]
    assert direct == []
