"""Models of the problems capability."""

from django.db import models  # noqa: F401
