"""The web shell through Django's test client: sign-in security, home pages per role, organisation pages."""

import re

import pytest
from django.conf import settings

from rocc.conftest import PASSWORD

ROLES = ["administrator", "programme_manager", "regional_coordinator", "analyst", "provider_reporter", "tc_member", "viewer"]
HOME_HEADINGS = {
    "administrator": "Administration",
    "programme_manager": "National programme",
    "regional_coordinator": "Your region",
    "analyst": "Analysis",
    "provider_reporter": "Reporting for Ministry of Social Development",
    "tc_member": "Tasking &amp; Coordination",
    "viewer": "Welcome",
}


def _login(client, user):
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_its_own_home_page_and_the_organisation_pages(client, make_user, role):
    user = make_user(role, agency="MSD" if role == "provider_reporter" else None)
    _login(client, user)
    home = client.get("/")
    assert home.status_code == 200
    assert f"<h1>{HOME_HEADINGS[role]}" in home.content.decode()
    for url in [
        "/org/",
        "/org/agencies/",
        "/org/agencies/Kāinga Ora/",
        "/org/units/",
        "/org/units/waitemata/",
        "/org/structure/",
        "/org/structure/nocg/",
        "/audit/",
    ]:
        assert client.get(url).status_code == 200, url


def test_anonymous_visitors_see_only_the_public_page_and_sign_in(client, defaults):
    assert client.get("/").status_code == 200
    for url in ["/org/", "/org/units/", "/audit/", "/audit/verify/", "/org/people/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


def test_only_administrators_verify_the_audit_trail_and_list_every_entry(client, make_user):
    _login(client, make_user("analyst"))
    assert client.get("/audit/verify/").status_code == 403
    admin_client = client.__class__()
    _login(admin_client, make_user("administrator"))
    page = admin_client.get("/audit/verify/").content.decode()
    assert "Intact" in page


def test_a_regional_coordinator_sees_the_people_in_their_scope_only(client, make_user):
    coordinator = make_user("regional_coordinator", units=["waitemata"])
    near = make_user("viewer", units=["north-shore"], username="near-viewer")
    far = make_user("viewer", units=["canterbury"], username="far-viewer")
    _login(client, coordinator)
    page = client.get("/org/people/").content.decode()
    assert near.username in page and far.username not in page


def test_unit_search_matches_with_or_without_macrons(client, make_user):
    _login(client, make_user("viewer"))
    for query in ["waitemata", "Waitematā", "TAUPO", "kapiti"]:
        page = client.get("/org/units/", {"q": query}).content.decode()
        assert re.search(r"Waitematā|Taupō|Kāpiti-Mana", page), query
    assert "Kāinga Ora" in client.get("/org/agencies/", {"q": "kainga"}).content.decode()


def test_approximate_populations_are_labelled_wherever_shown(client, make_user):
    _login(client, make_user("regional_coordinator", units=["waitemata"]))
    for url in ["/", "/org/units/", "/org/units/waitemata/"]:
        page = client.get(url).content.decode()
        assert "575550" in page.replace(",", "") and "approx." in page, url


def test_repeated_failed_sign_ins_lock_the_account(client, make_user):
    user = make_user("viewer")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": user.username, "password": "not-the-password"})
    locked = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_session_and_csrf_cookies_are_secure_http_only_and_same_site(client, make_user):
    response = client.post("/accounts/login/", {"username": make_user("viewer").username, "password": PASSWORD})
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    page = client.get("/org/")
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert page.headers["X-Frame-Options"] == "DENY"


def test_weak_passwords_are_refused_by_the_validators(client, make_user):
    user = make_user("viewer")
    _login(client, user)
    response = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "rocc12345", "new_password2": "rocc12345"})
    assert response.status_code == 200
    assert "too short" in response.content.decode()


def test_pages_use_only_assets_served_by_rocc(client, make_user):
    _login(client, make_user("programme_manager"))
    page = client.get("/").content.decode()
    for url in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert not url.startswith(("http://", "https://", "//")), url


def test_administrators_edit_reference_data_in_the_admin_without_being_superusers(client, make_user):
    from rocc.audit.models import AuditEntry
    from rocc.org.models import Agency

    admin = make_user("administrator")
    assert not admin.is_superuser and admin.is_staff
    _login(client, admin)
    index = client.get("/admin/").content.decode()
    assert "Agencies" in index and "Organisational units" in index and "National groups" in index
    swa = Agency.objects.get(short_name="SWA")
    form = client.get(f"/admin/org/agency/{swa.pk}/change/")
    assert form.status_code == 200
    response = client.post(
        f"/admin/org/agency/{swa.pk}/change/",
        {
            "short_name": "SWA",
            "name": swa.name,
            "kind": "government",
            "aliases": "[]",
            "description": "Hosts the Sector Insights Coordination Group.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Agency.objects.get(pk=swa.pk).description == "Hosts the Sector Insights Coordination Group."
    change = AuditEntry.objects.filter(kind="change", object_type="org.agency", object_id=str(swa.pk)).first()
    assert change.actor == admin
    entry = AuditEntry.objects.first()
    assert client.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_other_roles_cannot_enter_the_admin(client, make_user):
    _login(client, make_user("analyst"))
    assert client.get("/admin/").status_code == 302


def test_the_api_accepts_the_signed_in_session(client, make_user):
    user = make_user("regional_coordinator", units=["waikato"])
    _login(client, user)
    me = client.get("/api/org/me").json()
    assert me["role"] == "regional_coordinator" and me["units"] == ["waikato"]
