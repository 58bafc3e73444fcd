"""Models of the events capability."""

from django.db import models  # noqa: F401
