"""Load test: gunicorn on 127.0.0.1 against the district database, driven by locust.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_pages \\
        .venv/bin/python bench/load.py [-u 50] [-r 10] [-t 60s] [--workers 2] [--threads 4]

Collects the static files into a temporary STATIC_ROOT, starts gunicorn with production
settings (DEBUG=0; only SECURE_SSL_REDIRECT and secure cookies off, since this is plain
HTTP on 127.0.0.1), picks member and secretary logins of the district, runs
bench/locustfile.py headless, stops gunicorn and prints requests per second, median and
p95 latency and errors per page. Exits non-zero when any request failed. The database must
hold the district (bench/seed_district.py) and be migrated; logging in writes sessions.
"""

from __future__ import annotations

import argparse
import csv
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

PICK_USERS = """
import json
from campaigns.enums import MemberRole
from campaigns.models import Member
def pick(role, n):
    rows = (Member.objects.filter(role=role, is_active=True, user__is_active=True,
            user__must_change_password=False, organization__is_active=True)
            .exclude(user__username__in=['member', 'secretary', 'secretary2'])
            .order_by('pk').values_list('user__username', flat=True))
    total = rows.count()
    step = max(1, total // n)
    return [rows[i] for i in range(0, min(total, step * n), step)]
print(json.dumps({'member': ['member'] + pick(MemberRole.MEMBER, 60),
                  'secretary': ['secretary'] + pick(MemberRole.SECRETARY, 30),
                  'department': ['dept']}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not answer {url} in {seconds} s")


def summary(prefix: Path) -> tuple[dict, list[dict]]:
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    return total, [row for row in rows if row["Name"] != "Aggregated"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-u", "--users", type=int, default=50)
    parser.add_argument("-r", "--spawn-rate", type=float, default=10)
    parser.add_argument("-t", "--run-time", default="60s")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=0, help="gthread workers with N threads")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--out", default="", help="directory for locust's CSVs and the logs")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url:
        print("Set DATABASE_URL to the district's database.", file=sys.stderr)
        return 2
    out = Path(args.out or tempfile.mkdtemp(prefix="bench-load-"))
    out.mkdir(parents=True, exist_ok=True)
    static_root = tempfile.mkdtemp(prefix="bench-static-")
    port = args.port or free_port()
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="shuangzheng.settings",
        DEBUG="0",
        SECRET_KEY="bench-load-" + os.urandom(16).hex(),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        STATIC_ROOT=static_root,
        LOG_LEVEL="WARNING",
    )
    python = str(BIN / "python")
    subprocess.run(
        [python, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    users = (
        subprocess.run(
            [python, "manage.py", "shell", "-v", "0", "-c", PICK_USERS],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    users_file = out / "users.json"
    users_file.write_text(users, encoding="utf-8")

    command = [
        str(BIN / "gunicorn"),
        "shuangzheng.wsgi",
        "-b",
        f"127.0.0.1:{port}",
        "-w",
        str(args.workers),
        "--access-logfile",
        "-",
        "--timeout",
        "60",
    ]
    if args.threads:
        command += ["--worker-class", "gthread", "--threads", str(args.threads)]
    gunicorn_log = out / "gunicorn.log"
    with open(gunicorn_log, "w") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    host = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{host}/accounts/login/")
        prefix = out / "locust"
        started = time.monotonic()
        locust = subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "-u",
                str(args.users),
                "-r",
                str(args.spawn_rate),
                "-t",
                args.run_time,
                "--host",
                host,
                "--csv",
                str(prefix),
                "--only-summary",
                "--stop-timeout",
                "10",
            ],
            cwd=ROOT,
            env=dict(os.environ, BENCH_USERS=str(users_file)),
            capture_output=True,
            text=True,
        )
        elapsed = time.monotonic() - started
        (out / "locust.log").write_text(locust.stdout + locust.stderr, encoding="utf-8")
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        Path(static_root).exists() and subprocess.run(["rm", "-rf", static_root], check=False)

    total, pages = summary(prefix)
    server_errors = [
        line
        for line in gunicorn_log.read_text(encoding="utf-8", errors="replace").splitlines()
        if "Traceback" in line or "[ERROR]" in line or "CRITICAL" in line
    ]
    mode = (
        f"{args.workers} sync workers"
        if not args.threads
        else (f"{args.workers} gthread workers x {args.threads} threads")
    )
    print(f"\nlocust -u {args.users} -r {args.spawn_rate} -t {args.run_time}, gunicorn {mode}")
    print(f"(ran {elapsed:.0f} s; CSVs and logs in {out})\n")
    print("| request | count | failures | median ms | p95 ms | max ms | req/s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in sorted(pages, key=lambda r: r["Name"]):
        print(
            f"| {row['Name']} | {row['Request Count']} | {row['Failure Count']} "
            f"| {row['Median Response Time']} | {row['95%']} "
            f"| {float(row['Max Response Time']):.0f} "
            f"| {float(row['Requests/s']):.2f} |"
        )
    print(
        f"| **all** | {total['Request Count']} | {total['Failure Count']} "
        f"| {total['Median Response Time']} | {total['95%']} "
        f"| {float(total['Max Response Time']):.0f} | {float(total['Requests/s']):.1f} |"
    )
    failures = int(total["Failure Count"])
    print(
        f"\nrequests/s {float(total['Requests/s']):.1f}, p95 {total['95%']} ms, "
        f"errors {failures}, server errors logged {len(server_errors)}"
    )
    for line in server_errors[:10]:
        print("  " + line)
    if failures:
        failures_csv = Path(f"{prefix}_failures.csv")
        if failures_csv.exists():
            print(failures_csv.read_text(encoding="utf-8"))
    return 1 if failures or locust.returncode not in (0, 1) else 0


if __name__ == "__main__":
    sys.exit(main())
