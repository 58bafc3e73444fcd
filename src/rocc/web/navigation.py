"""The navigation: one entry per installed capability, shown to the users whose role may use it."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    permission: str | None  # None: every signed-in user with a role
    section: str  # the first path segment it owns, to mark the current page


NAVIGATION: list[NavEntry] = [
    NavEntry("Home", "home", None, ""),
    NavEntry("Organisation", "org:overview", "org.view_reference", "org"),
    NavEntry("People", "org:users", "org.view_user_list", "people"),
    NavEntry("Audit trail", "audit:entries", "audit.view_own_entries", "audit"),
    NavEntry("Strategy", "strategy:overview", "org.view_reference", "strategy"),
    NavEntry("Measures", "measures:overview", "org.view_reference", "measures"),
    NavEntry("Events", "events:overview", "events.view_events", "events"),
    NavEntry("Analyses", "analyses:overview", "analyses.view_analyses", "analyses"),
    NavEntry("Problem solving", "problems:overview", "org.view_reference", "problems"),
    NavEntry("Tasking & Coordination", "tasking:overview", "tasking.view_tasking", "tasking"),
    NavEntry("Public releases", "releases:manage", "releases.view_manage", "public"),
    NavEntry("Publishing consent", "releases:consent", "releases.use_consent", "public"),
    NavEntry("Referrals", "referrals:overview", "referrals.view_directory", "referrals"),
    NavEntry("Governance packs", "governance:packs", "governance.view_packs", "governance"),
]


def entries_for(user, path: str) -> list[dict]:
    if not getattr(user, "is_authenticated", False):
        return []
    section = path.strip("/").split("/")[0]
    visible = []
    for entry in NAVIGATION:
        if entry.permission and not user.has_perm(entry.permission):
            continue
        if entry.permission is None and not user.has_perm("org.view_reference"):
            continue
        visible.append({"label": entry.label, "url": reverse(entry.url_name), "current": entry.section == section})
    return visible
