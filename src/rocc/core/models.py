"""API tokens (only a hash is stored, so a database copy never yields a usable token), and the one way every model
stores its text (``NormalisedText``)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from rocc.core.bounds import TEXT_MAX, too_long
from rocc.core.text import fold, nfc


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8, help_text="The token's first characters, to recognise it")
    key_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


def _words(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return " ".join(_words(item) for item in value)
    return str(value)


class NormalisedText(models.Model):
    """A model whose text is stored the one way rocc stores text: the fields named in ``text_fields`` in NFC (a list of
    strings item by item), and each search column in ``folded`` holding the folded form of the fields it names, joined
    by spaces. Applied on every save, so no write path can skip it (bulk writes excepted, as with any ``save``)."""

    text_fields: ClassVar[tuple[str, ...]] = ()
    folded: ClassVar[dict[str, tuple[str, ...]]] = {}

    class Meta:
        abstract = True

    def normalise_text(self) -> None:
        for name in self.text_fields:
            value = getattr(self, name)
            if isinstance(value, list):
                setattr(self, name, [nfc(item) for item in value])
            elif value is not None:
                setattr(self, name, nfc(value))
        for column, sources in self.folded.items():
            setattr(self, column, fold(" ".join(_words(getattr(self, source)) for source in sources)))

    def text_bounds_errors(self) -> dict[str, list[str]]:
        """Each text field longer than its bound: the field's max_length, else ``TEXT_MAX`` (a TextField, or a list
        item by item). SQLite does not enforce a column's length, so this is where every database does."""
        errors: dict[str, list[str]] = {}
        for name in self.text_fields:
            limit = getattr(self._meta.get_field(name), "max_length", None) or TEXT_MAX
            value = getattr(self, name)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str) and len(item) > limit:
                    errors.setdefault(name, []).append(f"The {self._meta.get_field(name).verbose_name} {too_long(item, limit)}.")
        return errors

    def clean_fields(self, exclude=None):
        # A field with a max_length is checked by Django's own validator; the others (TextField, lists) here.
        errors = {
            name: messages
            for name, messages in self.text_bounds_errors().items()
            if not getattr(self._meta.get_field(name), "max_length", None) and name not in (exclude or ())
        }
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, []).extend(messages)
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.normalise_text()
        errors = self.text_bounds_errors()
        if errors:
            raise ValidationError(errors)
        super().save(*args, **kwargs)
