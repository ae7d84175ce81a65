"""The suite's own rule for waits (docs/testing.md): every request a test sends names its
time-out, a multiple of `seconds()` that stretches with the machine's load. httpx's own
default (5 s) does not stretch: with two suites on two cores a follow-up's request took
longer and failed the run."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
SENDERS = {"get", "post", "patch", "put", "delete", "stream", "request", "Client",
           "AsyncClient"}


def requests_without_a_time_out(source: str) -> list[int]:
    """The lines of `httpx.X(...)` calls in `source` that name no time-out."""
    return [node.lineno for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "httpx"
            and node.func.attr in SENDERS
            and not any(k.arg in ("timeout", None) for k in node.keywords)]


def test_the_probe_finds_a_request_without_a_time_out():
    assert requests_without_a_time_out(
        "import httpx\nhttpx.get('/a', timeout=seconds(5))\nhttpx.Client(base_url=u)\n") == [3]


def test_every_request_of_the_suite_names_its_time_out():
    missing = [f"{path.relative_to(TESTS)}:{line}" for path in sorted(TESTS.rglob("*.py"))
               for line in requests_without_a_time_out(path.read_text(encoding="utf-8"))]
    assert missing == []
