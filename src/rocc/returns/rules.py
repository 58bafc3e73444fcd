"""Who fills, submits, approves and watches provider returns.

A provider reporter fills and submits its own agency's returns (``org.report_for_agency``); administrators may act
for any provider. Approvers are the programme office (programme managers, national) and regional coordinators for
the units in their scope, plus administrators. Approvers read the returns they approve; a provider reads only its
own. No one approves a return they submitted themselves (the service refuses it).
"""

from __future__ import annotations

import rules

from rocc.org.rules import agency_is_users, is_administrator, is_programme_manager, is_provider_reporter, is_regional_coordinator, unit_in_scope

reports_for_agency = (is_provider_reporter & agency_is_users) | is_administrator
approves_in_scope = is_administrator | is_programme_manager | (is_regional_coordinator & unit_in_scope)

# The returns pages at all (each return is then checked on its own).
rules.add_perm("returns.use_returns", is_administrator | is_programme_manager | is_regional_coordinator | is_provider_reporter)
rules.add_perm("returns.view_return", reports_for_agency | approves_in_scope)
rules.add_perm("returns.edit_return", reports_for_agency)
rules.add_perm("returns.approve_return", approves_in_scope)
rules.add_perm("returns.review_returns", is_administrator | is_programme_manager | is_regional_coordinator)  # has returns to review
rules.add_perm("returns.manage_data_sets", is_administrator | is_programme_manager)
rules.add_perm("returns.view_reporting_performance", is_administrator | is_programme_manager | is_regional_coordinator)
