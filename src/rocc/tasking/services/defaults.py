"""The shipped content of Tasking & Coordination: the national forums (and a district T&C per district) and the
default risk methodology."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from importlib import resources

import yaml
from django.utils import timezone

from rocc.audit.services import shipped_content_load
from rocc.core.saving import set_if_changed
from rocc.org.models import OrgUnit, UnitLevel
from rocc.tasking.models import Forum, RiskDimension, RiskMethodology
from rocc.tasking.services.meetings import district_forum

DEFAULTS_FILE = "tasking.yaml"


@dataclass(frozen=True)
class TaskingDefaultsLoaded:
    forums: int
    methodologies: int
    dimensions: int


@shipped_content_load
def tasking_defaults_load() -> TaskingDefaultsLoaded:
    """Create or update the shipped forums (and a district T&C per district), and the default risk methodology.

    Needs the organisation defaults loaded first. Loading again changes nothing already as shipped; a methodology
    version already present is never rewritten (later versions are the programme's own), and the shipped one becomes
    current only when no version is.
    """
    data = yaml.safe_load(resources.files("rocc.tasking.defaults").joinpath(DEFAULTS_FILE).read_text(encoding="utf-8"))
    national = OrgUnit.objects.get(level=UnitLevel.NATIONAL, parent__isnull=True)
    forums = 0
    for order, row in enumerate(data["forums"], start=1):
        values = {
            "name": row["name"],
            "short_name": row.get("short_name", ""),
            "kind": row["kind"],
            "scope_unit": national,
            "description": " ".join(row.get("description", "").split()),
            "order": order,
        }
        forum = Forum.objects.filter(code=row["code"]).first()
        if forum is None:
            Forum.objects.create(code=row["code"], **values)
        else:
            set_if_changed(forum, **values)
        forums += 1
    for unit in OrgUnit.objects.filter(level=UnitLevel.DISTRICT):
        district_forum(unit)
        forums += 1

    shipped = data["methodology"]
    methodology = RiskMethodology.objects.filter(code=shipped["code"], version=shipped["version"]).first()
    if methodology is None:
        methodology = RiskMethodology.objects.create(
            code=shipped["code"],
            version=shipped["version"],
            name=shipped["name"],
            description=" ".join(shipped["description"].split()),
            modifier_floor=Decimal(str(shipped["modifier_floor"])),
            note=shipped.get("note", ""),
        )
        for order, row in enumerate(shipped["dimensions"], start=1):
            RiskDimension.objects.create(
                methodology=methodology,
                code=row["code"],
                name=row["name"],
                question=row["question"],
                role=row["role"],
                scale_min=min(v for v, _ in row["levels"]),
                scale_max=max(v for v, _ in row["levels"]),
                weight=Decimal(str(row["weight"])),
                levels=[{"value": v, "label": label} for v, label in row["levels"]],
                order=order,
            )
    if not RiskMethodology.objects.filter(is_current=True).exists():
        methodology.is_current = True
        methodology.published_at = methodology.published_at or timezone.now()
        methodology.save()
    return TaskingDefaultsLoaded(forums=forums, methodologies=RiskMethodology.objects.count(), dimensions=methodology.dimensions.count())
