import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_models_and_migrations_agree():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)


def _manage(*args, **env):
    # A clean production-like environment: no test settings, and not the
    # async-safety override the browser tests need.
    dropped = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    full_env = {k: v for k, v in os.environ.items() if k not in dropped}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_with_production_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="a-long-random-production-secret-" + "x7Qp2Lm9" * 6,
        ALLOWED_HOSTS="shuangzheng.example.gov.cn",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", DEBUG="0", SECRET_KEY="", ALLOWED_HOSTS="example.gov.cn")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_translation_catalogue_is_compiled():
    """The set-up compiles the committed .po file; Chinese must work on a fresh clone."""
    from django.utils import translation

    with translation.override("zh-hans"):
        assert translation.gettext("Party organization") == "党组织"


def test_every_ui_string_has_a_chinese_translation():
    result = subprocess.run(
        [sys.executable, "scripts/check_translations.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
