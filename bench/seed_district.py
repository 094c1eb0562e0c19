"""Build the big demo district in a scratch database and time it.

    .venv/bin/python bench/seed_district.py [--orgs 5000] [--members 100000] [--keep]

Without DATABASE_URL it uses a new SQLite file in the temporary directory
(deleted afterwards unless --keep). With DATABASE_URL=postgres://… it uses
that database, creating it when it does not exist; it must hold no
organizations yet. Prints the time to migrate, the time seed_demo took and
the rows of every table of the portal's apps.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("campaigns", "learning", "appraisal")


def create_postgres_database(url: str) -> None:
    """Create the database ``url`` names when the server does not have it yet."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    params = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
            print(f"created database {config['NAME']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=5000)
    parser.add_argument("--members", type=int, default=100000)
    parser.add_argument("--keep", action="store_true", help="keep the scratch SQLite file")
    args = parser.parse_args()

    scratch = None
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        handle, scratch = tempfile.mkstemp(prefix="seed-district-", suffix=".sqlite3")
        os.close(handle)
        url = os.environ["DATABASE_URL"] = f"sqlite:///{scratch}"
    elif url.startswith(("postgres://", "postgresql://")):
        create_postgres_database(url)

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuangzheng.settings")
    import django

    django.setup()
    from django.apps import apps
    from django.core.management import call_command
    from django.db import connection

    try:
        started = time.monotonic()
        call_command("migrate", verbosity=0)
        migrated = time.monotonic() - started
        if apps.get_model("campaigns", "Organization").objects.exists():
            print("The database holds organizations already: give an empty one.", file=sys.stderr)
            return 1

        started = time.monotonic()
        call_command("seed_demo", orgs=args.orgs, members=args.members, verbosity=1)
        seeded = time.monotonic() - started

        print(f"\n{connection.vendor} database: {connection.settings_dict['NAME']}")
        total = 0
        for app in APPS:
            for model in apps.get_app_config(app).get_models(include_auto_created=True):
                count = model._default_manager.count()
                total += count
                if count:
                    print(f"  {model._meta.db_table:40} {count:>10,}")
        print(f"  {'total':40} {total:>10,}")
        print(f"migrate: {migrated:.1f} s")
        print(f"seed_demo --orgs {args.orgs} --members {args.members}: {seeded:.1f} s")
        return 0
    finally:
        connection.close()
        if scratch and not args.keep:
            for suffix in ("", "-wal", "-shm"):
                Path(scratch + suffix).unlink(missing_ok=True)
        elif scratch:
            print(f"kept {scratch}")


if __name__ == "__main__":
    sys.exit(main())
