"""Fixtures of the events tests: an empty store in a fresh data directory, an analyst of Waitematā, and a
source whose mapping reads the files these tests write."""

from __future__ import annotations

from pathlib import Path

import pytest

from rocc.events.testing import event_store  # noqa: F401

HEADER = "Occurrence ID,Date,Offence,District,X,Y,Victim ID,Offender ID"


@pytest.fixture
def analyst(make_user):
    return make_user("analyst", units=["waitemata"], username="analyst-waitemata")


@pytest.fixture
def source(event_store, analyst):
    from rocc.events.services import source_save

    return source_save(
        user=analyst,
        mapping={
            "name": "waitemata-extract",
            "event_id": "Occurrence ID",
            "date": "Date",
            "offence_code": "Offence",
            "unit": "District",
            "x": "X",
            "y": "Y",
            "persons": [{"role": "victim", "identifier": "Victim ID"}, {"role": "offender", "identifier": "Offender ID"}],
        },
    )


@pytest.fixture
def write(tmp_path):
    """write(name, text or bytes) → the path of a new file with exactly those bytes."""

    def make(name: str, content) -> Path:
        path = tmp_path / "files" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path

    return make


def csv_text(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


GOOD_ROWS = (
    "E1,2024-03-01,0211,North Shore,1755000,5925000,PRN-1001,PRN-9001",
    "E2,2024-03-05,071,Waitemata,1750000,5930000,PRN-1001,",
    "E3,2024-04-11,1211,Rodney,,,PRN-1002,",
)
