"""Time the key pages of the full-size district in-process; print median / p95 ms and queries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_pages \\
        .venv/bin/python bench/pages.py [-n 30] [--warmup 3] [--only dashboard]

Each page is requested ``-n`` times (after ``--warmup`` untimed requests) through
Django's test Client, signed in with ``force_login`` as the demo login the page is for
(`dept`, `secretary`, `member`). The time is the server's: from the request entering
the handler to the response leaving it, templates rendered, in this process; the
query count is the number of SQL statements of one request (the last timed one).

Without DATABASE_URL it builds the 5,000-organization / 100,000-member district
(bench/seed_district.py) into a new SQLite file first. The database must already hold
the district and be migrated; ``force_login`` writes a session row per role.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (label, URL name, kwargs, login); a callable kwargs gets the user and returns them.
PAGES = [
    ("home", "home", None, "dept"),
    ("home", "home", None, "secretary"),
    ("home", "home", None, "member"),
    ("note list", "learning:note.list", None, "member"),
    ("note detail", "learning:note.detail", "member_note", "member"),
    ("activity list", "learning:activity.list", None, "secretary"),
    ("activity list", "learning:activity.list", None, "member"),
    ("review queue", "appraisal:review.queue", None, "dept"),
    ("dashboard", "appraisal:dashboard", None, "dept"),
    ("dashboard", "appraisal:dashboard", None, "secretary"),
    ("dashboard organizations", "appraisal:dashboard.organizations", None, "dept"),
    ("annual assessment list", "appraisal:annual.list", None, "dept"),
    ("annual assessment list", "appraisal:annual.list", None, "secretary"),
    ("application list", "appraisal:application.list", None, "dept"),
    ("application list", "appraisal:application.list", None, "secretary"),
]


def percentile(values: list[float], fraction: float) -> float:
    """The value below which ``fraction`` of ``values`` lie (nearest rank)."""
    ordered = sorted(values)
    rank = max(1, round(fraction * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def build_district_if_needed(args) -> str | None:
    """Use DATABASE_URL, or build the district into a scratch SQLite file; that file's path."""
    if os.environ.get("DATABASE_URL"):
        return None
    handle, scratch = tempfile.mkstemp(prefix="bench-pages-", suffix=".sqlite3")
    os.close(handle)
    Path(scratch).unlink()
    os.environ["DATABASE_URL"] = f"sqlite:///{scratch}"
    subprocess.run(
        [
            sys.executable,
            "bench/seed_district.py",
            "--orgs",
            str(args.orgs),
            "--members",
            str(args.members),
            "--keep",
        ],
        cwd=ROOT,
        check=True,
    )
    return scratch


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuangzheng.settings")
    import django

    django.setup()
    from django.conf import settings

    if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def resolve_kwargs(spec, user) -> dict | None:
    if spec is None:
        return None
    if spec == "member_note":
        from learning.models import StudyNote

        note = StudyNote.objects.filter(member__user=user).order_by("-pk").first()
        return {"pk": note.pk} if note else None
    raise ValueError(spec)


def measure(client, url: str, n: int, warmup: int) -> tuple[list[float], int, int]:
    """``n`` timed GETs of ``url``: times in ms, queries of the last, its status."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    status = 0
    for _ in range(warmup):
        status = client.get(url).status_code
    times = []
    queries = 0
    for _ in range(n):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        status = response.status_code
        queries = len(captured.captured_queries)
    return times, queries, status


def run_pages(n: int = 30, warmup: int = 3, only: str = "", show_sql: bool = False) -> list[dict]:
    """Measure every page of PAGES (or those whose label contains ``only``); the rows."""
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=["dept", "secretary", "member"])
    }
    clients = {}
    rows = []
    for label, name, kwargs_spec, login in PAGES:
        if only and only not in label and only not in name:
            continue
        user = users[login]
        if login not in clients:
            client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
            client.force_login(user)
            clients[login] = client
        kwargs = resolve_kwargs(kwargs_spec, user)
        url = reverse(name, kwargs=kwargs)
        times, queries, status = measure(clients[login], url, n, warmup)
        row = {
            "page": label,
            "url": url,
            "role": login,
            "status": status,
            "median": statistics.median(times),
            "p95": percentile(times, 0.95),
            "queries": queries,
        }
        rows.append(row)
        print(
            f"  {label:24} {login:10} {row['median']:8.1f} {row['p95']:8.1f} {queries:5}  {status}",
            file=sys.stderr,
            flush=True,
        )
        if show_sql:
            reset_queries()
            with CaptureQueriesContext(connection) as captured:
                clients[login].get(url)
            for query in captured.captured_queries:
                print(f"    [{query['time']}] {query['sql'][:400]}", file=sys.stderr)
    return rows


def print_table(rows: list[dict]) -> None:
    print("| page | role | URL | median ms | p95 ms | queries | status |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(
            f"| {row['page']} | {row['role']} | `{row['url']}` | {row['median']:.1f} "
            f"| {row['p95']:.1f} | {row['queries']} | {row['status']} |"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=30, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--only", default="", help="only pages whose label or URL name has this")
    parser.add_argument("--sql", action="store_true", help="print each page's SQL once")
    parser.add_argument("--orgs", type=int, default=5000)
    parser.add_argument("--members", type=int, default=100000)
    args = parser.parse_args()

    scratch = build_district_if_needed(args)
    try:
        setup_django()
        from django.db import connection

        print(
            f"{connection.vendor} {connection.settings_dict['NAME']}: "
            f"{args.n} requests per page after {args.warmup} warm-ups",
            file=sys.stderr,
        )
        rows = run_pages(args.n, args.warmup, args.only, args.sql)
        print_table(rows)
        bad = [row for row in rows if row["status"] != 200]
        return 1 if bad else 0
    finally:
        if scratch:
            print(f"kept {scratch}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
