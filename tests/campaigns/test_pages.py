import datetime
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import time_machine
from django.template import Context, Template, loader
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

from campaigns.models import SHANGHAI, default_application_deadline

from ..factories import PASSWORD, CampaignFactory, UserFactory

pytestmark = pytest.mark.django_db


class _LinkCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in {"src", "href", "action", "srcset", "poster", "data"} and value:
                self.urls.append(value)


def foreign_urls(html: str) -> list[str]:
    """Every src/href/action in the page that points to a host other than the portal."""
    collector = _LinkCollector()
    collector.feed(html)
    foreign = []
    for url in collector.urls:
        parts = urlsplit(url.strip())
        absolute = parts.scheme in {"http", "https"} or url.strip().startswith("//")
        if absolute and parts.hostname != "testserver":
            foreign.append(url)
    return foreign


def login(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


# ---------------------------------------------------------------- login


def test_login_page_renders_in_chinese_by_default(client):
    response = client.get(reverse("login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-Hans">' in html
    assert "用户名" in html
    assert "密码" in html
    assert ">登录</button>" in html


def test_login_page_offers_the_language_switch_as_a_post_form(client):
    html = client.get(reverse("login")).content.decode()
    assert f'action="{reverse("set_language")}" method="post"' in html
    assert 'name="next" value="/accounts/login/"' in html
    assert 'name="language" value="en"' in html


def test_login_with_right_password_redirects_home(client, district):
    response = login(client, "mem")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_login_with_right_password_follows_next(client, district):
    response = client.post(
        reverse("login"),
        {"username": "mem", "password": PASSWORD, "next": reverse("password_change")},
    )
    assert response["Location"] == reverse("password_change")


def test_login_with_wrong_password_shows_chinese_error_and_stays(client, district):
    response = login(client, "mem", "wrong-password")
    html = response.content.decode()
    assert response.status_code == 200
    assert "请输入一个正确的" in html
    assert "_auth_user_id" not in client.session


def test_login_page_sends_a_signed_in_user_home(client, district):
    client.force_login(district.member.user)
    response = client.get(reverse("login"))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_anonymous_home_redirects_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


# ---------------------------------------------------------------- logout


def test_logout_works_via_post(client, district):
    client.force_login(district.member.user)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert client.get(reverse("home")).status_code == 302


def test_logout_by_get_is_refused_and_keeps_the_session(client, district):
    client.force_login(district.member.user)
    assert client.get(reverse("logout")).status_code == 405
    assert client.get(reverse("home")).status_code == 200


def test_pages_offer_logout_as_a_post_form(client, district):
    client.force_login(district.member.user)
    html = client.get(reverse("home")).content.decode()
    assert f'<form method="post" action="{reverse("logout")}">' in html


# ---------------------------------------------------------------- password change


def test_password_change_works(client, district):
    user = district.member.user
    user.must_change_password = True
    user.save()
    client.force_login(user)
    page = client.get(reverse("password_change")).content.decode()
    assert "旧密码" in page and "新密码确认" in page
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "zhengchuang-2026-new",
            "new_password2": "zhengchuang-2026-new",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    assert client.get(reverse("password_change_done")).status_code == 200
    user.refresh_from_db()
    assert user.check_password("zhengchuang-2026-new")
    assert not user.must_change_password


def test_password_change_with_wrong_old_password_shows_chinese_error(client, district):
    user = district.member.user
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "not-it",
            "new_password1": "zhengchuang-2026-new",
            "new_password2": "zhengchuang-2026-new",
        },
    )
    assert response.status_code == 200
    assert "你的旧密码不正确" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_change_requires_login(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_user_told_to_change_password_is_sent_to_change_it_and_told_why(client, district):
    user = district.member.user
    user.must_change_password = True
    user.save()
    client.force_login(user)

    response = client.get(reverse("home"), follow=True)

    assert response.redirect_chain == [(reverse("password_change"), 302)]
    assert "您的密码由管理员设置，请立即设置您自己的密码。" in response.content.decode()


# ---------------------------------------------------------------- language


def test_language_switch_to_english_changes_the_page_language(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    html = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in html
    assert "Username" in html
    assert "用户名" not in html
    # and back
    client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("login")})
    assert "用户名" in client.get(reverse("login")).content.decode()


# ---------------------------------------------------------------- error pages


def test_unknown_page_gets_404_in_the_portal_layout(client, district):
    client.force_login(district.member.user)
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "portal-navbar" in html
    assert "404" in html
    assert foreign_urls(html) == []


def test_500_page_renders_without_context_or_database():
    html = loader.get_template("500.html").render()
    assert "500" in html
    assert "/static/css/portal.css" in html
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert b"portal-navbar" in response.content


# ---------------------------------------------------------------- nothing from another host


PAGES = [
    (None, "login"),
    ("dept", "home"),
    ("sec", "home"),
    ("mem", "home"),
    ("nobody", "home"),
    ("mem", "password_change"),
    ("mem", "password_change_done"),
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(("username", "url_name"), PAGES)
def test_page_loads_nothing_from_another_host(client, district, username, url_name, language):
    CampaignFactory()
    UserFactory(username="nobody")
    client.cookies["django_language"] = language
    if username:
        login(client, username)
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/vendor/bootstrap/bootstrap.min.css" in html
    assert foreign_urls(html) == []
    assert " style=" not in html
    assert "<script>" not in html  # only <script src=…>: no inline script bodies


def test_foreign_url_check_catches_a_cdn_link():
    html = '<link href="https://cdn.example.com/x.css"><img src="//evil.example/x.png"><a href="/">'
    assert foreign_urls(html) == ["https://cdn.example.com/x.css", "//evil.example/x.png"]


# ---------------------------------------------------------------- dates and countdowns


def render(source, **context):
    return Template("{% load portal_tags %}" + source).render(Context(context))


def test_dates_are_written_the_chinese_way_in_chinese():
    day = datetime.date(2026, 9, 30)
    with translation.override("zh-hans"):
        assert render("{{ d|cn_date }}", d=day) == "2026年9月30日"
        assert render("{{ d|cn_weekday }}", d=day) == "周三"
        assert render('{{ d|cn_date:"weekday" }}', d=day) == "2026年9月30日 周三"


def test_dates_read_naturally_in_english():
    day = datetime.date(2026, 9, 30)
    with translation.override("en"):
        assert render('{{ d|cn_date:"weekday" }}', d=day) == "30 Sep 2026, Wed"


def test_times_are_beijing_time_on_a_24_hour_clock():
    moment = datetime.datetime(2026, 9, 30, 16, 30, tzinfo=datetime.UTC)
    with translation.override("zh-hans"):
        assert render("{{ t|cn_datetime }}", t=moment) == "2026年10月1日 00:30"
        assert render("{{ t|cn_weekday }}", t=moment) == "周四"


@pytest.mark.parametrize(
    ("now", "days"),
    [
        (datetime.datetime(2026, 9, 20, 8, 0, tzinfo=SHANGHAI), 10),
        (datetime.datetime(2026, 9, 30, 0, 30, tzinfo=SHANGHAI), 0),
        (datetime.datetime(2026, 9, 30, 23, 59, 58, tzinfo=SHANGHAI), 0),
        (datetime.datetime(2026, 10, 1, 0, 0, tzinfo=SHANGHAI), None),
    ],
)
def test_countdown_counts_beijing_days_to_the_deadline(now, days):
    deadline = default_application_deadline(2026)
    with time_machine.travel(now, tick=False):
        assert render("{{ d|countdown_days|default_if_none:'passed' }}", d=deadline) == str(
            "passed" if days is None else days
        )


def test_countdown_text_before_on_and_after_the_deadline():
    deadline = default_application_deadline(2026)
    source = "{% deadline_countdown d %}"
    with translation.override("en"):
        with time_machine.travel(datetime.datetime(2026, 9, 28, 9, tzinfo=SHANGHAI)):
            assert "2 days left until the deadline" in render(source, d=deadline)
        with time_machine.travel(datetime.datetime(2026, 9, 30, 9, tzinfo=SHANGHAI)):
            assert "Deadline is today" in render(source, d=deadline)
        with time_machine.travel(datetime.datetime(2026, 10, 2, 9, tzinfo=SHANGHAI)):
            assert "Deadline passed" in render(source, d=deadline)


def test_numbers_carry_units_and_lose_useless_fractions():
    from decimal import Decimal

    with translation.override("en"):
        assert render('{{ n|num }} {{ n|unit:"hours" }}', n=Decimal("12.0")) == "12 hours"
        assert render('{{ n|num }} {{ n|unit:"hours" }}', n=Decimal("1.0")) == "1 hour"
        assert render('{{ n|num }} {{ n|unit:"hours" }}', n=Decimal("2.50")) == "2.5 hours"
        assert render('{{ n }} {{ n|unit:"people" }}', n=3) == "3 people"
