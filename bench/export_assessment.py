"""Export the annual assessment workbook of the full-size district; print seconds and peak memory.

    .venv/bin/python bench/export_assessment.py [--orgs 5000] [--members 100000] [--keep]

Without DATABASE_URL it builds the district (bench/seed_district.py) into a new SQLite
file in the temporary directory; with DATABASE_URL it uses that database, building the
district first only when it holds no organizations. The export runs as
`manage.py export_assessment` in a child process, so its peak memory (maximum resident
set size, read from the kernel for that process alone) is the export's, not the seeding's.
The target (issue 5): under 30 s and under 300 MB.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TARGET_SECONDS = 30
TARGET_MB = 300


def run_measured(command: list[str], env: dict) -> tuple[float, float, int]:
    """Run ``command``; its wall time in seconds, peak RSS in MB and exit status."""
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.monotonic() - started
    return elapsed, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def organizations_in(env: dict) -> tuple[int, int | None]:
    """How many organizations the database holds, and its latest campaign's year."""
    code = (
        "from campaigns.models import Campaign, Organization;"
        "c = Campaign.objects.order_by('-year').first();"
        "print(Organization.objects.count(), c.year if c else '')"
    )
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return int(out[0]), int(out[1]) if len(out) > 1 else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=5000)
    parser.add_argument("--members", type=int, default=100000)
    parser.add_argument("--keep", action="store_true", help="keep the scratch SQLite file and xlsx")
    args = parser.parse_args()

    env = dict(os.environ, DJANGO_SETTINGS_MODULE="shuangzheng.settings")
    scratch = None
    if not env.get("DATABASE_URL"):
        handle, scratch = tempfile.mkstemp(prefix="bench-export-", suffix=".sqlite3")
        os.close(handle)
        Path(scratch).unlink()
        env["DATABASE_URL"] = f"sqlite:///{scratch}"
    elif env["DATABASE_URL"].startswith(("postgres://", "postgresql://")):
        sys.path.insert(0, str(ROOT / "bench"))
        from seed_district import create_postgres_database

        create_postgres_database(env["DATABASE_URL"])
    out = Path(tempfile.mkdtemp(prefix="bench-export-")) / "assessment.xlsx"
    try:
        subprocess.run([PYTHON, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        organizations, year = organizations_in(env)
        if not organizations:
            print(f"building the district: {args.orgs} organizations, {args.members} members")
            subprocess.run(
                [
                    PYTHON,
                    "bench/seed_district.py",
                    "--orgs",
                    str(args.orgs),
                    "--members",
                    str(args.members),
                    "--keep",
                ],
                cwd=ROOT,
                env=env,
                check=True,
            )
            organizations, year = organizations_in(env)
        seconds, peak_mb, status = run_measured(
            [PYTHON, "manage.py", "export_assessment", "--year", str(year), "--out", str(out)],
            env,
        )
        if status:
            print(f"export_assessment failed with status {status}", file=sys.stderr)
            return status

        from openpyxl import load_workbook

        workbook = load_workbook(out, read_only=True)
        sheets = {ws.title: sum(1 for _row in ws.iter_rows()) for ws in workbook.worksheets}
        workbook.close()
        vendor = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
        print(f"\n{vendor}, {organizations} organizations, campaign {year}")
        for title, rows in sheets.items():
            print(f"  {title:24} {rows:>8,} rows")
        print(f"  file size {out.stat().st_size / 1e6:.1f} MB")
        verdict = "OK" if seconds < TARGET_SECONDS and peak_mb < TARGET_MB else "OVER TARGET"
        print(
            f"export: {seconds:.1f} s, peak memory {peak_mb:.0f} MB "
            f"(target < {TARGET_SECONDS} s, < {TARGET_MB} MB): {verdict}"
        )
        return 0
    finally:
        if args.keep:
            print(f"kept {out}" + (f" and {scratch}" if scratch else ""))
        else:
            out.unlink(missing_ok=True)
            out.parent.rmdir()
            if scratch:
                for suffix in ("", "-wal", "-shm"):
                    Path(scratch + suffix).unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
