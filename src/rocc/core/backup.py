"""Consistent backups of the database and data directory, and restores that change nothing unless they succeed.

A backup is one .tar.gz holding ``manifest.json`` (format, versions, checksums), ``signature`` (an HMAC-SHA256 of
the manifest), ``database.json`` (every row, in Django's portable serialisation, read inside one snapshot transaction)
and ``data/`` (the data directory's files, such as event-store batches and keys, without the live database).
Being engine-neutral, a backup taken from SQLite restores into PostgreSQL and back.

The signature's key is never inside the archive: it is ``ROCC_BACKUP_KEY`` when set, else the data directory's
``backup.key`` (made on the first backup, owner-only, left out of every archive). Whoever holds an archive can read it
but cannot change it unseen: a restore checks the signature before anything current is touched, so an archive edited
with its checksums recomputed is refused. To restore on another machine, give that machine the same key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import json
import os
import secrets
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from auditlog.context import disable_auditlog
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder

import rocc
from rocc.audit.services import system_event_record

FORMAT = "rocc-backup/1"
SKIP_IN_DATA_DIR = {"static", "backups"}
KEY_FILE = "backup.key"


class BackupError(Exception):
    """A backup that cannot be written or read; the message says why."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    rows: int
    files: int
    signed_with: str = ""  # where the signing key is (never the key itself)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def backup_key(data_dir: Path, *, create: bool) -> bytes | None:
    """The key backups are signed with: ROCC_BACKUP_KEY, else the data directory's backup.key (made when ``create``)."""
    from_env = os.environ.get("ROCC_BACKUP_KEY", "").strip()
    if from_env:
        return from_env.encode()
    path = data_dir / KEY_FILE
    if path.exists():
        return path.read_text().strip().encode()
    if not create:
        return None
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key.encode()


def _signature(key: bytes, manifest: bytes) -> str:
    return hmac.new(key, manifest, hashlib.sha256).hexdigest()


def _key_id(key: bytes) -> str:
    """A short fingerprint of the key, so a refusal can say which key signed the archive without showing it."""
    return hashlib.sha256(b"rocc-backup-key-id:" + key).hexdigest()[:12]


def _live_database_files(data_dir: Path) -> set[Path]:

    name = settings.DATABASES["default"].get("NAME", "")
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        db = Path(name).resolve()
        return {db, Path(f"{db}-wal"), Path(f"{db}-shm"), Path(f"{db}-journal")}
    return set()


def _data_files(data_dir: Path) -> list[Path]:
    skip = _live_database_files(data_dir)
    files = []
    for path in sorted(data_dir.rglob("*")):
        relative = path.relative_to(data_dir)
        if not path.is_file() or relative.parts[0] in SKIP_IN_DATA_DIR or path.resolve() in skip or str(relative) == KEY_FILE:
            continue
        files.append(path)
    return files


def _dump_database() -> tuple[bytes, int]:

    # Every table but sessions, content types included: other rows refer to them by id, and a
    # restore brings the ids along rather than relying on the target machine's.
    models = [m for m in apps.get_models() if m._meta.managed and not m._meta.proxy and m._meta.app_label != "sessions"]
    rows = 0
    objects = []
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        for model in models:
            for obj in model._base_manager.order_by("pk").iterator(chunk_size=2000):
                objects.append(obj)
                rows += 1
        text = serializers.serialize("json", objects, use_natural_foreign_keys=False, use_natural_primary_keys=False)
    return text.encode("utf-8"), rows


def backup_create(target: Path) -> BackupSummary:

    data_dir: Path = settings.ROCC_DATA_DIR
    target = target.expanduser().resolve()
    if target.is_dir():
        target = target / f"rocc-backup-{dt.datetime.now():%Y%m%d-%H%M%S}.tar.gz"
    if not target.parent.exists():
        raise BackupError(f"the folder {target.parent} does not exist")
    key = backup_key(data_dir, create=True)
    if key is None:  # create=True always makes one; this keeps the type honest
        raise BackupError("no backup key could be made in the data directory")
    database, rows = _dump_database()
    files = _data_files(data_dir)
    manifest = {
        "format": FORMAT,
        "created": dt.datetime.now(dt.UTC).isoformat(),
        "rocc_version": rocc.__version__,
        "source_engine": connection.vendor,
        "migrations": sorted(f"{a}.{n}" for a, n in MigrationRecorder(connection).applied_migrations()),
        "database": {"rows": rows, "sha256": _sha256(database)},
        "files": {str(p.relative_to(data_dir)): _sha256(p.read_bytes()) for p in files},
        "key_id": _key_id(key),
    }
    manifest_bytes = json.dumps(manifest, indent=2).encode()
    partial = target.with_name(target.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds keys: owner only
    with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
        signature = _signature(key, manifest_bytes).encode()
        for name, payload in (("manifest.json", manifest_bytes), ("signature", signature), ("database.json", database)):
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            info.mode = 0o600
            archive.addfile(info, io.BytesIO(payload))
        for path in files:
            archive.add(path, arcname=f"data/{path.relative_to(data_dir)}", recursive=False)
    partial.replace(target)
    where = "ROCC_BACKUP_KEY" if os.environ.get("ROCC_BACKUP_KEY", "").strip() else f"the key in {data_dir / KEY_FILE}"
    return BackupSummary(path=target, rows=rows, files=len(files), signed_with=f"{where} (key {_key_id(key)})")


def _read_archive(source: Path, staging: Path, key: bytes | None) -> tuple[dict, bytes]:
    """Unpack into ``staging`` and check everything, the signature first, before anything current is touched."""
    if not source.exists():
        raise BackupError(f"no backup at {source}")
    try:
        with tarfile.open(source, mode="r:gz") as archive:
            archive.extractall(staging, filter="data")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{source.name} is not a readable rocc backup ({exc})") from None
    manifest_path = staging / "manifest.json"
    if not manifest_path.exists():
        raise BackupError(f"{source.name} has no manifest.json: it is not a rocc backup")
    signature_path = staging / "signature"
    if not signature_path.exists():
        raise BackupError(f"{source.name} is not signed: only backups written by `rocc backup` can be restored")
    if key is None:
        raise BackupError(
            f"this deployment has no backup key to check {source.name}'s signature with: set ROCC_BACKUP_KEY, or put the "
            f"{KEY_FILE} of the deployment that made the backup in the data directory"
        )
    manifest_bytes = manifest_path.read_bytes()
    if not hmac.compare_digest(signature_path.read_text().strip(), _signature(key, manifest_bytes)):
        try:
            signed_by = json.loads(manifest_bytes).get("key_id", "unknown")
        except (json.JSONDecodeError, AttributeError):
            signed_by = "unknown"
        raise BackupError(
            f"{source.name}'s signature does not match: it was altered after it was written, or it was signed with "
            f"another deployment's backup key (key {signed_by}; this deployment's is {_key_id(key)})"
        )
    try:
        manifest = json.loads(manifest_bytes)
    except json.JSONDecodeError as exc:
        raise BackupError(f"manifest.json is damaged ({exc})") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}; expected {FORMAT}")
    database = (staging / "database.json").read_bytes() if (staging / "database.json").exists() else b""
    if _sha256(database) != manifest["database"]["sha256"]:
        raise BackupError("database.json does not match its checksum: the backup is damaged")
    for name, digest in manifest["files"].items():
        path = staging / "data" / name
        if not path.exists() or _sha256(path.read_bytes()) != digest:
            raise BackupError(f"data/{name} is missing or does not match its checksum: the backup is damaged")
    return manifest, database


def backup_restore(source: Path) -> BackupSummary:
    """Replace the database and data directory with a backup's. All or nothing: any failure leaves
    the current data as it was."""

    data_dir: Path = settings.ROCC_DATA_DIR
    source = source.expanduser().resolve()
    with tempfile.TemporaryDirectory(dir=data_dir.parent, prefix=".rocc-restore-") as tmp:
        staging = Path(tmp)
        manifest, database = _read_archive(source, staging, backup_key(data_dir, create=False))
        applied = sorted(f"{a}.{n}" for a, n in MigrationRecorder(connection).applied_migrations())
        missing = sorted(set(manifest["migrations"]) - set(applied))
        if missing:
            raise BackupError(
                f"the backup was made by a newer rocc (migrations {', '.join(missing[:3])} are not applied here): upgrade rocc and run `rocc migrate` first"
            )
        try:
            objects = list(serializers.deserialize("json", database, ignorenonexistent=False))
        except Exception as exc:  # the deserializer wraps many error types
            raise BackupError(f"database.json cannot be loaded ({exc})") from None

        with transaction.atomic(), disable_auditlog():
            call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
            for obj in objects:
                obj.save()
            _reset_sequences(connection)

            # Swap the data files in last, still inside the transaction: if this fails, the database rolls back.
            restored_root = staging / "data"
            keep = _live_database_files(data_dir)
            for name in manifest["files"]:
                target = data_dir / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(restored_root / name, target.with_name(target.name + ".restoring"))
            for path in _data_files(data_dir):
                relative = str(path.relative_to(data_dir))
                if relative not in manifest["files"] and path.resolve() not in keep and not path.name.endswith(".restoring"):
                    path.unlink()
            for name in manifest["files"]:
                target = data_dir / name
                target.with_name(target.name + ".restoring").replace(target)

        system_event_record(what="restored from backup", details={"backup": source.name, "created": manifest["created"]})
        return BackupSummary(path=source, rows=manifest["database"]["rows"], files=len(manifest["files"]))


def _reset_sequences(connection) -> None:

    statements = connection.ops.sequence_reset_sql(no_style(), list(apps.get_models()))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
