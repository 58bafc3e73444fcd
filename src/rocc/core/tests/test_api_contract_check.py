"""The API contract check's own behaviour that needs no server: its account of failures stays readable when a
generated value is 100,000 characters, and it refuses a caller it does not know before installing anything. The
check itself (schemathesis against rocc serve) runs as `python -m rocc.api_contract_check`."""

from __future__ import annotations

import pytest

from rocc.api_contract_check import _LINE_MOST, _failures, main

OUTPUT = f"""\
Schemathesis v4.32.5
 ❌  Coverage (in 179.57s)
=================================== FAILURES ===================================
_________________________ GET /api/referrals/made _________________________
- ST103 Undocumented status code
    curl -X GET 'http://127.0.0.1:1/api/referrals/made?status={"a" * 100_000}'
=================================== WARNINGS ===================================
Missing test data: 50 operations repeatedly returned 404 Not Found
"""


def test_the_failures_are_shown_with_long_values_cut_and_without_the_warnings():
    shown = _failures(OUTPUT)
    assert "= FAILURES =" in shown.splitlines()[0]
    assert "GET /api/referrals/made" in shown and "ST103 Undocumented status code" in shown
    assert "Missing test data" not in shown and "Schemathesis v4.32.5" not in shown
    assert max(len(line) for line in shown.splitlines()) <= _LINE_MOST + 40
    assert "(100," in shown and "characters)" in shown  # says how long the cut line was


def test_an_unknown_caller_is_refused_before_anything_is_installed(tmp_path, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["--only", "nobody", "--data-dir", str(tmp_path / "data")])
    assert stopped.value.code == 2
    assert "--only takes one of contract-admin, contract-analyst, contract-viewer, anonymous" in capsys.readouterr().err
    assert not (tmp_path / "data").exists()
