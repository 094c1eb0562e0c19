"""Backing up and restoring the portal's database (used by ``manage.py backup`` / ``restore``).

SQLite: the sqlite3 online backup API copies a consistent snapshot page by
page while the portal keeps running, and restores the same way into the live
database file. PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore
--clean --if-exists --no-owner`` with the connection parameters of
``settings.DATABASES`` (the password goes through ``PGPASSWORD``, never on
the command line).

Uploaded files live under ``MEDIA_ROOT``, not in the database: they are
backed up separately (the commands remind the operator).

Each function takes a connection's ``settings_dict`` so that one database
alias can be backed up without touching the others.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from django.utils.translation import gettext as _

SQLITE = "django.db.backends.sqlite3"
POSTGRESQL = "django.db.backends.postgresql"


class BackupError(Exception):
    """A backup or restore could not be done; the message says why, in the user's language."""


def vendor_of(settings_dict: dict) -> str:
    engine = settings_dict["ENGINE"]
    if engine == SQLITE:
        return "sqlite"
    if engine == POSTGRESQL or engine.startswith("django.contrib.gis.db.backends.postgis"):
        return "postgresql"
    raise BackupError(
        _("Backups are supported for SQLite and PostgreSQL only, not %(engine)s.")
        % {"engine": engine}
    )


def backup(settings_dict: dict, out: Path) -> None:
    """Write a backup of the database described by ``settings_dict`` to ``out``."""
    out = Path(out).expanduser()
    if out.exists() and out.is_dir():
        raise BackupError(_("%(file)s is a directory, not a file.") % {"file": out})
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(_cannot_write(out, error)) from None
    if vendor_of(settings_dict) == "sqlite":
        sqlite_backup(str(settings_dict["NAME"]), out)
    else:
        pg_backup(settings_dict, out)


def restore(settings_dict: dict, source: Path) -> None:
    """Replace the database described by ``settings_dict`` with the backup in ``source``.

    The caller closes the process's own connections to that database first.
    """
    source = Path(source).expanduser()
    if not source.is_file():
        raise BackupError(_("There is no backup file %(file)s.") % {"file": source})
    if vendor_of(settings_dict) == "sqlite":
        sqlite_restore(source, str(settings_dict["NAME"]))
    else:
        pg_restore(settings_dict, source)


# ---------------------------------------------------------------- SQLite


def _is_memory(name: str) -> bool:
    return name == ":memory:" or "mode=memory" in name


def _sqlite_connect(name: str, **kwargs) -> sqlite3.Connection:
    return sqlite3.connect(name, uri=name.startswith("file:"), timeout=30, **kwargs)


def _temporary_beside(path: Path) -> Path:
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(handle)
    return Path(name)


def sqlite_backup(db_name: str, out: Path) -> None:
    """Copy the live database into ``out`` with the online backup API.

    Written to a temporary file beside ``out`` and renamed at the end, so an
    interrupted backup never leaves a half-written file under the final name.
    """
    if not _is_memory(db_name) and not Path(db_name).is_file():
        raise BackupError(_("There is no database file %(file)s.") % {"file": db_name})
    partial = _temporary_beside(out)
    try:
        source = _sqlite_connect(db_name)
        target = sqlite3.connect(partial)
        try:
            with target:
                source.backup(target)
            # One self-contained file: no -wal beside it when it is copied elsewhere.
            target.execute("PRAGMA journal_mode=DELETE")
            _check_sqlite(target, partial)
        finally:
            target.close()
            source.close()
        os.replace(partial, out)
    except sqlite3.Error as error:
        raise BackupError(_("The backup failed: %(error)s") % {"error": error}) from None
    except OSError as error:
        raise BackupError(_cannot_write(out, error)) from None
    finally:
        partial.unlink(missing_ok=True)


def _check_sqlite(conn: sqlite3.Connection, path: Path) -> None:
    """A usable backup of this portal: a sound SQLite file with the migration table."""
    try:
        (result,) = conn.execute("PRAGMA quick_check").fetchone()
        has_migrations = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='django_migrations'"
        ).fetchone()
    except sqlite3.DatabaseError:
        result, has_migrations = "not a database", None
    if result != "ok" or not has_migrations:
        raise BackupError(
            _("%(file)s is not a backup of this portal's SQLite database.") % {"file": path}
        )


def sqlite_restore(source: Path, db_name: str) -> None:
    """Copy the backup in ``source`` over the database ``db_name`` with the backup API.

    The backup is checked before anything is written; the copy itself runs
    in one step under SQLite's lock, so other connections see either the old
    database or the restored one.
    """
    if _is_memory(db_name):
        raise BackupError(_("An in-memory database cannot be restored."))
    try:
        backup_conn = sqlite3.connect(f"file:{Path(source).resolve()}?mode=ro", uri=True)
    except sqlite3.Error:
        raise BackupError(
            _("%(file)s is not a backup of this portal's SQLite database.") % {"file": source}
        ) from None
    try:
        _check_sqlite(backup_conn, source)
        target = _sqlite_connect(db_name)
        try:
            backup_conn.backup(target)
        finally:
            target.close()
    except sqlite3.Error as error:
        raise BackupError(_("The restore failed: %(error)s") % {"error": error}) from None
    finally:
        backup_conn.close()


# ---------------------------------------------------------------- PostgreSQL


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            _(
                "%(tool)s was not found. Install the PostgreSQL client tools of the server's "
                "version (Debian: apt-get install postgresql-client)."
            )
            % {"tool": name}
        )
    return found


def _pg_arguments(settings_dict: dict) -> tuple[list[str], dict]:
    """Connection options for the PostgreSQL tools, and their environment (password)."""
    options = settings_dict.get("OPTIONS") or {}
    args = ["--no-password"]
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
        ("passfile", "PGPASSFILE"),
        ("service", "PGSERVICE"),
    ):
        if options.get(option):
            env[variable] = str(options[option])
    return args, env


def _pg_failure(tool: str, stderr: str) -> BackupError:
    if "version mismatch" in stderr or "unsupported version" in stderr:
        return BackupError(
            _(
                "%(tool)s is older than the PostgreSQL server or the backup file. Install the "
                "client tools of the server's version (e.g. postgresql-client-16) and run them "
                "first in PATH. %(detail)s"
            )
            % {"tool": tool, "detail": stderr.strip()}
        )
    return BackupError(_("%(tool)s failed: %(detail)s") % {"tool": tool, "detail": stderr.strip()})


def pg_backup(settings_dict: dict, out: Path) -> None:
    """``pg_dump --format=custom`` of the database into ``out``."""
    pg_dump = _pg_tool("pg_dump")
    args, env = _pg_arguments(settings_dict)
    partial = _temporary_beside(out)
    try:
        result = subprocess.run(
            [
                pg_dump,
                *args,
                "--format=custom",
                "--file",
                str(partial),
                "--dbname",
                str(settings_dict["NAME"]),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise _pg_failure("pg_dump", result.stderr)
        os.replace(partial, out)
    except OSError as error:
        raise BackupError(_cannot_write(out, error)) from None
    finally:
        partial.unlink(missing_ok=True)


def pg_restore(settings_dict: dict, source: Path) -> None:
    """``pg_restore --clean --if-exists --no-owner`` of ``source`` into the database.

    The file is listed first, so a file that is not a custom-format dump is
    refused before the database is touched; the restore itself runs in one
    transaction, so a failure half-way leaves the database as it was.
    """
    tool = _pg_tool("pg_restore")
    listing = subprocess.run(
        [tool, "--list", str(source)], capture_output=True, text=True, check=False
    )
    if listing.returncode != 0:
        if "unsupported version" in listing.stderr:
            raise _pg_failure("pg_restore", listing.stderr)
        raise BackupError(
            _("%(file)s is not a pg_dump custom-format backup (pg_dump --format=custom).")
            % {"file": source}
        )
    args, env = _pg_arguments(settings_dict)
    result = subprocess.run(
        [
            tool,
            *args,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--dbname",
            str(settings_dict["NAME"]),
            str(source),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise _pg_failure("pg_restore", result.stderr)


def _cannot_write(path: Path, error: OSError) -> str:
    return _("Cannot write %(file)s: %(error)s") % {
        "file": path,
        "error": error.strerror or error,
    }
