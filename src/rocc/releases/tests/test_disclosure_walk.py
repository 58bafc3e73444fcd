"""No figure on any public page or open-data file fails disclosure control: the walk visits every public address of a
release with small counts and checks each figure it shows against the protected content and the true counts."""

from __future__ import annotations

import csv
import io
import json
import re

from rocc.releases.tests.test_public_access import public_urls

FIGURE_CELL = re.compile(r'class="figure">([^<]*)<')


def _true_numerators(indicator_code: str, unit_code: str, analyst) -> dict[str, float]:
    from rocc.measures.models import Indicator
    from rocc.measures.selectors import series_for
    from rocc.org.models import OrgUnit

    indicator = Indicator.objects.get(code=indicator_code)
    unit = OrgUnit.objects.get(code=unit_code)
    target_type = None
    payload = series_for(user=analyst, indicator=indicator, unit=unit, period_type=target_type)
    assert not payload["disclosure_applied"], "the oracle needs the true figures"
    return {p["period"]: p["numerator"] for p in payload["points"]}


def test_every_published_count_is_suppressed_or_rounded_and_no_small_count_shows(live, make_user):
    from rocc.releases.selectors import indicator_with_curves, public_version_get

    release = live()
    version = public_version_get(release=release)
    analyst = make_user("analyst", units=["nz"])
    small_seen = 0
    for summary in version.content["indicators"]:
        indicator = indicator_with_curves(version, summary["code"])
        for cell in indicator["cells"]:
            if cell["withheld"]:
                continue
            truth = _true_numerators(indicator["code"], cell["unit"], analyst) if cell["period_type"] == "month" else {}
            for point in cell["points"]:
                shown = point["numerator"]
                assert shown is None or shown == 0 or (shown >= 6 and shown % 3 == 0), (indicator["code"], cell["unit"], point)
                true = truth.get(point["period"])
                if true is not None and 0 < true < 6:
                    small_seen += 1
                    assert shown is None and point["value"] is None and point["suppressed"], (indicator["code"], cell["unit"], point)
    assert small_seen > 0, "the walk must meet small counts (Waitematā's) to prove anything"


def _allowed_figures(version) -> set[str]:
    from rocc.releases.charts import figure
    from rocc.releases.selectors import indicator_with_curves

    allowed = set()
    for summary in version.content["indicators"]:
        for cell in indicator_with_curves(version, summary["code"])["cells"]:
            for point in cell.get("points") or []:
                allowed.update({figure(point["value"]), figure(point["numerator"])})
            target = cell.get("target") or {}
            allowed.update({figure(target.get("baseline")), figure(target.get("value"))})
    return allowed - {""}


def test_walking_every_public_page_and_file_shows_only_protected_figures(live, client):
    from rocc.releases.selectors import public_version_get

    release = live()
    allowed = _allowed_figures(public_version_get(release=release))
    walked = {"pages": 0, "figures": 0, "rows": 0}
    for url in public_urls(release):
        body = client.get(url).content.decode()
        if ".csv" in url:
            for row in csv.DictReader(io.StringIO(body)):
                walked["rows"] += 1
                count = row["count"]
                assert count == "" or (float(count) == 0 or (float(count) >= 6 and float(count) % 3 == 0)), (url, row)
            continue
        if ".json" in url:
            for row in json.loads(body)["figures"]:
                walked["rows"] += 1
                assert row["count"] is None or row["count"] == 0 or (row["count"] >= 6 and row["count"] % 3 == 0), (url, row)
            continue
        walked["pages"] += 1
        for raw in FIGURE_CELL.findall(body):
            text = raw.strip().split(" ")[0]
            if not text or text in {"—", "s"}:
                continue
            walked["figures"] += 1
            assert text in allowed, f"{url} shows {text}, which is not a protected figure of the release"
    assert walked["pages"] > 10 and walked["figures"] > 20 and walked["rows"] > 100, walked
