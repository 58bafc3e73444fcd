"""API tokens (only a hash is stored, so a database copy never yields a usable token), and the one way every model
stores its text (``NormalisedText``)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models

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

    def save(self, *args, **kwargs):
        self.normalise_text()
        super().save(*args, **kwargs)
