"""The deconfliction map's circle is the deconfliction rule's own distance (the ROCC_DECONFLICTION_METRES setting that
deconfliction matches places by), not a figure of the map's: change the rule and the circle and its caption follow."""

from __future__ import annotations


def test_the_circle_is_the_distance_deconfliction_matches_places_by(make_user, settings):
    from rocc.maps.components import deconfliction_map
    from rocc.maps.selectors import places_layer
    from rocc.tasking.services.deconfliction import deconfliction_metres

    analyst = make_user("analyst")
    assert places_layer(user=analyst, views=[])["radius_m"] == deconfliction_metres() == 250.0
    settings.ROCC_DECONFLICTION_METRES = 400
    assert places_layer(user=analyst, views=[])["radius_m"] == 400.0
    context = deconfliction_map(user=analyst, views=[])
    assert context["spec"]["layers"][0]["radius_m"] == 400.0 and "(400 m)" in context["description"]
