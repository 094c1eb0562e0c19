"""Account security: lock-out after failed logins, unlocking, password rules, idle sessions,
forced password changes, and the production security headers."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from campaigns.models import User
from campaigns.services import ensure_department_group

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent
LOGIN_URL = "/accounts/login/"
SECURITY_URL = "/accounts/security/"
UNLOCK_URL = "/accounts/security/unlock/"
REQUIRE_URL = "/accounts/security/password-change/"
START = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)
NEW_PASSWORD = "Xuexi-Qiangguo-2026"


def attempt(username, password, ip="10.0.0.1"):
    """One login through the login page, from ``ip``, in a fresh browser."""
    return Client(HTTP_ACCEPT_LANGUAGE="zh-hans").post(
        LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def logged_in(response) -> bool:
    return response.status_code == 302 and response.client.session.get("_auth_user_id")


def is_lockout_page(response) -> bool:
    content = response.content.decode()
    return response.status_code == 429 and "登录已锁定" in content and "党工委组织部" in content


@pytest.fixture
def zhang(db):
    return UserFactory(username="zhangwei", full_name="张伟")


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


# ---------------------------------------------------------------- lock-out


def test_account_locked_after_five_failures_from_any_addresses(zhang, clock):
    # Five different addresses, so only the account (not an address) reaches the limit.
    for n in range(1, 5):
        assert attempt("zhangwei", "wrong-password", ip=f"10.0.1.{n}").status_code == 200
    assert is_lockout_page(attempt("zhangwei", "wrong-password", ip="10.0.1.5"))

    clock.shift(datetime.timedelta(minutes=1))
    # The right password from a new address is refused too, with the Chinese page.
    refused = attempt("zhangwei", PASSWORD, ip="10.0.1.6")
    assert is_lockout_page(refused)
    assert "15 分钟" in refused.content.decode()
    assert "_auth_user_id" not in refused.client.session
    # Another account from one of those addresses is not affected.
    UserFactory(username="lina")
    assert logged_in(attempt("lina", PASSWORD, ip="10.0.1.1"))

    # One second short of 15 minutes after the fifth failure: still locked.
    clock.move_to(START + datetime.timedelta(minutes=15) - datetime.timedelta(seconds=1))
    assert is_lockout_page(attempt("zhangwei", PASSWORD, ip="10.0.1.7"))
    clock.move_to(START + datetime.timedelta(minutes=15, seconds=1))
    assert logged_in(attempt("zhangwei", PASSWORD, ip="10.0.1.8"))


def test_address_locked_after_five_failures_with_different_names(zhang, clock):
    for name in ("a1", "a2", "a3", "a4"):
        assert attempt(name, "wrong-password", ip="10.0.2.9").status_code == 200
    assert is_lockout_page(attempt("a5", "wrong-password", ip="10.0.2.9"))

    # Even a real account with its right password is refused from that address …
    assert is_lockout_page(attempt("zhangwei", PASSWORD, ip="10.0.2.9"))
    # … but works from another one.
    assert logged_in(attempt("zhangwei", PASSWORD, ip="10.0.2.10"))

    clock.shift(datetime.timedelta(minutes=15, seconds=1))
    assert logged_in(attempt("zhangwei", PASSWORD, ip="10.0.2.9"))


def test_failed_login_page_says_how_many_attempts_are_left(zhang):
    first = attempt("zhangwei", "wrong-password")
    assert "再失败 4 次，登录将被锁定 15 分钟" in first.content.decode()
    for _ in range(2):
        attempt("zhangwei", "wrong-password")
    fourth = attempt("zhangwei", "wrong-password")
    assert "再失败 1 次" in fourth.content.decode()


def test_success_from_an_address_keeps_other_accounts_failures(zhang):
    """Nobody can wipe the count of guesses at another account by logging in to their own."""
    UserFactory(username="lina")
    for _ in range(4):
        attempt("zhangwei", "wrong-password", ip="10.0.5.5")
    assert logged_in(attempt("lina", PASSWORD, ip="10.0.5.5"))

    assert is_lockout_page(attempt("zhangwei", "wrong-password", ip="10.0.5.5"))
    assert is_lockout_page(attempt("zhangwei", PASSWORD, ip="10.0.5.6"))


def test_successful_login_resets_the_failures(zhang):
    for _ in range(4):
        attempt("zhangwei", "wrong-password")
    assert logged_in(attempt("zhangwei", PASSWORD))
    assert not AccessAttempt.objects.filter(username="zhangwei").exists()

    for _ in range(4):
        assert attempt("zhangwei", "wrong-password").status_code == 200
    assert logged_in(attempt("zhangwei", PASSWORD))


# ---------------------------------------------------------------- the department's page


def lock_account(username, ips=("10.0.3.1", "10.0.3.2", "10.0.3.3", "10.0.3.4", "10.0.3.5")):
    for ip in ips:
        attempt(username, "wrong-password", ip=ip)


def lock_address(ip):
    for n in range(5):
        attempt(f"nobody{n}", "wrong-password", ip=ip)


def test_department_sees_and_unlocks_a_locked_account(client, district, zhang):
    lock_account("zhangwei")
    assert is_lockout_page(attempt("zhangwei", PASSWORD, ip="10.0.3.9"))
    client.force_login(district.department)

    page = client.get(SECURITY_URL)
    assert page.status_code == 200
    row = next(lockout for lockout in page.context["accounts"] if lockout.key == "zhangwei")
    assert row.user == zhang and row.failures == 6
    content = page.content.decode()
    assert "已锁定的账号" in content and "张伟" in content and "解锁" in content

    response = client.post(UNLOCK_URL, {"username": "zhangwei"}, follow=True)

    assert response.redirect_chain == [(SECURITY_URL, 302)]
    assert "账号“zhangwei”已解锁" in response.content.decode()
    assert response.context["accounts"] == []
    assert logged_in(attempt("zhangwei", PASSWORD, ip="10.0.3.9"))


def test_department_unlocks_an_address(client, district, zhang):
    lock_address("10.0.4.4")
    assert is_lockout_page(attempt("zhangwei", PASSWORD, ip="10.0.4.4"))
    client.force_login(district.department)

    page = client.get(SECURITY_URL)
    assert [lockout.key for lockout in page.context["addresses"]] == ["10.0.4.4"]
    # Five names tried, each once: no account is locked.
    assert page.context["accounts"] == []

    response = client.post(UNLOCK_URL, {"ip": "10.0.4.4"}, follow=True)

    assert "地址 10.0.4.4 已解锁" in response.content.decode()
    assert logged_in(attempt("zhangwei", PASSWORD, ip="10.0.4.4"))


def test_lockout_shows_when_it_unlocks(client, district, zhang, clock):
    lock_account("zhangwei")
    client.force_login(district.department)

    (row,) = client.get(SECURITY_URL).context["accounts"]

    assert row.last_attempt == START
    assert row.unlocks_at == START + datetime.timedelta(minutes=15)
    assert "2026年6月1日 17:15" in client.get(SECURITY_URL).content.decode()


def test_account_locked_by_spread_out_failures_unlocks_when_enough_have_aged(
    client, district, zhang, clock
):
    """Each failure counts for 15 minutes: five failures a minute apart lock the account
    until the first of them is 15 minutes old."""
    for n in range(5):
        attempt("zhangwei", "wrong-password", ip=f"10.0.6.{n}")
        clock.shift(datetime.timedelta(minutes=1))
    client.force_login(district.department)

    (row,) = client.get(SECURITY_URL).context["accounts"]

    assert row.failures == 5
    assert row.last_attempt == START + datetime.timedelta(minutes=4)
    assert row.unlocks_at == START + datetime.timedelta(minutes=15)
    assert row.others == [f"10.0.6.{n}" for n in range(5)]
    # (An attempt while locked would itself count as a failure and prolong the lock-out.)
    clock.move_to(row.unlocks_at - datetime.timedelta(seconds=1))
    assert [row.key for row in client.get(SECURITY_URL).context["accounts"]] == ["zhangwei"]
    clock.move_to(row.unlocks_at + datetime.timedelta(seconds=1))
    assert client.get(SECURITY_URL).context["accounts"] == []
    assert logged_in(attempt("zhangwei", PASSWORD, ip="10.0.6.9"))


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "请指明要解锁的账号或地址"),
        ({"username": "zhangwei", "ip": "10.0.0.1"}, "请指明要解锁的账号或地址"),
        ({"ip": "not-an-address"}, "请输入有效的 IP 地址"),
    ],
)
def test_unlock_with_bad_input_is_refused_with_a_message(client, district, zhang, data, message):
    lock_account("zhangwei")
    client.force_login(district.department)
    before = AccessAttempt.objects.count()

    response = client.post(UNLOCK_URL, data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert AccessAttempt.objects.count() == before


def test_unlocking_what_is_no_longer_locked_says_so(client, district):
    client.force_login(district.department)
    response = client.post(UNLOCK_URL, {"username": "ghost"}, follow=True)
    assert "无需解锁" in response.content.decode()


@pytest.mark.parametrize("who", ["secretary", "member"])
def test_secretary_and_member_cannot_reach_the_page_or_unlock(client, district, zhang, who):
    lock_account("zhangwei")
    client.force_login(getattr(district, who).user)
    before = AccessAttempt.objects.count()

    assert client.get(SECURITY_URL).status_code == 403
    assert client.post(UNLOCK_URL, {"username": "zhangwei"}).status_code == 403
    assert client.post(REQUIRE_URL, {"user": zhang.pk}).status_code == 403

    assert AccessAttempt.objects.count() == before
    zhang.refresh_from_db()
    assert not zhang.must_change_password


def test_anonymous_is_sent_to_the_login_page(client):
    response = client.get(SECURITY_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


# ---------------------------------------------------------------- forced password change


def test_department_finds_a_user_and_forces_a_password_change(client, district, zhang):
    client.force_login(district.department)

    found = client.get(SECURITY_URL, {"q": "张"})
    assert zhang in found.context["found"]
    assert found.content.decode().count('data-username="zhangwei"') == 1
    assert zhang in client.get(SECURITY_URL, {"q": "zhangw"}).context["found"]

    response = client.post(REQUIRE_URL, {"user": zhang.pk}, follow=True)

    assert "张伟（zhangwei）下次登录时须修改密码" in response.content.decode()
    zhang.refresh_from_db()
    assert zhang.must_change_password
    # Their next request goes to the password change page.
    theirs = Client()
    theirs.force_login(zhang)
    assert theirs.get("/")["Location"] == reverse("password_change")


def test_forced_change_of_an_unknown_user_is_refused(client, district):
    client.force_login(district.department)
    response = client.post(REQUIRE_URL, {"user": 999999})
    assert response.status_code == 400
    assert "没有这个在用账号" in response.content.decode()


def test_user_who_must_change_password_is_sent_there_until_they_do(district):
    user = district.member.user
    user.must_change_password = True
    user.save()
    client = Client()
    client.force_login(user)

    for url in ("/", "/learning/notes/", SECURITY_URL, "/appraisal/dashboard/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("password_change"), url
    assert client.get(reverse("password_change")).status_code == 200

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password
    assert client.get("/").status_code == 200


# ---------------------------------------------------------------- password rules


@pytest.mark.parametrize(
    "password, message",
    [
        ("Ab1!xyz", "密码太短，至少需要 10 个字符"),
        ("abcdefghijkl", "密码须至少混合小写字母、大写字母、数字和符号中的 3 种字符"),
        ("Zhangwei-2026", "密码不能包含您的登录名"),
        ("Password123", "这个密码太常见了"),
    ],
)
def test_password_rules_refuse_with_chinese_messages(client, zhang, password, message):
    client.force_login(zhang)
    old_hash = User.objects.get(pk=zhang.pk).password

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.get(pk=zhang.pk).password == old_hash


def test_password_meeting_every_rule_is_accepted(client, zhang):
    client.force_login(zhang)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert User.objects.get(pk=zhang.pk).check_password(NEW_PASSWORD)


# ---------------------------------------------------------------- idle sessions


def test_session_still_open_after_29_idle_minutes(client, zhang, clock):
    client.force_login(zhang)
    assert client.get("/").status_code == 200

    clock.shift(datetime.timedelta(minutes=29))
    assert client.get("/").status_code == 200
    # That request counts as activity: another 29 minutes later it is still open.
    clock.shift(datetime.timedelta(minutes=29))
    assert client.get("/").status_code == 200


def test_session_ends_after_31_idle_minutes(client, zhang, clock):
    client.force_login(zhang)
    assert client.get("/").status_code == 200

    clock.shift(datetime.timedelta(minutes=31))
    response = client.get("/learning/notes/")

    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN_URL}?next=/learning/notes/")
    assert "_auth_user_id" not in client.session


def test_idle_end_of_a_session_written_since_its_last_seen_time_is_no_error(client, zhang, clock):
    """A page that writes the session (the import summary, …) within the minute after the
    last-seen time keeps the session row alive past 30 idle minutes; the idle check must still
    end it cleanly."""
    client.force_login(zhang)
    assert client.get("/").status_code == 200
    clock.shift(datetime.timedelta(seconds=30))
    session = client.session
    session["import_summary"] = {"organizations": 1}
    session.save()

    # 30 minutes 10 seconds after the last-seen time, 29 minutes 40 seconds after the write.
    clock.shift(datetime.timedelta(minutes=29, seconds=40))
    response = client.get("/learning/notes/")

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_session_ended_by_idleness_says_why_on_the_login_page(client, zhang, clock):
    client.force_login(zhang)
    assert client.get("/").status_code == 200

    clock.shift(datetime.timedelta(minutes=31))
    response = client.get("/learning/notes/", follow=True)

    assert response.redirect_chain[-1][0].startswith(LOGIN_URL)
    assert "您已 30 分钟没有操作" in response.content.decode()


# ---------------------------------------------------------------- production settings

PRODUCTION_PROBE = """
import json
import django
from django.conf import settings
django.setup()
from django.test import Client
from django.test.utils import override_settings

# Only the static files storage differs: no collectstatic manifest exists here.
storages = {**settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
with override_settings(STORAGES=storages):
    client = Client(HTTP_HOST="shuangzheng.example.gov.cn")
    plain = client.get("/accounts/login/")
    page = client.get("/accounts/login/", secure=True)
print(json.dumps({
    "plain_status": plain.status_code,
    "plain_location": plain.get("Location", ""),
    "status": page.status_code,
    "headers": dict(page.headers),
    "csrf_cookie": page.cookies["csrftoken"].output() if "csrftoken" in page.cookies else "",
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
    "session_cookie_httponly": settings.SESSION_COOKIE_HTTPONLY,
}))
"""


def production_env():
    dropped = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        DJANGO_SETTINGS_MODULE="shuangzheng.settings",
        DEBUG="0",
        SECRET_KEY="a-long-random-production-secret-" + "x7Qp2Lm9" * 6,
        ALLOWED_HOSTS="shuangzheng.example.gov.cn",
    )
    return env


def test_production_settings_send_csp_hsts_and_secure_cookies():
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])

    # Plain HTTP is sent to HTTPS.
    assert probe["plain_status"] == 301
    assert probe["plain_location"].startswith("https://")
    assert probe["status"] == 200
    headers = {name.lower(): value for name, value in probe["headers"].items()}
    csp = headers["content-security-policy"]
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    hsts = headers["strict-transport-security"]
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert "Secure" in probe["csrf_cookie"] and "HttpOnly" in probe["csrf_cookie"]
    assert probe["session_cookie_secure"] is True
    assert probe["session_cookie_httponly"] is True


def test_development_pages_carry_the_strict_csp_too(client):
    csp = client.get(LOGIN_URL)["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp


# ---------------------------------------------------------------- django-axes' back-office pages


def test_axes_admin_lists_attempts_in_chinese_and_refuses_adding(admin_client, zhang):
    lock_account("zhangwei")

    changelist = admin_client.get("/admin/axes/accessattempt/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert changelist.status_code == 200
    content = changelist.content.decode()
    assert "登录失败记录" in content and "zhangwei" in content
    assert admin_client.get("/admin/axes/accessattempt/add/").status_code == 403
    assert admin_client.get("/admin/axes/accesslog/add/").status_code == 403
    assert admin_client.get("/admin/axes/accesslog/").status_code == 200
    assert admin_client.get("/admin/axes/accessfailurelog/").status_code == 200


def test_axes_admin_change_page_cannot_alter_an_attempt(admin_client, zhang):
    lock_account("zhangwei")
    record = AccessAttempt.objects.filter(username="zhangwei").first()
    url = f"/admin/axes/accessattempt/{record.pk}/change/"
    assert admin_client.get(url).status_code == 200

    admin_client.post(url, {"username": "someone-else", "failures_since_start": "0"})

    record.refresh_from_db()
    assert record.username == "zhangwei" and record.failures_since_start == 1


def test_department_staff_without_superuser_do_not_see_axes_admin(client, district):
    district.department.groups.add(ensure_department_group())
    client.force_login(district.department)
    assert client.get("/admin/axes/accessattempt/").status_code == 403
