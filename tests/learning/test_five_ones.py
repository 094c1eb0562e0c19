import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.enums import PlanStatus
from learning.enums import NoteKind, StudyPlanKind
from learning.models import Attendance, ReadingRecord
from learning.selectors import five_ones

from ..factories import (
    BookFactory,
    CampaignFactory,
    StudyActivityFactory,
    StudyNoteFactory,
    StudyPlanFactory,
)

pytestmark = pytest.mark.django_db

MINE = "learning:five_ones.mine"
ROLLUP = "learning:five_ones.organization"


def figure(html: str, name: str) -> str:
    match = re.search(rf'data-figure="{re.escape(name)}"[^>]*>([^<]*)<', html)
    assert match, f"no figure {name!r} on the page"
    return match.group(1).strip()


def personal_plan(campaign, member, status=PlanStatus.FILED):
    filed_at = timezone.now() if status == PlanStatus.FILED else None
    return StudyPlanFactory(
        campaign=campaign,
        organization=member.organization,
        member=member,
        kind=StudyPlanKind.PERSONAL,
        status=status,
        filed_at=filed_at,
    )


def read_book(campaign, member):
    book = BookFactory(organization=member.organization)
    return ReadingRecord.objects.create(campaign=campaign, member=member, book=book)


def write(campaign, member, kind):
    return StudyNoteFactory(campaign=campaign, member=member, kind=kind)


@pytest.fixture
def known(district):
    """The branch's three members this year: one with all five, one with two, one with none."""
    d = district
    d.campaign = campaign = CampaignFactory()
    last_year = CampaignFactory(year=campaign.year - 1)

    personal_plan(campaign, d.member)
    read_book(campaign, d.member)
    for kind in NoteKind:
        write(campaign, d.member, kind)

    personal_plan(campaign, d.fellow)
    write(campaign, d.fellow, NoteKind.REFLECTION)
    write(last_year, d.fellow, NoteKind.EXCHANGE)  # last year's: not counted

    personal_plan(campaign, d.branch_secretary, status=PlanStatus.DRAFT)  # a draft: not counted

    activity = StudyActivityFactory(campaign=campaign, organization=d.branch)
    Attendance.objects.create(activity=activity, member=d.member, hours=Decimal("2.0"))
    Attendance.objects.create(activity=activity, member=d.fellow, hours=Decimal("1.5"))
    old = StudyActivityFactory(campaign=last_year, organization=d.branch)
    Attendance.objects.create(activity=old, member=d.member, hours=Decimal("3.0"))
    return d


# ---------------------------------------------------------------- my “五个一”


def test_five_ones_mine_goes_from_four_to_five_when_the_member_writes_an_exchange(client, district):
    d = district
    campaign = CampaignFactory()
    personal_plan(campaign, d.member)
    read_book(campaign, d.member)
    write(campaign, d.member, NoteKind.NOTE)
    write(campaign, d.member, NoteKind.REFLECTION)
    client.force_login(d.member.user)

    before = client.get(reverse(MINE))
    page = before.content.decode()
    assert figure(page, "five-ones-done") == "4/5"
    assert 'value="4"' in page
    exchange = next(item for item in before.context["items"] if item.key == "exchange")
    assert not exchange.done
    assert exchange.url == reverse("learning:note.create") + "?kind=exchange"

    response = client.post(
        exchange.url,
        {
            "kind": "exchange",
            "title": "学习交流发言",
            "written_on": timezone.localdate().isoformat(),
            "body": "<p>交流体会</p>",
        },
    )
    assert response.status_code == 302

    after = client.get(reverse(MINE))
    page = after.content.decode()
    assert figure(page, "five-ones-done") == "5/5"
    assert 'value="5"' in page
    assert all(item.done for item in after.context["items"])


def test_five_ones_mine_shows_study_hours_and_links(client, known):
    client.force_login(known.fellow.user)

    response = client.get(reverse(MINE))

    page = response.content.decode()
    assert figure(page, "study-hours") == "1.5"
    assert figure(page, "five-ones-done") == "2/5"
    items = {item.key: item for item in response.context["items"]}
    assert items["reflection"].done
    assert items["reflection"].count == 1
    assert items["reflection"].url == reverse("learning:note.list") + "?kind=reflection"
    assert items["notes"].url == reverse("learning:note.create") + "?kind=note"
    assert items["plan"].url == reverse("learning:plan.personal")
    assert not items["book"].done
    assert items["book"].url == reverse("learning:reading.create")


def test_five_ones_link_to_a_page_that_does_not_exist_is_none(monkeypatch):
    monkeypatch.setitem(five_ones.TODO_LINKS, "plan", ("learning:no.such.page", {}))

    assert five_ones.five_ones_link("plan", done=False) is None
    assert five_ones.five_ones_link("notes", done=False).endswith("?kind=note")


def test_five_ones_mine_without_campaign_shows_nothing_done(client, district):
    client.force_login(district.member.user)

    response = client.get(reverse(MINE))

    assert response.status_code == 200
    assert figure(response.content.decode(), "five-ones-done") == "0/5"


def test_five_ones_mine_for_department_is_403(client, district):
    client.force_login(district.department)

    assert client.get(reverse(MINE)).status_code == 403


# ---------------------------------------------------------------- an organization's roll-up


def test_five_ones_organization_figures_for_a_known_branch(client, known):
    client.force_login(known.secretary.user)

    response = client.get(reverse(ROLLUP), {"organization": known.branch.pk})

    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures["members"] == 3
    assert figures["complete"] == 1
    assert figures["complete_rate"] == 33
    assert figures["hours"] == Decimal("3.5")
    assert {item["key"]: (item["count"], item["rate"]) for item in figures["items"]} == {
        "plan": (2, 67),
        "book": (1, 33),
        "notes": (1, 33),
        "reflection": (2, 67),
        "exchange": (1, 33),
    }
    rows = {row.pk: row for row in response.context["rows"]}
    assert set(rows) == {known.member.pk, known.fellow.pk, known.branch_secretary.pk}
    assert rows[known.member.pk].five.complete
    assert rows[known.fellow.pk].five.done == 2
    assert rows[known.fellow.pk].study_hours == Decimal("1.5")
    assert rows[known.branch_secretary.pk].five.done == 0
    page = response.content.decode()
    assert figure(page, "complete-rate") == "33%"


def test_five_ones_organization_missing_filters(client, known):
    client.force_login(known.secretary.user)

    def pks(**query):
        query = {"organization": known.branch.pk, **query}
        return [row.pk for row in client.get(reverse(ROLLUP), query).context["rows"]]

    assert pks(missing="reflection") == [known.branch_secretary.pk]
    assert set(pks(missing="incomplete")) == {known.fellow.pk, known.branch_secretary.pk}
    assert set(pks(missing="book")) == {known.fellow.pk, known.branch_secretary.pk}
    assert pks(sort="-hours") == [known.member.pk, known.fellow.pk, known.branch_secretary.pk]
    assert pks(name=known.fellow.user.full_name) == [known.fellow.pk]
    # The figures stay those of the whole organization whatever the filter.
    response = client.get(reverse(ROLLUP), {"organization": known.branch.pk, "missing": "plan"})
    assert response.context["figures"]["members"] == 3


def test_five_ones_organization_defaults_and_subtree(client, known):
    client.force_login(known.secretary.user)

    own = client.get(reverse(ROLLUP))
    assert own.context["organization"] == known.committee
    assert own.context["figures"]["members"] == 1

    below = client.get(reverse(ROLLUP), {"organization": known.committee.pk, "include_below": "on"})
    assert below.context["figures"]["members"] == 4


def test_five_ones_organization_outside_the_subtree_falls_back_with_an_error(client, known):
    client.force_login(known.branch_secretary.user)

    for value in (known.other_branch.pk, known.committee.pk, "abc"):
        response = client.get(
            reverse(ROLLUP), {"organization": value, "missing": "nonsense", "page": "x"}
        )
        assert response.status_code == 200
        assert response.context["form"].errors
        assert response.context["organization"] == known.branch
        assert response.context["figures"]["members"] == 3


def test_five_ones_organization_for_member_is_403(client, known):
    client.force_login(known.member.user)

    assert client.get(reverse(ROLLUP)).status_code == 403


@pytest.mark.parametrize("fixture", ["small_organization", "big_organization"])
def test_five_ones_organization_query_count(client, request, django_assert_num_queries, fixture):
    organization, secretary, _campaign = request.getfixturevalue(fixture)
    client.force_login(secretary.user)

    with django_assert_num_queries(9):
        response = client.get(reverse(ROLLUP), {"missing": "incomplete", "sort": "-hours"})
    assert response.status_code == 200
    assert response.context["rows"]
    assert response.context["organization"] == organization
