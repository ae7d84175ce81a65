"""Every refusal code has its HTTP status, and its line in docs/api.md says the same."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.refusal import Code, Refusal

API_DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def documented_statuses() -> dict[str, int]:
    """The refusal table of docs/api.md: `| codes | statuses | when |`, one status for
    every code of the row or one status per code, in order."""
    documented: dict[str, int] = {}
    for row in re.findall(r"^\| (`[a-z_]+`.*?) \| ([\d, ]+) \|", API_DOC.read_text(), re.M):
        codes = re.findall(r"`([a-z_]+)`", row[0])
        statuses = [int(status) for status in row[1].split(",")]
        if len(statuses) == 1:
            statuses *= len(codes)
        assert len(statuses) == len(codes), row
        documented.update(zip(codes, statuses, strict=True))
    return documented


def test_every_code_is_documented_with_its_status():
    documented = documented_statuses()
    assert {code.value: code.status for code in Code} == {
        code: status for code, status in documented.items() if code in set(Code)}
    assert set(Code) <= set(documented), set(Code) - set(documented)


@pytest.mark.parametrize("code", list(Code))
def test_a_refusal_answers_with_its_code_s_status(code):
    refusal = Refusal(code.value, "No.")
    assert 400 <= refusal.status < 600
    assert refusal.status == code.status
    assert refusal.shape("en") == {"error": {"code": code.value, "message": "No."}}


def test_an_unknown_code_is_a_programming_error():
    with pytest.raises(ValueError, match="no_such_code"):
        Refusal("no_such_code", "No.")
