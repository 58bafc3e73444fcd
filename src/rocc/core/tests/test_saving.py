"""Loading content again writes only what changed: the shared set-if-changed helper."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rocc.core.saving import set_if_changed
from rocc.org.models import Agency


def _writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))]


@pytest.mark.django_db
def test_values_already_held_write_nothing():
    agency = Agency.objects.create(short_name="Te Whānau Test Trust", name="Te Whānau Test Trust – Ōtautahi", kind="government")

    with CaptureQueriesContext(connection) as queries:
        saved = set_if_changed(agency, name="Te Whānau Test Trust – Ōtautahi", kind="government")

    assert saved is False
    assert _writes(queries) == []


@pytest.mark.django_db
def test_a_changed_value_is_set_and_saved():
    agency = Agency.objects.create(short_name="Te Whānau Test Trust", name="Te Whanau Test Trust", kind="government")

    saved = set_if_changed(agency, name="Te Whānau Test Trust – Ōtautahi", kind="government")

    assert saved is True
    assert Agency.objects.get(pk=agency.pk).name == "Te Whānau Test Trust – Ōtautahi"
