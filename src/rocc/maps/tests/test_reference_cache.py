"""The boundaries and the outline are encoded once and carry an entity tag: a browser that has them gets 304 with no
body, and a replaced boundary changes the tag and the document at once (on the map and on the public map)."""

from __future__ import annotations

import json


def test_boundaries_answer_304_until_a_boundary_is_replaced(client, make_user, tmp_path):
    from rocc.maps.selectors import _public_shapes
    from rocc.maps.services import boundaries_import
    from rocc.maps.tests.synthetic import box, feature, good_file, write

    admin = make_user("administrator")
    boundaries_import(actor=admin, path=good_file(tmp_path), source="Edition 1", licence="CC0")
    client.force_login(make_user("viewer"))
    first = client.get("/api/maps/boundaries?level=district")
    tag = first["ETag"]
    assert first.status_code == 200 and tag and first["Cache-Control"] == "private, no-cache"
    again = client.get("/api/maps/boundaries?level=district", HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304 and again.content == b""
    city_path = _public_shapes("district")["paths"]["auckland-city"]

    smaller = write(tmp_path / "v2.geojson", [feature("auckland-city", {"type": "Polygon", "coordinates": [box(1_760_000, 5_910_000, 1_765_000, 5_940_000)]})])
    boundaries_import(actor=admin, path=smaller, source="Edition 2", licence="CC0")
    changed = client.get("/api/maps/boundaries?level=district", HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200 and changed["ETag"] != tag
    city = next(f for f in json.loads(changed.content)["features"] if f["properties"]["code"] == "auckland-city")
    assert city["properties"]["source"] == "Edition 2" and city["properties"]["area_km2"] == 150.0
    assert _public_shapes("district")["paths"]["auckland-city"] != city_path

    outline = client.get("/api/maps/outline")
    assert outline.status_code == 200
    assert client.get("/api/maps/outline", HTTP_IF_NONE_MATCH=outline["ETag"]).status_code == 304


def test_a_new_web_process_reads_the_encoded_boundaries_from_the_data_directory_and_a_304_builds_nothing(client, make_user, tmp_path, settings):
    from pathlib import Path

    from rocc.maps import selectors
    from rocc.maps.services import boundaries_import
    from rocc.maps.tests.synthetic import good_file

    boundaries_import(actor=make_user("administrator"), path=good_file(tmp_path), source="Edition 1", licence="CC0")
    viewer = make_user("viewer")
    client.force_login(viewer)
    settings.ROCC_DATA_DIR = str(tmp_path / "data")  # a data directory of its own: other test processes write theirs
    folder = Path(settings.ROCC_DATA_DIR) / "cache" / "maps"
    selectors._GEOJSON_BYTES.clear()  # as in a web process that has not encoded them yet
    for old in folder.glob("boundaries-district-*.json"):
        old.unlink()
    tag = selectors.boundaries_etag(user=viewer, level="district")
    # A browser that holds them is answered 304 at once: nothing is decoded, encoded or written.
    held = client.get("/api/maps/boundaries?level=district", HTTP_IF_NONE_MATCH=tag)
    assert held.status_code == 304 and held["ETag"] == tag
    assert not list(folder.glob("boundaries-district-*.json")) and "district" not in selectors._GEOJSON_BYTES
    first = client.get("/api/maps/boundaries?level=district")
    assert first.status_code == 200 and first["ETag"] == tag
    (written,) = folder.glob("boundaries-district-*.json")
    assert written.read_bytes() == first.content
    # Another process: the file is read, not rebuilt (a marked copy shows which was sent), and the tag is the same.
    selectors._GEOJSON_BYTES.clear()
    written.write_bytes(first.content.replace(b'"Edition 1"', b'"Edition 1 (from the cache)"'))
    again = client.get("/api/maps/boundaries?level=district")
    assert b"Edition 1 (from the cache)" in again.content and again["ETag"] == tag


def test_the_cached_boundaries_name_this_database_alone(make_user, tmp_path):
    from rocc.maps import selectors
    from rocc.maps.models import BoundarySet
    from rocc.maps.services import boundaries_import
    from rocc.maps.tests.synthetic import good_file

    boundaries_import(actor=make_user("administrator"), path=good_file(tmp_path), source="Edition 1", licence="CC0")
    stamp = selectors._stamp()
    # The same counts and keys in another database (restored, or a test's) differ by the set's import time.
    BoundarySet.objects.update(imported_at=BoundarySet.objects.get().imported_at.replace(microsecond=1))
    assert selectors._stamp()[:3] == stamp[:3] and selectors._stamp() != stamp
