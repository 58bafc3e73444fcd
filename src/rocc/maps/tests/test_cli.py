"""The real `rocc org boundaries` command: a good file loads and says so with its source and licence; a bad one is
refused with every problem located and exit status 1, and nothing is loaded."""

from __future__ import annotations

from rocc.maps.tests.synthetic import SHAPES, feature, good_file, write
from rocc.testing import run


def test_boundaries_import_loads_a_good_file_and_refuses_a_bad_one_changing_nothing(fresh_install, tmp_path):
    data = fresh_install()
    bad = write(tmp_path / "bad.geojson", [feature("waitemata", SHAPES["waitemata"]), feature("Atlantis", SHAPES["auckland-city"])])
    refused = run("org", "boundaries", "import", str(bad), "--source", "Synthetic", "--licence", "CC0", data_dir=data)
    assert refused.returncode == 1
    assert "were not loaded; nothing was changed" in refused.stderr and "feature 2, unit 'Atlantis'" in refused.stderr
    assert "No boundaries are loaded" in run("org", "boundaries", "list", data_dir=data).stdout

    loaded = run("org", "boundaries", "import", str(good_file(tmp_path)), "--source", "Synthetic 2026", "--licence", "CC BY 4.0", data_dir=data)
    assert loaded.returncode == 0, loaded.stderr
    assert "6 new, 0 replaced, 0 unchanged" in loaded.stdout and "licence: CC BY 4.0" in loaded.stdout
    listing = run("org", "boundaries", "list", data_dir=data).stdout
    assert "north-shore" in listing and "Synthetic 2026" in listing
