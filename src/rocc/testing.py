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
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "ROCC_SECRET_KEY", "DJANGO_SETTINGS_MODULE"}}
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


class Api:
    """The JSON API through Django's test client: ``status, body = api.get(path, token)``. The body is the parsed JSON,
    or the text when the answer is not JSON. Paths are the API's own (``/api/...``)."""

    def __init__(self, client):
        self.client = client

    def call(self, method: str, path: str, token: str | None = None, body: Any = None, headers: dict | None = None) -> tuple[int, Any]:
        extra = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        extra.update({f"HTTP_{k.upper().replace('-', '_')}": v for k, v in (headers or {}).items()})
        kwargs: dict[str, Any] = {}
        if body is not None:
            kwargs = {"data": json.dumps(body), "content_type": "application/json"}
        response = getattr(self.client, method.lower())(path, **kwargs, **extra)
        text = response.content.decode()
        try:
            return response.status_code, json.loads(text)
        except json.JSONDecodeError:
            return response.status_code, text

    def get(self, path: str, token: str | None = None, **kw) -> tuple[int, Any]:
        return self.call("GET", path, token, **kw)

    def post(self, path: str, token: str | None = None, body: Any = None, **kw) -> tuple[int, Any]:
        return self.call("POST", path, token, body, **kw)

    def put(self, path: str, token: str | None = None, body: Any = None, **kw) -> tuple[int, Any]:
        return self.call("PUT", path, token, body, **kw)

    def patch(self, path: str, token: str | None = None, body: Any = None, **kw) -> tuple[int, Any]:
        return self.call("PATCH", path, token, body, **kw)

    def delete(self, path: str, token: str | None = None, **kw) -> tuple[int, Any]:
        return self.call("DELETE", path, token, **kw)
