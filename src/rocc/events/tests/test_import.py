"""Importing events files: each kind of bad input gets a located message and nothing is stored; a file with a
byte-order mark or Windows line endings reads as any other; re-importing adds nothing; a partial import keeps
the rejected rows with their reasons."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest

from rocc.events import store
from rocc.events.models import BatchStatus, ImportBatch
from rocc.events.selectors import events_frame, persons_frame
from rocc.events.services import events_import, source_save
from rocc.events.tests.conftest import GOOD_ROWS, HEADER, csv_text


def stored_events(user) -> pd.DataFrame:
    return events_frame(user=user)


def assert_nothing_stored(user, batch: ImportBatch) -> None:
    assert batch.status == BatchStatus.REJECTED
    assert batch.rows_imported == 0 and not batch.events_file
    assert stored_events(user).empty
    assert not list((store.data_dir() / "events" / "batches").glob("*.parquet")) if (store.data_dir() / "events" / "batches").exists() else True


def messages(batch: ImportBatch) -> list[tuple]:
    return [(p["row"], p["column"], p["message"]) for p in batch.problems]


def test_a_good_file_is_imported_with_places_units_and_pseudonymised_persons(source, analyst, write):
    batch = events_import(user=analyst, source=source, path=write("good.csv", csv_text(*GOOD_ROWS)))
    assert batch.status == BatchStatus.DONE and batch.rows_imported == 3 and batch.persons_imported == 4
    frame = stored_events(analyst)
    assert frame["event_id"].tolist() == ["E1", "E2", "E3"]
    assert frame["unit_code"].tolist() == ["north-shore", "waitemata", "rodney"]
    assert frame["offence_division"].tolist() == ["02", "07", "12"]
    assert frame.loc[0, "x"] == 1755000.0 and pd.isna(frame.loc[2, "x"])
    assert (frame["date_from"] == frame["date_to"]).all()
    assert str(frame["date_from"].dtype).startswith("datetime64")
    persons = persons_frame(user=analyst, purpose="checking the import")
    assert sorted(persons["role"]) == ["offender", "victim", "victim", "victim"]
    assert persons["person_key"].str.fullmatch(r"[0-9a-f]{32}").all()
    assert persons[persons.role == "victim"]["person_key"].nunique() == 2  # PRN-1001 twice is one person


@pytest.mark.parametrize(
    "rows, expected",
    [
        pytest.param(
            ["E1,2024-03-01,0211,North Shore,1755000,5925000,,", "E2,05/03/2024,071,Waitemata,,,,"],
            (3, "Date", "'05/03/2024' is written day/month/year (03/04/2019), but the other dates in this file are written year-month-day (2019-04-03)"),
            id="dates in mixed formats",
        ),
        pytest.param(
            ["E1,2024-03-01,0211,North Shore,1755000,5925000,,", "E2,someday,071,Waitemata,,,,"],
            (3, "Date", "expected a date such as 2019-04-03 or 03/04/2019, found 'someday'"),
            id="not a date",
        ),
        pytest.param(
            ["E1,2024-02-30,0211,North Shore,,,,"],
            (2, "Date", "'2024-02-30' is not a real date"),
            id="impossible date",
        ),
        pytest.param(
            ["E1,2024-03-01,0211,North Shore,1755000,5925000,,", "E2,2024-03-02,777,Waitemata,,,,"],
            (3, "Offence", "unknown offence code '777'"),
            id="unknown offence code",
        ),
        pytest.param(
            ["E1,2024-03-01,0211,North Shore,1755000,5925000,,", "E1,2024-03-02,071,Waitemata,,,,"],
            (2, "Occurrence ID", "event id 'E1' appears more than once in the file (rows 2, 3)"),
            id="duplicate event id",
        ),
        pytest.param(
            ["E1,2024-03-01,0211,North Shore,174.76,-36.85,,"],
            (2, "X", "x=175, y=-37 is outside New Zealand in NZTM2000"),
            id="NZTM outside New Zealand",
        ),
        pytest.param(
            ["E1,2024-03-01,0211,Narnia,,,,"],
            (2, "District", "no organisational unit is called 'Narnia'"),
            id="unknown unit",
        ),
        pytest.param(
            ["E1,2024-03-01,0211,Canterbury,,,,"],
            (2, "District", "Canterbury is outside your scope"),
            id="unit outside the importer's scope",
        ),
        pytest.param(
            ["E1,2024-03-01,0211,North Shore,1755000,,,"],
            (2, "Y", "give both 'X' and 'Y', or neither"),
            id="half a location",
        ),
    ],
)
def test_bad_rows_are_reported_where_they_are_and_nothing_is_stored(source, analyst, write, rows, expected):
    batch = events_import(user=analyst, source=source, path=write("bad.csv", csv_text(*rows)))
    row, column, text = expected
    found = [(r, c, m) for r, c, m in messages(batch) if r == row and c == column and text in m]
    assert found, messages(batch)
    assert_nothing_stored(analyst, batch)


def test_an_occurrence_window_that_ends_before_it_starts_is_refused(event_store, analyst, write):
    window = source_save(
        user=analyst,
        mapping={
            "name": "windows",
            "event_id": "id",
            "date_from": "from",
            "date_to": "to",
            "offence_code": "code",
            "default_unit": "waitemata",
        },
    )
    text = "id,from,to,code\nW1,2024-03-01 22:00,2024-03-02 06:00,071\nW2,2024-03-05,2024-03-03,071\nW3,2024-03-07,,071\n"
    batch = events_import(user=analyst, source=window, path=write("windows.csv", text))
    assert messages(batch) == [(3, "to", "the occurrence window ends (2024-03-03) before it starts (2024-03-05, column 'from')")]
    assert_nothing_stored(analyst, batch)
    fixed = events_import(user=analyst, source=window, path=write("windows-fixed.csv", text.replace("2024-03-05,2024-03-03", "2024-03-03,2024-03-05")))
    frame = stored_events(analyst)
    assert fixed.status == BatchStatus.DONE and len(frame) == 3
    first = frame.set_index("event_id").loc["W1"]
    assert str(first["date_from"]) == "2024-03-01 22:00:00" and str(first["date_to"]) == "2024-03-02 06:00:00"
    third = frame.set_index("event_id").loc["W3"]
    assert third["date_from"] == third["date_to"]  # a blank "to": the date is exact


def test_an_empty_file_is_refused(source, analyst, write):
    batch = events_import(user=analyst, source=source, path=write("empty.csv", b""))
    assert messages(batch) == [(None, None, "empty.csv is empty")]
    assert_nothing_stored(analyst, batch)
    header_only = events_import(user=analyst, source=source, path=write("header.csv", HEADER + "\n"))
    assert messages(header_only) == [(None, None, "header.csv: the file has no rows")]


def test_a_missing_column_is_named_with_the_columns_the_file_has(source, analyst, write):
    batch = events_import(user=analyst, source=source, path=write("cols.csv", "Occurrence ID,Date\nE1,2024-03-01\n"))
    assert batch.problems[0]["row"] == 1 and batch.problems[0]["column"] == "Offence"
    assert "the file has: 'Occurrence ID', 'Date'" in batch.problems[0]["message"]
    assert_nothing_stored(analyst, batch)


def test_a_byte_order_mark_and_windows_line_endings_read_like_any_other_file(source, analyst, write):
    text = csv_text(*GOOD_ROWS).replace("\n", "\r\n")
    batch = events_import(user=analyst, source=source, path=write("windows.csv", "\ufeff".encode() + text.encode("utf-8")))
    assert batch.status == BatchStatus.DONE and batch.rows_imported == 3, messages(batch)
    frame = stored_events(analyst)
    assert frame["event_id"].tolist() == ["E1", "E2", "E3"]  # no BOM glued to the first header, no \r on the last cell
    assert persons_frame(user=analyst, purpose="checking line endings", role="offender")["person_key"].str.len().tolist() == [32]


def test_excel_with_merged_header_cells_is_refused_and_a_clean_workbook_imports(source, analyst, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(["E1", "2024-03-01", "0211", "North Shore", 1755000, 5925000, "PRN-1", ""])
    sheet.merge_cells("E1:F1")
    merged = tmp_path / "merged.xlsx"
    book.save(merged)
    batch = events_import(user=analyst, source=source, path=merged)
    assert messages(batch) == [(1, None, "the header has merged cells (E1:F1): unmerge them and give every column its own name")]
    assert_nothing_stored(analyst, batch)

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    import datetime as dt

    sheet.append([101, dt.datetime(2024, 3, 1, 14, 30), 211, "Counties/Manukau", 1765000.0, 5905000.0, "PRN-1", None])
    clean = tmp_path / "clean.xlsx"
    book.save(clean)
    admin_source = source_save(user=None, mapping={**source.mapping, "name": "excel"})
    imported = events_import(user=None, source=admin_source, path=clean)
    assert imported.status == BatchStatus.DONE, messages(imported)
    events = pd.read_parquet(store.absolute(imported.events_file))
    assert events.loc[0, "event_id"] == "101" and events.loc[0, "offence_code"] == "0211"  # the dropped leading zero is restored
    assert events.loc[0, "unit_code"] == "counties-manukau" and str(events.loc[0, "date_from"]) == "2024-03-01 14:30:00"


def test_parquet_and_wgs84_latitude_longitude_are_converted_to_nztm(event_store, analyst, tmp_path):
    lat_lon = source_save(
        user=analyst,
        mapping={
            "name": "latlon",
            "event_id": "id",
            "date": "date",
            "offence_code": "code",
            "unit": "unit",
            "latitude": "lat",
            "longitude": "lon",
        },
    )
    frame = pd.DataFrame(
        {"id": ["P1", "P2"], "date": ["2024-01-02", "2024-01-03"], "code": ["0211", "0211"], "unit": ["North Shore", "North Shore"], "lat": [-36.7898, 174.7]}
    )
    frame["lon"] = [174.7566, -36.8]
    path = tmp_path / "events.parquet"
    frame.to_parquet(path)
    refused = events_import(user=analyst, source=lat_lon, path=path)
    assert [(r, c) for r, c, _ in messages(refused)] == [(3, "lat")]
    assert "are latitude and longitude swapped?" in refused.problems[0]["message"]
    frame.loc[1, ["lat", "lon"]] = [-36.8, 174.7]
    frame.to_parquet(path)
    batch = events_import(user=analyst, source=lat_lon, path=path)
    assert batch.status == BatchStatus.DONE
    stored = stored_events(analyst).set_index("event_id")
    # Takapuna, about 1,757,900 E 5,927,000 N in NZTM2000.
    assert abs(stored.loc["P1", "x"] - 1_757_900) < 2_000 and abs(stored.loc["P1", "y"] - 5_927_000) < 2_000


def test_reimporting_the_same_file_or_the_same_events_adds_nothing(source, analyst, write):
    path = write("good.csv", csv_text(*GOOD_ROWS))
    first = events_import(user=analyst, source=source, path=path)
    again = events_import(user=analyst, source=source, path=path)
    assert first.status == BatchStatus.DONE and again.status == BatchStatus.ALREADY
    assert "imported before" in again.message and again.rows_imported == 0
    overlapping = events_import(user=analyst, source=source, path=write("more.csv", csv_text(*GOOD_ROWS, "E4,2024-05-01,0211,Rodney,,,,")))
    assert overlapping.status == BatchStatus.DONE
    assert overlapping.rows_imported == 1 and overlapping.rows_already_stored == 3
    assert stored_events(analyst)["event_id"].tolist() == ["E1", "E2", "E3", "E4"]
    assert len(persons_frame(user=analyst, purpose="checking duplicates")) == 4


def test_a_partial_import_keeps_the_valid_rows_and_the_rejected_ones_with_their_reasons(source, analyst, write):
    rows = [*GOOD_ROWS, "E9,2024-13-01,0211,North Shore,,,PRN-SECRET-77,", "E10,2024-03-02,777,Rodney,,,,"]
    refused = events_import(user=analyst, source=source, path=write("mixed.csv", csv_text(*rows)))
    assert refused.status == BatchStatus.REJECTED and refused.rows_rejected == 2 and stored_events(analyst).empty
    batch = events_import(user=analyst, source=source, path=write("mixed.csv", csv_text(*rows)), partial=True)
    assert batch.status == BatchStatus.DONE and batch.rows_imported == 3 and batch.rows_rejected == 2
    assert stored_events(analyst)["event_id"].tolist() == ["E1", "E2", "E3"]
    rejects = list(csv.DictReader(io.StringIO(store.absolute(batch.rejects_file).read_text(encoding="utf-8"))))
    assert [(r["row"], r["Occurrence ID"]) for r in rejects] == [("5", "E9"), ("6", "E10")]
    assert "Date: '2024-13-01' is not a real date" in rejects[0]["reason"]
    assert "Offence: unknown offence code '777'" in rejects[1]["reason"]
    assert rejects[0]["Victim ID"] == "(withheld)"  # an identifier never leaves the import, even in the rejects
    assert "PRN-SECRET-77" not in store.absolute(batch.rejects_file).read_text()


def test_a_mapping_must_be_complete_before_it_is_saved(event_store, analyst):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        source_save(user=analyst, mapping={"name": "bad", "event_id": "id", "offence_code": "code", "x": "x", "unit": "u"})
    text = " ".join(refused.value.messages)
    assert "map the event date" in text
    with pytest.raises(ValidationError) as half:
        source_save(user=analyst, mapping={"name": "bad", "event_id": "id", "date": "d", "offence_code": "code", "x": "x", "unit": "u"})
    assert "map both x and y" in " ".join(half.value.messages)


def test_a_mapping_reads_from_yaml_with_located_errors():
    from rocc.events.mapping import MappingInvalid, mapping_from_yaml

    mapping = mapping_from_yaml("event_id: ID\ndate: When\noffence_code: ANZSOC\nunit: District\n", default_name="nz-extract")
    assert mapping.name == "nz-extract" and mapping.required_columns() == ["ID", "When", "ANZSOC", "District"]
    with pytest.raises(MappingInvalid) as bad:
        mapping_from_yaml("event_id: ID\n  date: [\n", source="m.yaml")
    assert bad.value.problems[0].startswith("m.yaml: line ")
    with pytest.raises(MappingInvalid) as unknown:
        mapping_from_yaml("name: x\nevent_id: ID\ndate: D\noffence_code: O\nunit: U\nplace: P\n", source="m.yaml")
    assert unknown.value.problems == ["m.yaml: place: Extra inputs are not permitted"]
