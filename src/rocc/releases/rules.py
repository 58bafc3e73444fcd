"""Who prepares, previews, schedules and corrects releases, and who decides on publishing a provider's figures.

The programme office (programme managers, and administrators) prepares releases; a regional coordinator publishes
their district's own indicators (those whose owner is the district) in a draft release and previews it. Only a provider's own reporter gives or withdraws the
consent to publish its figures (authority over the data rests with its owner, so no other role decides for them).
Anonymous visitors read live releases only, through the public selectors, which need no permission.
"""

from __future__ import annotations

import rules

from rocc.org.rules import agency_is_users, is_administrator, is_programme_manager, is_provider_reporter, is_regional_coordinator, unit_in_scope
from rocc.releases.models import RELEASE_MOVES, release_stage

national_office = is_administrator | is_programme_manager


def _stage_allows(move: str):
    @rules.predicate(name=f"release_stage_allows_{move}")
    def predicate(user, release) -> bool:
        return release is not None and release_stage(release) in RELEASE_MOVES[move]

    return predicate


@rules.predicate
def release_is_draft(user, obj) -> bool:
    release = getattr(obj, "release", obj)
    return release is not None and release_stage(release) in RELEASE_MOVES["edit"]


# The release pages at all (the list, the calendar of what is planned, previews).
rules.add_perm("releases.view_manage", national_office | is_regional_coordinator)
rules.add_perm("releases.preview_release", national_office | is_regional_coordinator)
rules.add_perm("releases.create_release", national_office)
for _move in RELEASE_MOVES:
    rules.add_perm(f"releases.{_move}_release", national_office & _stage_allows(_move))


@rules.predicate
def indicator_is_districts_own(user, choice) -> bool:
    """The indicator of a district choice (a DistrictIndicator, saved or not) is that district's own."""
    indicator = getattr(choice, "indicator", None)
    return indicator is not None and indicator.owner_unit_id is not None and indicator.owner_unit_id == choice.unit_id


# Districts' own indicators. Whether someone chooses indicators for a district at all (the object is the district):
rules.add_perm("releases.choose_district_indicator", national_office | (is_regional_coordinator & unit_in_scope))
# Whether they publish this indicator for this district (the object is a DistrictIndicator): the programme office any,
# a regional coordinator only their own district's own indicators (an indicator whose owner is that district), never
# a national indicator or another region's.
rules.add_perm("releases.publish_district_indicator", national_office | (is_regional_coordinator & unit_in_scope & indicator_is_districts_own))
# Whether a release takes district indicators now (a draft), for those who may choose some.
rules.add_perm("releases.district_indicators_release", (national_office | is_regional_coordinator) & release_is_draft)

# Consent: the object is a data-set assignment (its agency) or the agency.
rules.add_perm("releases.use_consent", is_provider_reporter)
rules.add_perm("releases.decide_consent", is_provider_reporter & agency_is_users)
rules.add_perm("releases.view_consents", national_office)
