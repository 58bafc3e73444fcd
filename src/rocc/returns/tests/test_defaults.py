"""The shipped example data set: built on the measures defaults' monitoring-framework indicators, loaded again without change."""

import pytest

from rocc.returns.models import DataSet, DataSetIndicator
from rocc.returns.services import EXAMPLE_DATA_SET, reporting_defaults_load


def test_the_example_data_set_asks_for_the_monitoring_frameworks_referrals_and_loads_idempotently(defaults):
    from rocc.measures.services import measures_defaults_load

    with pytest.raises(ValueError, match="Load the measures defaults first"):
        reporting_defaults_load()
    measures_defaults_load()
    loaded = reporting_defaults_load()
    assert (loaded.data_sets, loaded.figures) == (1, 3)
    data_set = DataSet.objects.get(code=EXAMPLE_DATA_SET)
    assert data_set.name == "Whānau services: referrals and assessments"
    assert (data_set.period_type, data_set.due_days, data_set.template_version) == ("month", 20, 1)
    assert [i.indicator.code for i in data_set.items.all()] == ["mf-whanau-support-referrals", "mf-counselling-referrals", "mf-community-hub-referrals"]
    assert all(i.indicator.current.data_source == "Provider reporting" for i in data_set.items.all())
    reporting_defaults_load()
    assert DataSet.objects.count() == 1 and DataSetIndicator.objects.count() == 3
    assert DataSet.objects.get().template_version == 1
