"""Models of the measures capability."""

from django.db import models  # noqa: F401
