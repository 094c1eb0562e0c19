"""Backup and restore: ``manage.py backup --out FILE`` and ``manage.py restore FILE --yes``.

Round trips on real files and real databases: the portal's data is built
with the factories, backed up, changed and partly deleted, restored, and then
every table is compared with what it held before. On SQLite the test
database lives in memory, so the round trip runs on a file copy of it,
registered as a database alias of its own; on PostgreSQL the dump of the test
database is restored into a scratch database created for the test.
"""

import shutil
import sqlite3
from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, connections

from appraisal.enums import ApplicationKind, ApplicationState
from appraisal.models import Application
from campaigns import backup as backup_module
from campaigns.models import Organization
from learning.enums import NoteKind, StudyPlanKind
from learning.models import Attendance, StudyNote

from ..factories import (
    ApplicationFactory,
    CampaignFactory,
    StudyActivityFactory,
    StudyNoteFactory,
    StudyPlanFactory,
)
from .conftest import build_rows

pytestmark = pytest.mark.django_db(transaction=True)

ALIAS = "backup_round_trip"
OUR_APPS = ("campaigns", "learning", "appraisal")

on_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite round trip (PostgreSQL has its own)"
)
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs the suite to run against PostgreSQL"
)


@pytest.fixture
def portal_data(district, admin_user):
    """The district, every model of the portal (build_rows), and a few recognizable records."""
    campaign = CampaignFactory(year=2026)
    build_rows(admin_user, year=2026, names=("丙",))
    StudyPlanFactory(
        campaign=campaign,
        organization=district.branch,
        member=district.member,
        kind=StudyPlanKind.PERSONAL,
        title="个人学习计划：精读《习近平新时代中国特色社会主义思想学习纲要》",
    )
    note = StudyNoteFactory(
        campaign=campaign,
        member=district.member,
        kind=NoteKind.REFLECTION,
        title="学习心得：以学促干",
        body="<p>“学习型党员”要做到<strong>学用结合</strong>。</p>",
    )
    activity = StudyActivityFactory(
        campaign=campaign,
        organization=district.branch,
        topic="专题讲座：企业发展献一计",
        hours=Decimal("2.5"),
        recorded_by=district.branch_secretary.user,
    )
    Attendance.objects.create(activity=activity, member=district.member, hours=Decimal("2.5"))
    application = ApplicationFactory(
        campaign=campaign,
        kind=ApplicationKind.MEMBER_MODEL,
        organization=district.branch,
        member=district.member,
        created_by=district.branch_secretary.user,
        state=ApplicationState.SUBMITTED,
    )
    return {"note": note, "application": application, "branch": district.branch}


def orm_counts():
    return {
        model._meta.db_table: model._default_manager.count()
        for app in OUR_APPS
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
    }


# ---------------------------------------------------------------- SQLite


def sqlite_tables(path):
    """Every row of every table of the SQLite file, in rowid order: {table: [row, …]}."""
    with sqlite3.connect(path) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {
            table: conn.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()
            for table in tables
        }


def sqlite_row(path, table, pk, columns):
    with sqlite3.connect(path) as conn:
        return conn.execute(
            f"SELECT {', '.join(columns)} FROM {table} WHERE id = ?", [pk]
        ).fetchone()


@pytest.fixture
def portal_file(tmp_path):
    """A file copy of the test database, in WAL mode like the portal's, as alias ALIAS."""
    path = tmp_path / "db.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(path) as target:
        connection.connection.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
    target.close()
    connections.settings[ALIAS] = {**connection.settings_dict, "NAME": str(path)}
    yield path
    connections[ALIAS].close()
    del connections[ALIAS]
    del connections.settings[ALIAS]


@on_sqlite
def test_sqlite_backup_change_restore_round_trip(portal_data, portal_file, tmp_path, capsys):
    before = sqlite_tables(portal_file)
    # The file copy is the test database, table by table.
    for table, count in orm_counts().items():
        assert len(before[table]) == count, table
    assert len(before["learning_studynote"]) >= 2
    note, application, branch = (
        portal_data["note"],
        portal_data["application"],
        portal_data["branch"],
    )

    out = tmp_path / "backups" / "portal-2026-11-30.sqlite3"
    call_command("backup", out=str(out), database=ALIAS)
    assert out.is_file()
    # Uploads are not in the database: the command says where they are.
    assert str(settings.MEDIA_ROOT) in capsys.readouterr().out

    # Life goes on after the backup: rows are changed, deleted and added.
    with sqlite3.connect(portal_file) as conn:
        conn.execute(
            "UPDATE campaigns_organization SET name = '改名党支部' WHERE id = ?", [branch.pk]
        )
        conn.execute(
            "UPDATE appraisal_application SET state = 'draft' WHERE id = ?", [application.pk]
        )
        conn.execute("DELETE FROM learning_notecomment")
        conn.execute("DELETE FROM appraisal_evidence")
        conn.execute("DELETE FROM learning_studynote WHERE id = ?", [note.pk])
        conn.execute("DELETE FROM learning_attendance")
        conn.execute(
            "INSERT INTO django_migrations (app, name, applied) VALUES ('x', 'y', '2026-12-01')"
        )
    conn.close()
    changed = sqlite_tables(portal_file)
    assert changed != before
    assert len(changed["learning_studynote"]) == len(before["learning_studynote"]) - 1

    call_command("restore", str(out), yes=True, database=ALIAS)

    after = sqlite_tables(portal_file)
    assert {table: len(rows) for table, rows in after.items()} == {
        table: len(rows) for table, rows in before.items()
    }
    assert after == before  # every row of every table, field by field
    assert sqlite_row(portal_file, "learning_studynote", note.pk, ["title", "body", "kind"]) == (
        "学习心得：以学促干",
        "<p>“学习型党员”要做到<strong>学用结合</strong>。</p>",
        NoteKind.REFLECTION.value,
    )
    assert sqlite_row(portal_file, "appraisal_application", application.pk, ["state"]) == (
        ApplicationState.SUBMITTED.value,
    )
    assert sqlite_row(portal_file, "campaigns_organization", branch.pk, ["name", "path"]) == (
        branch.name,
        branch.path,
    )


@on_sqlite
def test_sqlite_backup_is_consistent_while_a_writer_is_busy(portal_data, portal_file, tmp_path):
    """The portal keeps running: an uncommitted write is not in the backup, a committed one is."""
    before = sqlite_tables(portal_file)
    writer = sqlite3.connect(portal_file, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("DELETE FROM learning_notecomment")
        writer.execute("UPDATE campaigns_organization SET name = '写了一半'")

        out = tmp_path / "during.sqlite3"
        call_command("backup", out=str(out), database=ALIAS)
        assert sqlite_tables(out) == before

        writer.execute("COMMIT")
    finally:
        writer.close()
    later = tmp_path / "after.sqlite3"
    call_command("backup", out=str(later), database=ALIAS)
    assert sqlite_tables(later)["learning_notecomment"] == []


@on_sqlite
def test_sqlite_backup_of_the_running_default_database(portal_data, tmp_path):
    """The command's default: the database the portal itself uses (here the test database)."""
    out = tmp_path / "default.sqlite3"
    call_command("backup", out=str(out))
    tables = sqlite_tables(out)
    for table, count in orm_counts().items():
        assert len(tables[table]) == count, table
    assert (
        sqlite_row(out, "learning_studynote", portal_data["note"].pk, ["title"])[0]
        == "学习心得：以学促干"
    )


@on_sqlite
def test_restore_without_yes_is_refused_and_changes_nothing(portal_data, portal_file, tmp_path):
    out = tmp_path / "backup.sqlite3"
    call_command("backup", out=str(out), database=ALIAS)
    with sqlite3.connect(portal_file) as conn:
        conn.execute("DELETE FROM learning_notecomment")
    conn.close()
    changed = sqlite_tables(portal_file)

    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(out), database=ALIAS)

    assert sqlite_tables(portal_file) == changed


@on_sqlite
@pytest.mark.parametrize(
    "content",
    [b"", b"not a database at all", b"SQLite format 3\x00" + b"\x00" * 200],
    ids=["empty", "text", "truncated"],
)
def test_restore_of_a_file_that_is_not_a_backup_changes_nothing(
    portal_data, portal_file, tmp_path, content
):
    before = sqlite_tables(portal_file)
    bogus = tmp_path / "bogus.sqlite3"
    bogus.write_bytes(content)

    with pytest.raises(CommandError):
        call_command("restore", str(bogus), yes=True, database=ALIAS)

    assert sqlite_tables(portal_file) == before


@on_sqlite
def test_restore_of_another_sqlite_database_is_refused(portal_data, portal_file, tmp_path):
    before = sqlite_tables(portal_file)
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(CommandError):
        call_command("restore", str(other), yes=True, database=ALIAS)
    assert sqlite_tables(portal_file) == before


@on_sqlite
def test_restore_into_an_in_memory_database_is_refused(portal_data, tmp_path):
    out = tmp_path / "backup.sqlite3"
    call_command("backup", out=str(out))
    with pytest.raises(CommandError):
        call_command("restore", str(out), yes=True)
    assert StudyNote.objects.filter(pk=portal_data["note"].pk).exists()


def test_restore_of_a_missing_file_is_refused(db, tmp_path):
    with pytest.raises(CommandError):
        call_command("restore", str(tmp_path / "nowhere.backup"), yes=True)


def test_backup_onto_a_directory_is_refused(db, tmp_path):
    with pytest.raises(CommandError):
        call_command("backup", out=str(tmp_path))


def test_missing_pg_dump_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    settings_dict = {"ENGINE": "django.db.backends.postgresql", "NAME": "portal"}
    with pytest.raises(backup_module.BackupError, match="pg_dump"):
        backup_module.backup(settings_dict, tmp_path / "portal.dump")
    assert not (tmp_path / "portal.dump").exists()


def test_unsupported_database_is_refused(tmp_path):
    with pytest.raises(backup_module.BackupError, match="oracle"):
        backup_module.backup({"ENGINE": "django.db.backends.oracle"}, tmp_path / "x")


# ---------------------------------------------------------------- PostgreSQL


def pg_connect(dbname):
    import psycopg

    settings_dict = connection.settings_dict
    return psycopg.connect(
        dbname=dbname,
        host=settings_dict.get("HOST") or None,
        port=settings_dict.get("PORT") or None,
        user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None,
        autocommit=True,
    )


def pg_tables(dbname):
    """Row counts of every table in the public schema, and the study notes in full."""
    with pg_connect(dbname) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
            )
        ]
        counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        notes = conn.execute("SELECT * FROM learning_studynote ORDER BY id").fetchall()
        applications = conn.execute("SELECT * FROM appraisal_application ORDER BY id").fetchall()
        organizations = conn.execute("SELECT * FROM campaigns_organization ORDER BY id").fetchall()
    return counts, {"notes": notes, "applications": applications, "organizations": organizations}


@pytest.fixture
def scratch_database():
    """An empty PostgreSQL database beside the test database, as alias ALIAS; dropped after."""
    name = f"{connection.settings_dict['NAME']}_restore"[:63]
    with pg_connect("postgres") as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    connections.settings[ALIAS] = {**connection.settings_dict, "NAME": name}
    try:
        yield name
    finally:
        connections[ALIAS].close()
        del connections[ALIAS]
        del connections.settings[ALIAS]
        with pg_connect("postgres") as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@on_postgresql
@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
def test_postgresql_dump_and_restore_round_trip(portal_data, scratch_database, tmp_path):
    source = connection.settings_dict["NAME"]
    before_counts, before_rows = pg_tables(source)
    for table, count in orm_counts().items():
        assert before_counts[table] == count, table

    out = tmp_path / "portal.dump"
    call_command("backup", out=str(out))
    assert out.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format

    call_command("restore", str(out), yes=True, database=ALIAS)
    assert pg_tables(scratch_database) == (before_counts, before_rows)

    # Life goes on in the restored copy; restoring again (--clean) puts it back.
    note, application = portal_data["note"], portal_data["application"]
    with pg_connect(scratch_database) as conn:
        conn.execute("DELETE FROM appraisal_evidence")
        conn.execute("DELETE FROM learning_notecomment")
        conn.execute("DELETE FROM learning_studynote WHERE id = %s", [note.pk])
        conn.execute(
            "UPDATE appraisal_application SET state = 'draft' WHERE id = %s", [application.pk]
        )
        conn.execute("UPDATE campaigns_organization SET name = '改名党支部'")
    assert pg_tables(scratch_database) != (before_counts, before_rows)

    call_command("restore", str(out), yes=True, database=ALIAS)
    assert pg_tables(scratch_database) == (before_counts, before_rows)
    with pg_connect(scratch_database) as conn:
        assert conn.execute(
            "SELECT title, body FROM learning_studynote WHERE id = %s", [note.pk]
        ).fetchone() == (note.title, note.body)
    # The restored database is a working portal database: sequences continue past the rows.
    with pg_connect(scratch_database) as conn:
        next_id = conn.execute(
            "SELECT nextval(pg_get_serial_sequence('campaigns_organization', 'id'))"
        ).fetchone()[0]
    assert next_id > Organization.objects.order_by("-pk").first().pk


@on_postgresql
@pytest.mark.skipif(shutil.which("pg_restore") is None, reason="pg_restore is not installed")
def test_postgresql_restore_of_a_file_that_is_not_a_dump_changes_nothing(
    portal_data, scratch_database, tmp_path
):
    out = tmp_path / "portal.dump"
    call_command("backup", out=str(out))
    call_command("restore", str(out), yes=True, database=ALIAS)
    before = pg_tables(scratch_database)

    bogus = tmp_path / "bogus.dump"
    bogus.write_bytes(b"PGDMP but not really")
    with pytest.raises(CommandError):
        call_command("restore", str(bogus), yes=True, database=ALIAS)
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(out), database=ALIAS)

    assert pg_tables(scratch_database) == before
    assert Application.objects.filter(pk=portal_data["application"].pk).exists()


def test_pg_dump_older_than_the_server_says_so_and_leaves_no_file(tmp_path, monkeypatch):
    """pg_dump refuses a newer server; the message tells which client tools to install."""
    tools = tmp_path / "bin"
    tools.mkdir()
    fake = tools / "pg_dump"  # stands in for an old pg_dump facing a newer server
    fake.write_text(
        "#!/bin/sh\n"
        "echo 'pg_dump: error: aborting because of server version mismatch' >&2\n"
        "echo 'pg_dump: detail: server version: 17.2; pg_dump version: 15.20' >&2\n"
        "exit 1\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tools))
    out_dir = tmp_path / "out"
    settings_dict = {"ENGINE": "django.db.backends.postgresql", "NAME": "portal"}

    with pytest.raises(backup_module.BackupError) as refused:
        backup_module.backup(settings_dict, out_dir / "portal.dump")

    assert "postgresql-client-16" in str(refused.value)
    assert "server version: 17.2" in str(refused.value)
    assert list(out_dir.iterdir()) == []


def test_password_goes_through_the_environment_not_the_command_line(tmp_path, monkeypatch):
    tools = tmp_path / "bin"
    tools.mkdir()
    seen = tmp_path / "seen"
    fake = tools / "pg_dump"  # records how it was called, then writes a dump file
    fake.write_text(
        "#!/bin/sh\n"
        f'echo "$@" > {seen}.args\n'
        f'echo "$PGPASSWORD" > {seen}.env\n'
        'while [ "$1" != "--file" ]; do shift; done\n'
        'echo PGDMP > "$2"\n'
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tools))
    settings_dict = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "portal",
        "HOST": "db.internal",
        "PORT": 5433,
        "USER": "portal",
        "PASSWORD": "s3cret-Passw0rd",
    }

    backup_module.backup(settings_dict, tmp_path / "portal.dump")

    args = (tmp_path / "seen.args").read_text()
    assert "s3cret" not in args
    assert "--host db.internal --port 5433 --username portal" in args
    assert "--format=custom" in args
    assert (tmp_path / "seen.env").read_text().strip() == "s3cret-Passw0rd"
    assert (tmp_path / "portal.dump").read_text().strip() == "PGDMP"
