"""Models of the tasking capability."""

from django.db import models  # noqa: F401
