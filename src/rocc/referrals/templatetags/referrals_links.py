"""The referrals panel other pages include (a Victim Focus result, a PANDA case's Deploy stage, a tasking): a button
to raise a referral from that record, and the referrals raised from it that the user may see (no identifying details)."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import reverse

from rocc.referrals.selectors import barrier_evidence_for, referrals_from_source

register = template.Library()


@register.inclusion_tag("referrals/_panel.html", takes_context=True)
def referrals_panel(context, source: str, source_id="", person_key: str = "", label: str = "Refer to a service"):

    user = context["request"].user
    may_refer = user.has_perm("referrals.refer")
    params = {"source": source}
    if source_id:
        params["source_id"] = str(source_id)
    if person_key:
        params["person_key"] = person_key
    rows = referrals_from_source(user=user, source=source, source_id=str(source_id)) if source_id else []
    return {"may_refer": may_refer, "url": f"{reverse('referrals:new')}?{urlencode(params)}", "rows": rows, "label": label}


@register.inclusion_tag("referrals/_barrier_evidence.html", takes_context=True)
def barrier_evidence_panel(context, barrier):

    user = context["request"].user
    return {"items": barrier_evidence_for(user=user, barrier=barrier), "may_attach": user.has_perm("referrals.view_capacity_evidence")}
