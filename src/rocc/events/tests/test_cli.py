"""`rocc events` as a user runs it: a real process, a real data directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from rocc.testing import copy_data_dir, run

MAPPING = """\
description: Waitematā district extract
event_id: Occurrence ID
date: Date
offence_code: Offence
unit: District
x: X
y: Y
persons:
  - role: victim
    identifier: Victim ID
"""
GOOD = """\
Occurrence ID,Date,Offence,District,X,Y,Victim ID
E1,01/03/2024,0211,North Shore,1755000,5925000,PRN-1
E2,05/03/2024,071,Waitemata,,,PRN-1
"""


@pytest.fixture(scope="module")
def data(installed_data_dir, tmp_path_factory) -> Path:
    folder = copy_data_dir(installed_data_dir, tmp_path_factory.mktemp("rocc-events-cli") / "data")
    (folder / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
    (folder / "good.csv").write_text(GOOD, encoding="utf-8")
    (folder / "bad.csv").write_text(GOOD.replace("05/03/2024", "2024-03-05").replace(",071,", ",777,"), encoding="utf-8")
    return folder


def test_import_with_a_mapping_then_list_sources_and_batches(data):
    result = run("events", "import", str(data / "good.csv"), "--source", "waitemata-extract", "--mapping", str(data / "mapping.yaml"), data_dir=data)
    assert result.returncode == 0, result.stderr
    assert "Imported (batch 1): 2 events imported" in result.stdout
    again = run("events", "import", str(data / "good.csv"), "--source", "waitemata-extract", data_dir=data)
    assert again.returncode == 0 and "Already imported" in again.stdout
    sources = run("events", "sources", data_dir=data, check=True)
    assert "waitemata-extract" in sources.stdout and "Occurrence ID" in sources.stdout
    batches = run("events", "batches", data_dir=data, check=True)
    assert "good.csv" in batches.stdout and "command line" in batches.stdout


def test_a_bad_file_is_refused_with_located_messages_and_no_traceback(data, tmp_path):
    run("events", "import", str(data / "good.csv"), "--source", "waitemata-extract", "--mapping", str(data / "mapping.yaml"), data_dir=data)
    result = run("events", "import", str(data / "bad.csv"), "--source", "waitemata-extract", data_dir=data)
    assert result.returncode == 2
    assert (
        "bad.csv: row 3, column 'Date': '2024-03-05' is written year-month-day (2019-04-03), but the other dates in this file are written day/month/year"
        in result.stderr
    )
    assert "bad.csv: row 3, column 'Offence': unknown offence code '777'" in result.stderr
    assert "nothing was stored" in result.stderr and "Traceback" not in result.stderr
    rejects = tmp_path / "rejects.csv"
    partial = run("events", "import", str(data / "bad.csv"), "--source", "waitemata-extract", "--partial", "--rejects", str(rejects), data_dir=data)
    assert partial.returncode == 0, partial.stderr
    assert "reason" in rejects.read_text().splitlines()[0] and "PRN-1" not in rejects.read_text()


def test_unknown_source_and_bad_mapping_are_explained(data, tmp_path):
    unknown = run("events", "import", str(data / "good.csv"), "--source", "nowhere", data_dir=data)
    assert unknown.returncode == 2 and "no source is called 'nowhere'" in unknown.stderr and "--mapping" in unknown.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("event_id: ID\noffence_code: O\nunit: U\n")
    refused = run("events", "import", str(data / "good.csv"), "--source", "s2", "--mapping", str(bad), data_dir=data)
    assert refused.returncode == 2 and "map the event date" in refused.stderr and "Traceback" not in refused.stderr
