import re, itertools
import pytest
from django.urls import get_resolver, URLPattern, URLResolver, reverse
from campaigns.models import Member
from tests.campaigns.conftest import build_rows
from tests.factories import DepartmentUserFactory

def walk(patterns, prefix="", ns=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern), (ns + ":" if ns else "") + (p.namespace or "") if p.namespace else ns)
        else:
            yield prefix + str(p.pattern), (ns + ":" if ns else "") + (p.name or "")

NASTY = ["<script>alert(1)</script>", "\x00", "abc", "-1", "99999999999999999999", "1e999", "NaN", "", "2099-01-01", "0001-01-01", ";drop", "\u202e\u200d😀" * 3, "x" * 100000]
NAME_RE = re.compile(r'name="([^"]+)"')

@pytest.mark.django_db
def test_fuzz(client, admin_user):
    build_rows(admin_user, year=2026, names=("甲", "乙"))
    dept = DepartmentUserFactory(username="dept")
    users = {"dept": dept, "admin": admin_user}
    for m in Member.objects.select_related("user"):
        users[m.user.username] = m.user
    client.raise_request_exception = False
    out = []
    urls = list(walk(get_resolver().url_patterns))
    for uname, user in users.items():
        client.force_login(user)
        for route, name in urls:
            if "admin" in name or route.startswith("admin") or "logout" in name: continue
            if "<" in route:
                if not re.fullmatch(r"[^<]*<int:pk>[^<]*", route): continue
                paths = ["/" + route.replace("<int:pk>", str(pk)) for pk in (1, 2)]
            else:
                paths = ["/" + route]
            for path in paths:
                r = client.get(path)
                if r.status_code >= 500: out.append(("GET", uname, path, r.status_code))
                if r.status_code != 200: continue
                for q in ["page=abc", "page=-1", "page=99999999999", "year=99999999999", "organization=-1", "organization=abc", "sort=;drop", "order=;drop", "state=zzz", "kind=zz", "start=abc&end=2099-99-99", "q=%00", "q=%FF%FE", "campaign=abc", "organization=99999999999999999999", "member=abc", "missing=zz"]:
                    r2 = client.get(path + "?" + q)
                    if r2.status_code >= 500: out.append(("GETQ", uname, path, q, r2.status_code))
                if r.streaming or "html" not in r.get("Content-Type", ""): continue
                names = sorted(set(NAME_RE.findall(r.content.decode()))- {"csrfmiddlewaretoken"})
                if not names or path.endswith("delete/") or "logout" in path: continue
                for val in NASTY:
                    r3 = client.post(path, {n: val for n in names})
                    if r3.status_code >= 500:
                        out.append(("POST", uname, path, repr(val[:20]), r3.status_code))
        client.logout()
    open("/tmp/badinput/fuzz.txt", "w").write("\n".join(map(str, out)))
    assert not out, len(out)
