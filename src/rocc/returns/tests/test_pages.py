"""The provider-reporting pages: a provider fills, checks and submits on the web form or uploads the template, sees
only its own returns, and an approver reviews; bad figures are refused field by field with nothing saved."""

import csv
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from rocc.returns.models import ProviderReturn, ReturnStatus, ReturnValue
from rocc.returns.tests.fixtures import *  # noqa: F403
from rocc.returns.tests.fixtures import REFERRAL_CODES

WHANAU, COUNSELLING, HUBS = REFERRAL_CODES


def _figures(version, values, action="save", note=""):
    data = {"version": version, "note": note, "action": action}
    data.update({f"figure_{code}": value for code, value in zip(REFERRAL_CODES, values)})
    return data


def test_a_provider_opens_fills_and_submits_a_return_on_the_web_form(client, people, data_set):
    client.force_login(people["ngo"])
    page = client.get(reverse("returns:data_set", args=[data_set.code]))
    assert page.status_code == 200 and "Fill a return on the web form" in page.content.decode()
    assignment = data_set.providers.get(agency__short_name="Te Whare Āwhina")
    opened = client.post(reverse("returns:start", args=[data_set.code]), {"assignment": assignment.pk, "period": "2025-03"})
    ret = ProviderReturn.objects.get()
    assert opened.status_code == 302 and opened["Location"] == reverse("returns:detail", args=[ret.pk])

    saved = client.post(opened["Location"], _figures(ret.version, ["12", "7", "0"], note="Includes Ōrewa"))
    assert saved.status_code == 302
    ret.refresh_from_db()
    assert {v.indicator.code: v.value for v in ret.values.all()} == dict(zip(REFERRAL_CODES, (12, 7, 0))) and ret.note == "Includes Ōrewa"
    submitted = client.post(opened["Location"], _figures(ret.version, ["12", "7", "0"], action="submit", note="Includes Ōrewa"))
    assert submitted.status_code == 302
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.SUBMITTED
    page = client.get(opened["Location"]).content.decode()
    assert "Submitted" in page and "Submit for approval" not in page  # read only once submitted


def test_a_letter_or_a_negative_on_the_web_form_is_refused_by_field_and_nothing_is_saved(client, people, open_return):
    ret = open_return("2025-03")
    client.force_login(people["ngo"])
    response = client.post(reverse("returns:detail", args=[ret.pk]), _figures(ret.version, ["twelve", "-3", "4"]))
    assert response.status_code == 400
    body = response.content.decode()
    assert "&#x27;twelve&#x27; is not a number; enter a whole number such as 12" in body
    assert "-3 is negative; a count cannot be below 0." in body and "Nothing was saved." in body
    assert 'aria-invalid="true"' in body
    assert ReturnValue.objects.count() == 0 and ProviderReturn.objects.get().version == ret.version


def test_check_figures_shows_the_flags_before_saving_anything(client, people, open_return):
    ret = open_return("2025-03")
    client.force_login(people["ngo"])
    response = client.post(reverse("returns:detail", args=[ret.pk]), _figures(ret.version, ["600000", "1", ""], action="check"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "600,000 is more than the population of Waitematā (575,550, approximate)" in body
    assert "Enter a figure (0 when there were none)." in body
    assert ReturnValue.objects.count() == 0


def test_a_refused_submission_keeps_the_draft_and_says_why(client, people, open_return):
    ret = open_return("2025-03")
    client.force_login(people["ngo"])
    response = client.post(reverse("returns:detail", args=[ret.pk]), _figures(ret.version, ["5", "", "1"], action="submit"))
    assert response.status_code == 400
    assert "The return was not submitted." in response.content.decode()
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.DRAFT and ret.values.get(indicator__code=WHANAU).value == 5


def test_another_agencys_provider_gets_404_for_a_return_and_its_template(client, people, open_return, make_user):
    ret = open_return("2025-03")
    client.force_login(people["pho"])
    for name in ("returns:detail", "returns:return_template", "returns:review"):
        assert client.get(reverse(name, args=[ret.pk])).status_code in (404, 405)
    assert client.post(reverse("returns:detail", args=[ret.pk]), _figures(ret.version, ["1", "1", "1"])).status_code == 404
    assert client.post(reverse("returns:review", args=[ret.pk]), {"version": ret.version, "action": "approve"}).status_code == 404
    listing = client.get(reverse("returns:list")).content.decode()
    assert "Te Whare Āwhina" not in listing
    # A coordinator of another region does not see it either; analysts and viewers have no returns pages.
    client.force_login(people["canterbury_coordinator"])
    assert client.get(reverse("returns:detail", args=[ret.pk])).status_code == 404
    client.force_login(make_user("analyst", units=["waitemata"]))
    assert client.get(reverse("returns:list")).status_code == 403


def test_an_approver_returns_it_with_a_comment_and_then_approves_the_fixed_return(client, people, open_return):
    from rocc.returns.services import return_submit, return_values_save

    ret = open_return("2025-03")
    ret = return_values_save(user=people["ngo"], provider_return=ret, version=ret.version, values=dict(zip(REFERRAL_CODES, (12, 7, 0))))
    ret = return_submit(user=people["ngo"], provider_return=ret, version=ret.version)
    client.force_login(people["waitemata_coordinator"])
    listing = client.get(reverse("returns:list")).content.decode()
    assert "Awaiting your approval" in listing and reverse("returns:detail", args=[ret.pk]) in listing
    url = reverse("returns:review", args=[ret.pk])
    refused = client.post(url, {"version": ret.version, "action": "send_back", "comment": ""})
    assert refused.status_code == 400 and "the comment is required" in refused.content.decode()
    client.post(url, {"version": ret.version, "action": "send_back", "comment": "Hubs cannot be 0: the Massey hub opened in March."})
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.RETURNED

    client.force_login(people["ngo"])
    page = client.get(reverse("returns:detail", args=[ret.pk])).content.decode()
    assert "Returned for revision" in page and "the Massey hub opened in March." in page
    client.post(reverse("returns:detail", args=[ret.pk]), _figures(ret.version, ["12", "7", "3"], action="submit"))
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.SUBMITTED

    client.force_login(people["waitemata_coordinator"])
    stale = client.post(url, {"version": ret.version - 1, "action": "approve"})
    assert stale.status_code == 409 and "changed since you opened it" in stale.content.decode()
    client.post(url, {"version": ret.version, "action": "approve"})
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.APPROVED


def test_the_upload_page_lists_every_bad_cell_and_saves_nothing(client, people, data_set):
    from rocc.returns.services import return_template

    client.force_login(people["ngo"])
    template = client.get(reverse("returns:template", args=[data_set.code]))
    assert template.status_code == 200 and template["Content-Disposition"].endswith('whanau-services-returns-template-v1.xlsx"')
    book = load_workbook(io.BytesIO(template.content))
    assert book["Return"]["C4"].value == "Te Whare Āwhina" and book["Return"]["C5"].value == "Waitematā"
    book["Return"]["C6"], book["Return"]["C9"], book["Return"]["C10"], book["Return"]["C11"] = "2025-03", "abc", -1, 4
    filled = io.BytesIO()
    book.save(filled)
    filled.seek(0)
    filled.name = "march.xlsx"
    response = client.post(reverse("returns:upload", args=[data_set.code]), {"file": filled})
    body = response.content.decode()
    assert response.status_code == 400 and "The file was not accepted, and nothing was saved" in body
    assert "Return!C9: Whānau referred to or assessed for support and navigation: &#x27;abc&#x27; is not a number" in body
    assert "Return!C10: People referred to or assessed for counselling: -1 is negative" in body
    assert ProviderReturn.objects.count() == 0
    assert return_template  # the same service serves the page


def test_a_good_upload_opens_the_draft_for_checking(client, people, data_set):
    client.force_login(people["ngo"])
    book = load_workbook(io.BytesIO(client.get(reverse("returns:template", args=[data_set.code])).content))
    book["Return"]["C6"], book["Return"]["C9"], book["Return"]["C10"], book["Return"]["C11"] = "2025-03", 12, 7, 0
    filled = io.BytesIO()
    book.save(filled)
    filled.seek(0)
    filled.name = "march.xlsx"
    response = client.post(reverse("returns:upload", args=[data_set.code]), {"file": filled}, follow=True)
    assert response.status_code == 200 and "3 figures uploaded into the Mar 2025 return" in response.content.decode()


def test_timeliness_page_for_programme_managers_and_not_for_providers(client, people, data_set):
    client.force_login(people["manager"])
    page = client.get(reverse("returns:performance", args=[data_set.code]))
    assert page.status_code == 200 and "Te Whare Āwhina" in page.content.decode() and "Waitaha PHO" in page.content.decode()
    client.force_login(people["ngo"])
    assert client.get(reverse("returns:performance", args=[data_set.code])).status_code == 403


def test_a_programme_manager_names_a_provider_on_the_data_set_page(client, people, data_set):
    from rocc.org.models import Agency, OrgUnit

    client.force_login(people["manager"])
    iwi = Agency.objects.create(short_name="Ngāti Whātua Hauora", name="Ngāti Whātua Hauora", kind="iwi")
    response = client.post(
        reverse("returns:provider_add", args=[data_set.code]), {"agency": iwi.pk, "unit": OrgUnit.objects.get(code="north-shore").pk}, follow=True
    )
    assert "Ngāti Whātua Hauora now reports" in response.content.decode()
    assert data_set.providers.filter(agency=iwi, unit__code="north-shore").exists()
    client.force_login(people["ngo"])
    assert client.post(reverse("returns:provider_add", args=[data_set.code]), {"agency": iwi.pk, "unit": 1}).status_code in (400, 403)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_returns_export_has_only_the_users_own_returns(client, people, approved_history, fmt):
    approved_history({"2025-01": (1, 2, 3)})
    approved_history({"2025-01": (4, 5, 6)}, who="pho")
    client.force_login(people["ngo"])
    response = client.get(reverse("returns:export", args=["whanau-services-returns", fmt]))
    assert response.status_code == 200
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    else:
        rows = [[("" if c is None else str(c)) for c in row] for row in load_workbook(io.BytesIO(response.content))["Returns"].iter_rows(values_only=True)]
    assert rows[0][:4] == ["data_set", "provider", "unit", "period"] and rows[0][-3:] == REFERRAL_CODES
    assert [r[1] for r in rows[1:]] == ["Te Whare Āwhina"] and rows[1][-3:] == ["1", "2", "3"] and rows[1][6] == "approved"


STEADY = {"2024-10": (10, 4, 2), "2024-11": (12, 5, 2), "2024-12": (11, 4, 3), "2025-01": (13, 6, 2), "2025-02": (12, 5, 2)}


def test_a_first_return_never_reads_as_all_checks_passed(client, people, open_return):
    ret = open_return("2025-03")
    client.force_login(people["ngo"])
    body = client.post(reverse("returns:detail", args=[ret.pk]), _figures(ret.version, ["12", "7", "0"], action="check")).content.decode()
    assert "checks ran and passed" not in body and "All checks pass" not in body
    assert "0 problems, 0 warnings, 6 could not run" in body and "Checks that could not run" in body
    assert "Could not run: no submitted or approved figure for Feb 2025 to compare with." in body
    assert "Not above the population of Waitematā (575,550, approximate)." in body  # what it was compared with


def test_the_web_form_refuses_a_submission_with_new_warnings_then_takes_it_with_a_note(client, people, open_return, approved_history):
    approved_history(STEADY)
    ret = open_return("2025-03")
    client.force_login(people["ngo"])
    url = reverse("returns:detail", args=[ret.pk])
    refused = client.post(url, _figures(ret.version, ["60", "5", "2"], action="submit"))
    body = refused.content.decode()
    assert refused.status_code == 400 and "The return was not submitted: its figures raise 2 warnings to check first." in body
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.DRAFT and ret.values.get(indicator__code=WHANAU).value == 60  # the draft is kept
    keys = sorted(set(re.findall(r'name="warnings_seen" value="([0-9a-f]+)"', body)))
    assert len(keys) == 2
    data = _figures(ret.version, ["60", "5", "2"], action="submit", note="Two new hubs opened in March.")
    data["warnings_seen"] = keys
    assert client.post(url, data).status_code == 302
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.SUBMITTED and len(ret.events.get(action="submitted").warnings_shown) == 2


def _submit_confirmed(people, ret, values, note):
    from rocc.returns.selectors import return_flags
    from rocc.returns.services import return_submit, return_values_save

    ret = return_values_save(user=people["ngo"], provider_return=ret, version=ret.version, values=dict(zip(REFERRAL_CODES, values)))
    keys = [f.key for f in return_flags(ret) if f.severity == "warning"]
    return return_submit(user=people["ngo"], provider_return=ret, version=ret.version, note=note, warnings_seen=keys)


def test_the_approvers_page_says_warnings_were_shown_only_when_they_were(client, people, open_return, approved_history):
    # March was submitted before February's figures existed: no warning then, so none was shown.
    march = _submit_confirmed(people, open_return("2025-03"), (40, 5, 2), "")
    approved_history({"2025-02": (10, 5, 2)})
    # April was submitted with its warning shown and explained.
    april = _submit_confirmed(people, open_return("2025-04"), (130, 5, 2), "A school holiday programme.")
    client.force_login(people["waitemata_coordinator"])
    april_page = client.get(reverse("returns:detail", args=[april.pk])).content.decode()
    assert "1 warning was shown to the provider before submission, who confirmed the figures with a note: “A school holiday programme.”" in april_page
    march_page = client.get(reverse("returns:detail", args=[march.pk])).content.decode()
    assert "Changed from 10 in Feb 2025 to 40" in march_page
    assert "shown to the provider before submission" not in march_page
    assert "There is no record that the provider was shown these warnings" in march_page


def test_the_approvers_queue_lists_each_returns_flags(client, people, open_return, approved_history):
    approved_history({"2025-02": (10, 5, 2)})
    flagged = _submit_confirmed(people, open_return("2025-03"), (40, 5, 2), "A new hub.")
    client.force_login(people["waitemata_coordinator"])
    listing = client.get(reverse("returns:list")).content.decode()
    queue = listing[listing.index("Awaiting your approval") : listing.index('id="returns-heading"')]
    assert reverse("returns:detail", args=[flagged.pk]) in queue
    assert "1 warning; 3 checks could not run" in queue and "(1 shown to the provider, with a note)" in queue
    assert "Changed from 10 in Feb 2025 to 40 (×4.00)" in queue
    assert "Could not run: 1 earlier return of this provider for Waitematā; 5 are needed." in queue


def test_the_returns_export_counts_checks_that_could_not_run_apart_from_passes(client, people, open_return):
    from rocc.returns.services import return_values_save

    ret = open_return("2025-03")
    return_values_save(user=people["ngo"], provider_return=ret, version=ret.version, values=dict(zip(REFERRAL_CODES, (12, 7, 0))))
    client.force_login(people["ngo"])
    rows = list(csv.reader(io.StringIO(client.get(reverse("returns:export", args=["whanau-services-returns", "csv"])).content.decode("utf-8-sig"))))
    row = dict(zip(rows[0], rows[1]))
    assert (row["checks"], row["checks_not_run"], row["warnings_shown_to_provider"]) == ("6 checks could not run", "6", "0")


def test_the_programme_office_sets_a_figures_ceiling_on_the_data_sets_page(client, people, data_set):
    item = data_set.items.get(indicator__code=WHANAU)
    url = reverse("returns:figure_checks", args=[data_set.code, item.pk])
    prefix = f"item{item.pk}-"
    client.force_login(people["manager"])
    page = client.get(reverse("returns:data_set", args=[data_set.code])).content.decode()
    assert "Change a figure's checks" in page and "Not above the ceiling of 10000 for one period" in page
    refused = client.post(url, {prefix + "check_population": "on", prefix + "max_change_ratio": "0.5", prefix + "plausible_max": "0"})
    assert refused.status_code == 400 and "The ceiling is a whole number of 1 or more" in refused.content.decode()
    item.refresh_from_db()
    assert item.plausible_max == 10000 and item.max_change_ratio == 3
    saved = client.post(url, {prefix + "check_population": "on", prefix + "max_change_ratio": "4", prefix + "plausible_max": "2500"})
    assert saved.status_code == 302
    item.refresh_from_db()
    assert (item.check_population, item.max_change_ratio, item.plausible_max) == (True, 4, 2500)
    client.force_login(people["ngo"])
    assert client.post(url, {prefix + "plausible_max": "99999999"}).status_code == 403
    item.refresh_from_db()
    assert item.plausible_max == 2500 and "Change a figure" not in client.get(reverse("returns:data_set", args=[data_set.code])).content.decode()
