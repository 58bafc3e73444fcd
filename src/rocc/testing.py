"""What rocc's tests share: the `rocc` command run as a user runs it, a data directory installed once per test session,
and the API called through Django's test client with a bearer token.

Browser helpers (Debian's Chromium through Playwright, the axe-core check) live in ``rocc.web.testing``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROCC = [sys.executable, "-m", "rocc.cli"]


def run(*args: str, data_dir: Path, env: dict | None = None, check: bool = False, input: str | None = None) -> subprocess.CompletedProcess:
    """`rocc ARGS` in its own process with the production settings and ``data_dir`` as its data directory."""
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "ROCC_SECRET_KEY", "ROCC_BACKUP_KEY", "DJANGO_SETTINGS_MODULE"}}
    environment.update({"ROCC_DATA_DIR": str(data_dir), "COLUMNS": "200", **(env or {})})
    result = subprocess.run([*ROCC, *args], capture_output=True, text=True, env=environment, timeout=180, input=input)
    if check and result.returncode != 0:
        raise AssertionError(f"rocc {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def install_data_dir(folder: Path) -> Path:
    """A data directory set up the way `make run` sets one up: `rocc migrate`, then `rocc load-defaults`."""
    run("migrate", data_dir=folder, check=True)
    run("load-defaults", data_dir=folder, check=True)
    return folder


def copy_data_dir(template: Path, folder: Path) -> Path:
    """A copy of an installed data directory (database, keys, files), as if installed again; file modes are kept."""
    shutil.copytree(template, folder, copy_function=shutil.copy2)
    return folder


def api_call(path: str, token: str | None = None, payload: Any = None, method: str | None = None, headers: dict | None = None) -> tuple[int, Any]:
    """One request to the JSON API through Django's test client, signed in only by the bearer ``token``: (status, body),
    the body parsed from JSON, or the text when the answer is not JSON. POST when there is a payload, else GET."""
    from django.test import Client

    extra = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    extra.update({f"HTTP_{k.upper().replace('-', '_')}": v for k, v in (headers or {}).items()})
    method = (method or ("POST" if payload is not None else "GET")).lower()
    kwargs: dict[str, Any] = {} if payload is None else {"data": json.dumps(payload), "content_type": "application/json"}
    response = getattr(Client(), method)(path, **kwargs, **extra)
    text = response.content.decode()
    try:
        return response.status_code, json.loads(text)
    except json.JSONDecodeError:
        return response.status_code, text
