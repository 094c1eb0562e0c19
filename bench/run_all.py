"""The whole bench in one run: page timings, the assessment export and the PDF batch.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_pages .venv/bin/python bench/run_all.py

The database must hold the full-size district (bench/seed_district.py) and be migrated.
Pages are timed by bench/pages.py in a child; the export (`manage.py export_assessment`)
and the PDF batch (`manage.py export_applications`) each run in a child process whose wall
time and peak resident memory come from os.wait4 (bench/export_assessment.run_measured).
The load test is separate: bench/load.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from export_assessment import organizations_in, run_measured  # noqa: E402

PYTHON = sys.executable


def main() -> int:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="shuangzheng.settings")
    if not env.get("DATABASE_URL"):
        print("Set DATABASE_URL to the district's database.", file=sys.stderr)
        return 2
    organizations, year = organizations_in(env)
    print(f"## Pages ({organizations} organizations, campaign {year})\n", flush=True)
    status = subprocess.run([PYTHON, "bench/pages.py", *sys.argv[1:]], cwd=ROOT, env=env).returncode

    out = Path(tempfile.mkdtemp(prefix="bench-all-"))
    try:
        xlsx = out / "assessment.xlsx"
        seconds, peak, code = run_measured(
            [PYTHON, "manage.py", "export_assessment", "--year", str(year), "--out", str(xlsx)], env
        )
        size = xlsx.stat().st_size / 1e6 if xlsx.exists() else 0
        print("\n## Export and PDF batch\n")
        print("| job | seconds | peak RSS MB | output | exit |")
        print("| --- | ---: | ---: | --- | ---: |")
        print(
            f"| export_assessment --year {year} | {seconds:.1f} | {peak:.0f} "
            f"| {size:.1f} MB xlsx | {code} |",
            flush=True,
        )
        pdfs = out / "pdf"
        seconds, peak, code2 = run_measured(
            [PYTHON, "manage.py", "export_applications", "--year", str(year), "--out", str(pdfs)],
            env,
        )
        files = [p for p in pdfs.rglob("*") if p.is_file()] if pdfs.exists() else []
        size = sum(p.stat().st_size for p in files) / 1e6
        print(
            f"| export_applications --year {year} | {seconds:.1f} | {peak:.0f} "
            f"| {len(files)} files, {size:.1f} MB | {code2} |"
        )
        return status or code or code2
    finally:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
