"""Risk prioritisation (scores, ranking, new methodology versions that re-rank and keep old scores) and deconfliction
(matching persons, groups and places across owners; alerts that reveal only the other owner)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from rocc.audit.models import AuditEntry
from rocc.tasking import scoring
from rocc.tasking.models import DeconflictionAlert, RiskMethodology, RiskScore, Target
from rocc.tasking.selectors.deconfliction import alert_views
from rocc.tasking.selectors.meetings import meeting_agenda
from rocc.tasking.selectors.risk import rankings, reports_needing_scores, score_history
from rocc.tasking.services.deconfliction import alert_acknowledge, target_name
from rocc.tasking.services.meetings import meeting_create
from rocc.tasking.services.risk import methodology_publish, methodology_version_create, risk_score_record
from rocc.tasking.services.taskings import tasking_create

NEXT_WEEK = dt.date.today() + dt.timedelta(days=7)


def test_the_formula_multiplies_harm_by_likelihood_and_lets_modifiers_lower_it_to_the_floor_only():
    dims = [
        scoring.Dimension("harm", "Harm", "harm", 0, 4, 1.0),
        scoring.Dimension("likely", "Likelihood", "likelihood", 1, 5, 1.0),
        scoring.Dimension("conf", "Confidence", "modifier", 1, 4, 1.0),
    ]
    assert scoring.risk_score(dims, {"harm": 4, "likely": 5, "conf": 4}, modifier_floor=0.5) == Decimal("100.00")
    assert scoring.risk_score(dims, {"harm": 4, "likely": 5, "conf": 1}, modifier_floor=0.5) == Decimal("50.00")
    assert scoring.risk_score(dims, {"harm": 0, "likely": 5, "conf": 4}, modifier_floor=0.5) == Decimal("0.00")
    assert scoring.risk_score(dims, {"harm": 2, "likely": 3, "conf": 4}, modifier_floor=0.5) == Decimal("25.00")


def test_the_shipped_methodology_scores_a_report_as_documented(people, make_report, ratings):
    score = risk_score_record(actor=people["occc"], subject=make_report(), ratings=ratings())
    # harm (1.5×2/4 + 2/4 + 1/4 + 1.5×3/4) / 5 = 0.525; likelihood 3/4; modifiers 0.5 + 0.5 × 2/3
    assert score.score == Decimal("32.81") and score.methodology.version == 1 and score.is_current


def test_a_score_outside_the_scale_is_refused_naming_the_dimension_and_its_scale(people, make_report, ratings):
    report = make_report()
    with pytest.raises(ValidationError) as refused:
        risk_score_record(actor=people["occc"], subject=report, ratings=ratings(likelihood=7, physical=-1))
    problems = refused.value.message_dict
    assert problems["ratings.likelihood"] == ["Likelihood: 7 is outside its scale, which runs from 1 to 5."]
    assert problems["ratings.physical"] == ["Physical harm: -1 is outside its scale, which runs from 0 to 4."]
    with pytest.raises(ValidationError) as refused:
        risk_score_record(actor=people["occc"], subject=report, ratings={**ratings(), "glamour": 3, "confidence": 2.5})
    problems = refused.value.message_dict
    assert "'glamour' is not a dimension" in problems["ratings.glamour"][0] and "2.5 is not a whole number" in problems["ratings.confidence"][0]
    missing = ratings()
    del missing["community"]
    with pytest.raises(ValidationError) as refused:
        risk_score_record(actor=people["occc"], subject=report, ratings=missing)
    assert refused.value.message_dict == {"ratings.community": ["Community harm: give a rating from 0 to 4."]}
    assert RiskScore.objects.count() == 0


def test_scores_rank_reports_cases_and_targets_together(people, make_report, make_product, ratings):
    from rocc.problems.models import Case, QuestionBank

    low, high = make_report(title="Low"), make_report(title="High")
    risk_score_record(actor=people["occc"], subject=low, ratings=ratings(likelihood=2))
    risk_score_record(actor=people["occc"], subject=high, ratings=ratings(physical=4, likelihood=5))
    bank = QuestionBank.objects.first() or QuestionBank.objects.create(version=1, is_current=True)
    case = Case.objects.create(
        title="Gang recruitment at a skate park", scope_unit=people["waitemata_tc"].profile.units.first(), owner=people["waitemata_analyst"], question_bank=bank
    )
    risk_score_record(actor=people["occc"], subject=case, ratings=ratings(likelihood=3))
    target, _ = target_name(actor=people["waitemata_analyst"], subject=make_product(), kind="group", group_name="Head Hunters")
    risk_score_record(actor=people["occc"], subject=target, ratings=ratings(community=4, likelihood=5, physical=3))
    ranked = rankings(user=people["occc"])
    assert [(r.rank, r.kind, str(r.subject)) for r in ranked] == [
        (1, "report", str(high)),
        (2, "target", "Head Hunters"),
        (3, "case", "Gang recruitment at a skate park"),
        (4, "report", str(low)),
    ]
    assert [r.kind for r in rankings(user=people["occc"], kind="report")] == ["report", "report"]


def test_rescoring_keeps_the_earlier_score_in_the_history(people, make_report, ratings):
    report = make_report()
    first = risk_score_record(actor=people["occc"], subject=report, ratings=ratings())
    second = risk_score_record(actor=people["occc"], subject=report, ratings=ratings(likelihood=5))
    first.refresh_from_db()
    assert not first.is_current and second.is_current and list(score_history(subject=report)) == [second, first]


def test_a_new_methodology_version_re_ranks_and_keeps_the_old_scores_with_their_version(people, make_report, ratings):
    financial, physical = make_report(title="Laundering"), make_report(title="Shootings")
    risk_score_record(actor=people["occc"], subject=financial, ratings=ratings(financial=4, physical=0, likelihood=4))
    risk_score_record(actor=people["occc"], subject=physical, ratings=ratings(financial=0, physical=4, likelihood=4))
    assert [r.subject for r in rankings(user=people["occc"])] == [physical, financial]

    v1 = RiskMethodology.objects.get(is_current=True)
    rows = [
        {
            "code": d.code,
            "name": d.name,
            "question": d.question,
            "role": d.role,
            "levels": d.levels,
            "weight": {"financial": 5, "physical": 0.5}.get(d.code, d.weight),
        }
        for d in v1.dimensions.all()
    ]
    v2 = methodology_version_create(actor=people["manager"], base=v1, note="Weight financial harm up for the FCG focus.", dimensions=rows)
    assert not v2.is_current and rankings(user=people["occc"])[0].subject == physical  # a draft changes nothing
    result = methodology_publish(actor=people["manager"], methodology=v2)
    assert (result.rescored, result.needs_rescoring) == (2, 0)

    ranked = rankings(user=people["occc"])
    assert [r.subject for r in ranked] == [financial, physical] and {r.score.methodology.version for r in ranked} == {2}
    old = RiskScore.objects.filter(methodology=v1).order_by("pk")
    assert [s.is_current for s in old] == [False, False] and old.count() == 2
    assert [s.methodology.version for s in score_history(subject=financial)] == [2, 1]


def test_a_version_with_a_new_dimension_leaves_old_scores_needing_rescoring(people, make_report, ratings):
    report = make_report()
    risk_score_record(actor=people["occc"], subject=report, ratings=ratings())
    v1 = RiskMethodology.objects.get(is_current=True)
    rows = [{"code": d.code, "name": d.name, "question": d.question, "role": d.role, "levels": d.levels, "weight": d.weight} for d in v1.dimensions.all()]
    rows.append(
        {
            "code": "environmental",
            "name": "Environmental harm",
            "role": "harm",
            "weight": 1,
            "levels": [{"value": v, "label": label} for v, label in enumerate(["None", "Local", "Regional"])],
        }
    )
    v2 = methodology_version_create(actor=people["manager"], base=v1, note="Add environmental harm.", dimensions=rows)
    result = methodology_publish(actor=people["manager"], methodology=v2)
    assert (result.rescored, result.needs_rescoring) == (0, 1)
    assert rankings(user=people["occc"]) == [] and list(reports_needing_scores(user=people["occc"])) == [report]
    assert RiskScore.objects.get().is_current and RiskScore.objects.get().methodology == v1


def test_a_methodology_version_with_a_broken_scale_or_no_harm_is_refused(people, tasking):
    v1 = RiskMethodology.objects.get(is_current=True)
    with pytest.raises(PermissionDenied):
        methodology_version_create(actor=people["occc"], base=v1, note="x")
    gap = [{"code": "harm", "name": "Harm", "role": "harm", "weight": 1, "levels": [{"value": 0, "label": "a"}, {"value": 2, "label": "c"}]}]
    with pytest.raises(ValidationError) as refused:
        methodology_version_create(actor=people["manager"], base=v1, note="Gap", dimensions=gap)
    assert "one labelled level for every whole number" in refused.value.message_dict["dimensions.harm"][0]
    no_harm = [{"code": "likely", "name": "Likelihood", "role": "likelihood", "weight": 1, "levels": [{"value": 1, "label": "a"}, {"value": 2, "label": "b"}]}]
    with pytest.raises(ValidationError) as refused:
        methodology_version_create(actor=people["manager"], base=v1, note="No harm", dimensions=no_harm)
    assert refused.value.message_dict == {"dimensions": ["A methodology needs at least one harm dimension with a weight above 0."]}
    assert RiskMethodology.objects.count() == 1


def test_the_same_person_named_by_two_districts_alerts_both_owners_revealing_only_the_other_owner(people, make_product, unit):
    waitemata = make_product(title="Waitematā supply network")
    canterbury_tasking = tasking_create(
        actor=people["occc"],
        title="Canterbury courier",
        description="Follow the courier.",
        owner=people["canterbury_tc"],
        due_date=NEXT_WEEK,
        tasked_unit=unit("canterbury"),
    )
    target_name(actor=people["waitemata_analyst"], subject=waitemata, kind="person", identifier="PRN 4471-22", purpose="Supply network analysis for OCCC")
    _, alerts = target_name(
        actor=people["canterbury_tc"], subject=canterbury_tasking, kind="person", identifier="prn  4471-22", purpose="Courier deconfliction check"
    )
    assert len(alerts) == 1 and alerts[0].basis == "person"

    mine = alert_views(user=people["waitemata_analyst"])
    assert len(mine) == 1 and mine[0].other_owner == people["canterbury_tc"] and mine[0].other_team == "Canterbury"
    assert mine[0].own_target.subject == waitemata
    theirs = alert_views(user=people["canterbury_tc"])
    assert theirs[0].own_target.subject == canterbury_tasking and theirs[0].other_owner == people["waitemata_analyst"]
    # Neither owner can open the other's record through the alert.
    assert not people["canterbury_tc"].has_perm("tasking.view_product", waitemata)
    assert alert_views(user=people["occc"]) == []


def test_naming_a_person_needs_a_purpose_is_audited_and_the_identifier_is_stored_nowhere(people, make_product):
    product = make_product()
    with pytest.raises(ValidationError):
        target_name(actor=people["waitemata_analyst"], subject=product, kind="person", identifier="ZX-998877-Q", purpose="")
    assert Target.objects.count() == 0
    target, _ = target_name(actor=people["waitemata_analyst"], subject=product, kind="person", identifier="ZX-998877-Q", purpose="Link to the supply product")
    entry = AuditEntry.objects.filter(kind="person_access").latest("pk")
    assert entry.purpose == "Link to the supply product" and entry.object_id == str(target.pk)
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                assert not any("998877" in str(value) for value in row), table


def test_the_same_owner_naming_a_target_twice_raises_no_alert(people, make_product):
    for title in ("First", "Second"):
        _, alerts = target_name(actor=people["waitemata_analyst"], subject=make_product(title=title), kind="group", group_name="Mongrel Mob")
    assert alerts == [] and DeconflictionAlert.objects.count() == 0


def test_groups_match_with_or_without_macrons_and_places_within_the_set_distance(people, make_product):
    mine = make_product(title="Mine")
    theirs = make_product(actor=people["canterbury_analyst"], district="canterbury", title="Theirs")
    target_name(actor=people["waitemata_analyst"], subject=mine, kind="group", group_name="Ngā Tama Toa")
    _, alerts = target_name(actor=people["canterbury_analyst"], subject=theirs, kind="group", group_name="nga tama toa")
    assert [a.basis for a in alerts] == ["group"]

    target_name(actor=people["waitemata_analyst"], subject=mine, kind="place", x=1_756_000.0, y=5_921_000.0, place_label="Rata Street")
    _, near = target_name(actor=people["canterbury_analyst"], subject=theirs, kind="place", x=1_756_120.0, y=5_921_160.0)
    _, far = target_name(actor=people["canterbury_analyst"], subject=theirs, kind="place", x=1_756_400.0, y=5_921_000.0)
    assert [(a.basis, a.distance_m) for a in near] == [("place", 200.0)] and far == []
    _, wider = target_name(actor=people["canterbury_analyst"], subject=theirs, kind="place", x=1_756_390.0, y=5_921_000.0, distance_m=500)
    assert len(wider) == 1


def test_a_place_outside_new_zealand_is_refused(people, make_product):
    with pytest.raises(ValidationError) as refused:
        target_name(actor=people["waitemata_analyst"], subject=make_product(), kind="place", x=174.76, y=-36.85)
    assert "outside New Zealand in NZTM2000 metres" in refused.value.message_dict["x"][0]


def test_both_owners_must_acknowledge_before_an_alert_closes(people, make_product, forum):
    target_name(actor=people["waitemata_analyst"], subject=make_product(), kind="group", group_name="Comancheros")
    _, (alert,) = target_name(
        actor=people["canterbury_analyst"],
        subject=make_product(actor=people["canterbury_analyst"], district="canterbury"),
        kind="group",
        group_name="Comancheros",
    )
    meeting = meeting_create(actor=people["occc"], forum=forum("occc"), held_on=dt.date.today())
    assert meeting_agenda(user=people["occc"], meeting=meeting).alerts == [alert]
    with pytest.raises(PermissionDenied):
        alert_acknowledge(actor=people["occc"], alert=alert)
    alert_acknowledge(actor=people["waitemata_analyst"], alert=alert)
    assert alert.is_open
    with pytest.raises(ValidationError):
        alert_acknowledge(actor=people["waitemata_analyst"], alert=alert)
    alert_acknowledge(actor=people["canterbury_analyst"], alert=alert)
    assert not alert.is_open and meeting_agenda(user=people["occc"], meeting=meeting).alerts == []
