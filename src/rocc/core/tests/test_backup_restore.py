"""Backups are consistent copies that restore on another machine; a failed restore changes nothing."""

from __future__ import annotations

import sqlite3
import tarfile
from pathlib import Path

import pytest

from rocc.testing import copy_data_dir, run


def _count(data_dir: Path, sql: str) -> int:
    with sqlite3.connect(data_dir / "rocc.sqlite3") as db:
        return db.execute(sql).fetchone()[0]


@pytest.fixture(scope="module")
def source_made_once(installed_data_dir, tmp_path_factory) -> Path:
    """A fresh install with an analyst made by the real `rocc createuser` and a file in the event store, made once for
    the module's tests (each takes a copy: ``source``)."""
    data = copy_data_dir(installed_data_dir, tmp_path_factory.mktemp("backup-source") / "source")
    run(
        "createuser", "analyst-w", "--role", "analyst", "--unit", "Waitematā", data_dir=data, check=True, env={"ROCC_PASSWORD": "a-long-and-unusual-passphrase"}
    )
    (data / "events").mkdir()
    (data / "events" / "batch-0001.parquet").write_bytes(b"PAR1 example batch bytes")
    return data


@pytest.fixture
def source(source_made_once, tmp_path) -> Path:
    return copy_data_dir(source_made_once, tmp_path / "source")


def test_a_backup_restores_on_another_machine_with_every_row_file_and_an_intact_audit_trail(source, tmp_path, fresh_install):
    archive = tmp_path / "rocc.tar.gz"
    made = run("backup", str(archive), data_dir=source, check=True)
    assert "Backup written" in made.stdout
    assert (archive.stat().st_mode & 0o777) == 0o600

    assert "Signed with" in made.stdout
    assert not any(name.endswith("backup.key") for name in tarfile.open(archive).getnames()), "the signing key never travels with the archive"

    other = fresh_install("other-machine", defaults=False)  # as `rocc migrate` leaves a new machine
    # The documented way to restore elsewhere: the operator brings the backup key separately.
    (other / "backup.key").write_text((source / "backup.key").read_text())
    restored = run("restore", str(archive), "--yes", data_dir=other, check=True)
    assert "Restored" in restored.stdout

    assert _count(other, "SELECT COUNT(*) FROM auth_user WHERE username = 'analyst-w'") == 1
    assert _count(other, "SELECT COUNT(*) FROM org_orgunit") == _count(source, "SELECT COUNT(*) FROM org_orgunit")
    assert (other / "events" / "batch-0001.parquet").read_bytes() == b"PAR1 example batch bytes"
    assert (other / "secret_key").read_text() == (source / "secret_key").read_text()
    verified = run("audit", "verify", data_dir=other)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    # The restored database goes on working: new rows get fresh ids after the restored ones.
    run("createuser", "viewer-2", "--role", "viewer", "--unit", "Waikato", data_dir=other, check=True, env={"ROCC_PASSWORD": "a-long-and-unusual-passphrase"})


def test_a_damaged_backup_is_refused_and_the_current_data_is_untouched(source, tmp_path, fresh_install):
    archive = tmp_path / "rocc.tar.gz"
    run("backup", str(archive), data_dir=source, check=True)
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as original, tarfile.open(damaged, "w:gz") as copy:
        for member in original.getmembers():
            data = original.extractfile(member).read()
            if member.name == "database.json":
                data = data.replace(b"analyst-w", b"intruder-x")
            member.size = len(data)
            import io

            copy.addfile(member, io.BytesIO(data))

    target = fresh_install("current")
    before_units = _count(target, "SELECT COUNT(*) FROM org_orgunit")
    before_audit = _count(target, "SELECT COUNT(*) FROM audit_auditentry")
    key_before = (target / "secret_key").read_text()

    (target / "backup.key").write_text((source / "backup.key").read_text())
    result = run("restore", str(damaged), "--yes", data_dir=target)
    assert result.returncode == 1
    assert "restore refused, nothing was changed" in result.stderr and "checksum" in result.stderr
    assert _count(target, "SELECT COUNT(*) FROM org_orgunit") == before_units
    assert _count(target, "SELECT COUNT(*) FROM audit_auditentry") == before_audit
    assert (target / "secret_key").read_text() == key_before

    not_a_backup = tmp_path / "notes.tar.gz"
    not_a_backup.write_bytes(b"plain text, not an archive")
    result = run("restore", str(not_a_backup), "--yes", data_dir=target)
    assert result.returncode == 1 and "not a readable rocc backup" in result.stderr and "Traceback" not in result.stderr


def _rewritten(archive: Path, target: Path, change) -> Path:
    """A copy of the archive with ``change(name, data) -> data | None`` applied to each member (None leaves it out)."""
    import io

    with tarfile.open(archive) as original, tarfile.open(target, "w:gz") as copy:
        for member in original.getmembers():
            data = change(member.name, original.extractfile(member).read())
            if data is None:
                continue
            member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
    return target


def test_an_archive_edited_to_make_a_viewer_an_administrator_is_refused_even_with_its_checksums_recomputed(source, tmp_path, fresh_install):
    import hashlib
    import json

    run("createuser", "viewer-v", "--role", "viewer", "--unit", "Waikato", data_dir=source, check=True, env={"ROCC_PASSWORD": "a-long-and-unusual-passphrase"})
    archive = tmp_path / "rocc.tar.gz"
    run("backup", str(archive), data_dir=source, check=True)
    with tarfile.open(archive) as original:
        rows = json.loads(original.extractfile("database.json").read())
    for row in rows:  # the viewer's profile becomes an administrator's, and the user a superuser
        if row["model"] == "org.profile" and row["fields"].get("role") == "viewer":
            row["fields"]["role"] = "administrator"
        if row["model"] == "auth.user" and row["fields"].get("username") == "viewer-v":
            row["fields"]["is_superuser"] = row["fields"]["is_staff"] = True
    edited_database = json.dumps(rows).encode()

    def tamper(name, data):
        if name == "database.json":
            return edited_database
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["database"]["sha256"] = hashlib.sha256(edited_database).hexdigest()
            return json.dumps(manifest, indent=2).encode()
        return data

    tampered = _rewritten(archive, tmp_path / "tampered.tar.gz", tamper)
    unsigned = _rewritten(archive, tmp_path / "unsigned.tar.gz", lambda name, data: None if name == "signature" else data)

    target = fresh_install("current")
    (target / "backup.key").write_text((source / "backup.key").read_text())
    before = _count(target, "SELECT COUNT(*) FROM auth_user"), _count(target, "SELECT COUNT(*) FROM audit_auditentry")
    for candidate, reason in ((tampered, "signature does not match"), (unsigned, "is not signed")):
        result = run("restore", str(candidate), "--yes", data_dir=target)
        assert result.returncode == 1, result.stdout
        assert "restore refused, nothing was changed" in result.stderr and reason in result.stderr, result.stderr
        assert (_count(target, "SELECT COUNT(*) FROM auth_user"), _count(target, "SELECT COUNT(*) FROM audit_auditentry")) == before

    # Another deployment's key cannot vouch for it either, and a machine with no key says how to get one.
    (target / "backup.key").write_text("another-deployments-key\n")
    result = run("restore", str(archive), "--yes", data_dir=target)
    assert result.returncode == 1 and "another deployment's backup key" in result.stderr
    (target / "backup.key").unlink()
    result = run("restore", str(archive), "--yes", data_dir=target)
    assert result.returncode == 1 and "ROCC_BACKUP_KEY" in result.stderr and "Traceback" not in result.stderr


def test_a_restore_is_on_the_audit_trail_and_the_chain_continues_across_it(source, tmp_path, fresh_install):
    archive = tmp_path / "rocc.tar.gz"
    run("backup", str(archive), data_dir=source, check=True, env={"ROCC_BACKUP_KEY": "a-backup-key-kept-apart-from-the-backups"})
    target = fresh_install("current")
    run("restore", str(archive), "--yes", data_dir=target, check=True, env={"ROCC_BACKUP_KEY": "a-backup-key-kept-apart-from-the-backups"})
    with sqlite3.connect(target / "rocc.sqlite3") as db:
        last = db.execute("SELECT object_repr, details FROM audit_auditentry ORDER BY id DESC LIMIT 1").fetchone()
    assert last[0] == "restored from backup" and archive.name in last[1]
    verified = run("audit", "verify", data_dir=target)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def _postgres_available() -> bool:
    import socket

    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", 5432)) == 0


@pytest.mark.postgres
def test_a_backup_from_sqlite_restores_into_postgresql(source, tmp_path):
    import os
    import uuid

    import psycopg

    if not _postgres_available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not running on 127.0.0.1:5432")
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    name = f"rocc_restore_{uuid.uuid4().hex[:8]}"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        archive = tmp_path / "from-sqlite.tar.gz"
        run("backup", str(archive), data_dir=source, check=True)
        target = tmp_path / "pg-machine"
        target.mkdir()
        (target / "backup.key").write_text((source / "backup.key").read_text())
        env = {"DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}"}
        run("migrate", data_dir=target, env=env, check=True)
        run("restore", str(archive), "--yes", data_dir=target, env=env, check=True)
        verified = run("audit", "verify", data_dir=target, env=env)
        assert verified.returncode == 0, verified.stderr
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{name}") as db:
            assert db.execute("SELECT COUNT(*) FROM auth_user WHERE username = 'analyst-w'").fetchone()[0] == 1
            assert db.execute("SELECT COUNT(*) FROM org_orgunit").fetchone()[0] == _count(source, "SELECT COUNT(*) FROM org_orgunit")
        run(
            "createuser",
            "after-restore",
            "--role",
            "viewer",
            "--unit",
            "Waikato",
            data_dir=target,
            check=True,
            env={**env, "ROCC_PASSWORD": "a-long-and-unusual-passphrase"},
        )
    finally:
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
