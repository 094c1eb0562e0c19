"""A mixed journey through the portal for locust: members, secretaries and the department.

Run by bench/load.py (which starts gunicorn and writes the user list); by hand:

    BENCH_USERS=/tmp/users.json .venv/bin/locust -f bench/locustfile.py --headless \\
        -u 50 -r 10 -t 60s --host http://127.0.0.1:8031

BENCH_USERS is a JSON file {"member": [...], "secretary": [...], "department": [...]} of
usernames that all use the demo password. Each simulated person signs in through the
login form once (the CSRF token read from the form) and then walks the pages their role
uses, about a second apart. A login that does not land on the home page is a failure and
stops that user: five failed logins from one address would lock the address out.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re

from locust import HttpUser, between, task
from locust.exception import StopUser

PASSWORD = os.environ.get("BENCH_PASSWORD", "shuangzheng-demo")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
NOTE_LINK = re.compile(r'href="/learning/notes/(\d+)/"')
ACTIVITY_LINK = re.compile(r'href="/learning/activities/(\d+)/"')
APPLICATION_LINK = re.compile(r'href="/appraisal/applications/(\d+)/"')
REVIEW_LINK = re.compile(r'href="/appraisal/review/(\d+)/[?"]')


def _load_users() -> dict[str, itertools.cycle]:
    path = os.environ.get("BENCH_USERS")
    names = {"member": ["member"], "secretary": ["secretary"], "department": ["dept"]}
    if path:
        with open(path, encoding="utf-8") as handle:
            names.update({k: v for k, v in json.load(handle).items() if v})
    return {role: itertools.cycle(users) for role, users in names.items()}


USERS = _load_users()


class PortalUser(HttpUser):
    abstract = True
    role = ""
    wait_time = between(0.5, 1.5)  # think time, about a second

    def on_start(self):
        self.username = next(USERS[self.role])
        self.client.headers["Accept-Language"] = "zh-CN,zh;q=0.9"
        form = self.client.get("/accounts/login/", name="login form")
        token = CSRF.search(form.text or "")
        if not token:
            raise StopUser()
        with self.client.post(
            "/accounts/login/",
            data={
                "csrfmiddlewaretoken": token.group(1),
                "username": self.username,
                "password": PASSWORD,
                "next": "/",
            },
            headers={"Referer": self.host + "/accounts/login/"},
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302 or "/accounts/login/" in response.headers.get(
                "Location", ""
            ):
                response.failure(f"login of {self.username} failed: {response.status_code}")
                raise StopUser()
            response.success()
        self.links: dict[str, list[str]] = {}
        self.page("/", "home")

    def page(self, url: str, name: str, remember: re.Pattern | None = None) -> None:
        """GET ``url``; any answer but 200 is a failure. ``remember`` collects detail links."""
        with self.client.get(url, name=name, catch_response=True, allow_redirects=False) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code} for {self.username}")
                return
            if remember is not None:
                found = remember.findall(r.text)
                if found:
                    self.links[remember.pattern] = found[:20]

    def detail(self, pattern: re.Pattern, prefix: str, name: str) -> None:
        ids = self.links.get(pattern.pattern)
        if ids:
            self.page(f"{prefix}{random.choice(ids)}/", name)


class Member(PortalUser):
    role = "member"
    weight = 14

    @task(2)
    def home(self):
        self.page("/", "home [member]")

    @task(3)
    def notes(self):
        self.page("/learning/notes/", "note list [member]", NOTE_LINK)

    @task(3)
    def note(self):
        self.detail(NOTE_LINK, "/learning/notes/", "note detail [member]")

    @task(1)
    def activities(self):
        self.page("/learning/activities/", "activity list [member]", ACTIVITY_LINK)

    @task(1)
    def activity(self):
        self.detail(ACTIVITY_LINK, "/learning/activities/", "activity detail [member]")

    @task(1)
    def five_ones(self):
        self.page("/learning/five-ones/", "five ones [member]")


class Secretary(PortalUser):
    role = "secretary"
    weight = 5

    @task(2)
    def home(self):
        self.page("/", "home [secretary]")

    @task(3)
    def activities(self):
        self.page("/learning/activities/", "activity list [secretary]", ACTIVITY_LINK)

    @task(2)
    def activity(self):
        self.detail(ACTIVITY_LINK, "/learning/activities/", "activity detail [secretary]")

    @task(1)
    def notes(self):
        self.page("/learning/notes/", "note list [secretary]")

    @task(1)
    def dashboard(self):
        self.page("/appraisal/dashboard/", "dashboard [secretary]")

    @task(1)
    def applications(self):
        self.page("/appraisal/applications/", "application list [secretary]")

    @task(1)
    def annual(self):
        self.page("/appraisal/annual/", "annual list [secretary]")


class Department(PortalUser):
    role = "department"
    weight = 1

    @task(2)
    def home(self):
        self.page("/", "home [dept]")

    @task(3)
    def review_queue(self):
        self.page("/appraisal/review/", "review queue [dept]", REVIEW_LINK)

    @task(2)
    def review(self):
        self.detail(REVIEW_LINK, "/appraisal/review/", "review detail [dept]")

    @task(1)
    def dashboard(self):
        self.page("/appraisal/dashboard/", "dashboard [dept]")

    @task(1)
    def annual(self):
        self.page("/appraisal/annual/", "annual list [dept]")

    @task(1)
    def applications(self):
        self.page("/appraisal/applications/", "application list [dept]")
