"""WSGI entry point for rocc (served by gunicorn through `rocc serve`, or any WSGI server)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rocc.settings")
application = get_wsgi_application()
