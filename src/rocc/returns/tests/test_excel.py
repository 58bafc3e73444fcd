"""The data set's Excel template: stamped and protected when downloaded, read back on upload, and refused cell by cell
(with nothing saved) when a figure is a letter or negative, the period is outside the data set, or the template is
another data set's or an old version."""

import io

import pytest
from openpyxl import load_workbook

from rocc.org.models import OrgUnit
from rocc.returns.models import DataSet, ProviderReturn, ReturnEvent, ReturnValue
from rocc.returns.services import (
    ReturnInputInvalid,
    ReturnStateError,
    data_set_indicator_add,
    return_template,
    return_upload,
)
from rocc.returns.tests.fixtures import *  # noqa: F403
from rocc.returns.tests.fixtures import REFERRAL_CODES


def _template(data_set, provider, unit_code="waitemata") -> bytes:
    return return_template(data_set=data_set, provider=provider, unit=OrgUnit.objects.get(code=unit_code))


def _filled(content: bytes, cells: dict) -> bytes:
    book = load_workbook(io.BytesIO(content))
    for ref, value in cells.items():
        book["Return"][ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _nothing_saved():
    assert ProviderReturn.objects.count() == 0 and ReturnValue.objects.count() == 0 and ReturnEvent.objects.count() == 0


def test_the_template_is_stamped_with_the_data_set_and_version_and_only_the_cells_to_fill_are_unlocked(data_set, providers):
    book = load_workbook(io.BytesIO(_template(data_set, providers["ngo"])))
    assert book.sheetnames == ["Return", "rocc"]
    stamp = book["rocc"]
    assert stamp.sheet_state == "veryHidden" and stamp.protection.sheet
    assert (stamp["B1"].value, stamp["B2"].value, stamp["B3"].value) == ("rocc provider return template", "whanau-services-returns", 1)
    sheet = book["Return"]
    assert sheet.protection.sheet
    assert (sheet["C4"].value, sheet["C5"].value, sheet["C6"].value) == ("Te Whare Āwhina", "Waitematā", None)
    assert [sheet[f"A{row}"].value for row in (9, 10, 11)] == REFERRAL_CODES
    assert sheet["B9"].value == "Whānau referred to or assessed for support and navigation"
    assert sheet["C4"].protection.locked and sheet["A9"].protection.locked and sheet["B9"].protection.locked
    assert not sheet["C6"].protection.locked and not any(sheet[f"C{row}"].protection.locked for row in (9, 10, 11))


def test_a_filled_template_uploads_into_a_draft_return(data_set, providers, people):
    content = _filled(_template(data_set, providers["ngo"]), {"C6": "2025-03", "C9": 12, "C10": "7", "C11": 0})
    result = return_upload(user=people["ngo"], data_set=data_set, content=content, file_name="march.xlsx")
    ret = result.provider_return
    assert result.created and result.figures == 3
    assert (ret.provider.short_name, ret.unit.code, ret.period_key, ret.status) == ("Te Whare Āwhina", "waitemata", "2025-03", "draft")
    assert {v.indicator.code: v.value for v in ret.values.all()} == dict(zip(REFERRAL_CODES, (12, 7, 0)))
    assert ret.events.last().action == "uploaded" and ret.events.last().comment == "march.xlsx"
    # Uploading a corrected file replaces the figures of the same draft.
    again = return_upload(user=people["ngo"], data_set=data_set, content=_filled(content, {"C10": 8}), file_name="march-v2.xlsx")
    assert not again.created and again.provider_return.pk == ret.pk and ret.values.get(indicator__code=REFERRAL_CODES[1]).value == 8


def test_a_return_downloaded_as_a_template_round_trips(open_return, people, data_set):
    from rocc.returns.services import return_values_save

    ret = open_return("2025-03")
    ret = return_values_save(user=people["ngo"], provider_return=ret, version=ret.version, values={REFERRAL_CODES[0]: 4})
    sheet = load_workbook(io.BytesIO(return_template(data_set=data_set, provider_return=ret)))["Return"]
    assert (sheet["C6"].value, sheet["C9"].value, sheet["C10"].value) == ("2025-03", 4, None)
    assert sheet["C6"].protection.locked  # the period of a return's own template is fixed


def test_a_letter_a_negative_count_and_a_period_outside_the_data_set_are_each_reported_by_cell_and_nothing_is_saved(data_set, providers, people):
    content = _filled(_template(data_set, providers["ngo"]), {"C6": "2019-05", "C9": "twelve", "C10": -3, "C11": 2.5})
    with pytest.raises(ReturnInputInvalid) as refused:
        return_upload(user=people["ngo"], data_set=data_set, content=content)
    messages = [str(p) for p in refused.value.problems]
    assert messages == [
        "Return!C6: May 2019 is outside this data set: its first period is Jul 2024.",
        "Return!C9: Whānau referred to or assessed for support and navigation: 'twelve' is not a number; enter a whole number such as 12 (0 when there were none).",
        "Return!C10: People referred to or assessed for counselling: -3 is negative; a count cannot be below 0.",
        "Return!C11: Referrals or assessments through community hubs: 2.5 is not a whole number; a count is a whole number such as 12.",
    ]
    assert [p.to_dict()["cell"] for p in refused.value.problems] == ["C6", "C9", "C10", "C11"]
    _nothing_saved()


@pytest.mark.parametrize(
    "period, message",
    [
        ("2025-Q1", "'2025-Q1' is not a month; this data set is reported by month, written like 2025-03."),
        ("March", "'March' is not a month; this data set is reported by month, written like 2025-03."),
        ("2099-01", "Jan 2099 has not ended yet; its return can be made from 1 Feb 2099."),
        (None, "Enter the period: a month such as 2025-03."),
    ],
)
def test_a_period_that_is_not_one_of_the_data_sets_is_refused_at_its_cell(data_set, providers, people, period, message):
    content = _filled(_template(data_set, providers["ngo"]), {"C6": period, "C9": 1, "C10": 1, "C11": 1})
    with pytest.raises(ReturnInputInvalid) as refused:
        return_upload(user=people["ngo"], data_set=data_set, content=content)
    assert [str(p) for p in refused.value.problems] == [f"Return!C6: {message}"]
    _nothing_saved()


def test_a_template_of_another_data_set_is_refused_naming_it(data_set, providers, people):
    import datetime as dt

    other = DataSet.objects.create(code="counselling-hours", name="Counselling hours", first_period_start=dt.date(2024, 7, 1))
    content = _filled(_template(other, providers["ngo"]), {"C6": "2025-03"})
    with pytest.raises(ReturnInputInvalid, match="This template is for the data set “Counselling hours”, not “Whānau services: referrals and assessments”"):
        return_upload(user=people["ngo"], data_set=data_set, content=content)
    _nothing_saved()


def test_a_template_from_before_the_data_set_changed_is_refused_as_an_old_version(data_set, providers, people, referral_indicators):
    from rocc.returns.tests.fixtures import _indicator

    old = _filled(_template(data_set, providers["ngo"]), {"C6": "2025-03", "C9": 1, "C10": 1, "C11": 1})
    data_set_indicator_add(user=people["manager"], data_set=data_set, indicator=_indicator("mf-job-seekers", "Number of job seekers"))
    with pytest.raises(ReturnInputInvalid, match="This template is version 1 of .*; the current version is 2"):
        return_upload(user=people["ngo"], data_set=data_set, content=old)
    _nothing_saved()


def test_a_file_that_is_not_a_template_is_refused(data_set, people):
    with pytest.raises(ReturnInputInvalid, match="returns.csv is not an Excel workbook"):
        return_upload(user=people["ngo"], data_set=data_set, content=b"period,referrals\n2025-03,12\n", file_name="returns.csv")
    from openpyxl import Workbook

    plain = io.BytesIO()
    Workbook().save(plain)
    with pytest.raises(ReturnInputInvalid, match="is not a rocc return template"):
        return_upload(user=people["ngo"], data_set=data_set, content=plain.getvalue())
    _nothing_saved()


def test_a_provider_cannot_upload_another_providers_template(data_set, providers, people):
    content = _filled(_template(data_set, providers["pho"], "canterbury"), {"C6": "2025-03", "C9": 1, "C10": 1, "C11": 1})
    with pytest.raises(ReturnInputInvalid) as refused:
        return_upload(user=people["ngo"], data_set=data_set, content=content)
    assert [str(p) for p in refused.value.problems] == ["Return!C4: You do not report for Waitaha PHO."]
    _nothing_saved()


def test_an_approved_return_is_not_changed_by_uploading_its_period_again(data_set, providers, people, approved_history):
    approved_history({"2025-03": (1, 2, 3)})
    content = _filled(_template(data_set, providers["ngo"]), {"C6": "2025-03", "C9": 9, "C10": 9, "C11": 9})
    with pytest.raises(ReturnStateError, match="Mar 2025 is approved"):
        return_upload(user=people["ngo"], data_set=data_set, content=content)
    assert sorted(ReturnValue.objects.values_list("value", flat=True)) == [1, 2, 3]
