"""Saving shipped or imported content again without writing what did not change."""

from __future__ import annotations

from django.db import models


def set_if_changed(obj: models.Model, **values: object) -> bool:
    """Set the fields that differ and save only when one did, so that loading the same file again writes nothing
    (and so logs nothing in the change history). True when something was saved."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.save()
    return bool(changed)
