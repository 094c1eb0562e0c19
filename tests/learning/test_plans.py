import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from campaigns.enums import PlanStatus
from campaigns.models import Campaign, ImplementationPlan, Member
from campaigns.selectors import with_five_ones
from learning.enums import ActivityForm, StudyPlanKind
from learning.models import StudyPlan, StudyPlanItem
from learning.services import plans as services

from ..factories import (
    CampaignFactory,
    ImplementationPlanFactory,
    StudyActivityFactory,
    StudyPlanFactory,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


# ---------------------------------------------------------------- helpers


@pytest.fixture
def campaign(db):
    return CampaignFactory()


def day(campaign, month, date):
    return datetime.date(campaign.year, month, date)


def items_data(rows, *, initial=0, blank=0):
    """The formset's POST fields for ``rows`` (dicts of item fields) plus ``blank`` empty rows."""
    data = {
        "items-TOTAL_FORMS": str(len(rows) + blank),
        "items-INITIAL_FORMS": str(initial),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"items-{index}-{key}"] = value
    return data


def row(topic, date, *, form=ActivityForm.CONCENTRATED_STUDY, speaker="", hours="2", **extra):
    return {
        "topic": topic,
        "scheduled_on": date.isoformat() if isinstance(date, datetime.date) else date,
        "form": form,
        "speaker": speaker,
        "hours": hours,
        **extra,
    }


def annual_post(organization, rows, *, title="", key_content="学习党章党规", blank=1, **extra):
    return {
        "organization": organization.pk,
        "kind": StudyPlanKind.ORGANIZATION_ANNUAL,
        "quarter": "",
        "title": title,
        "key_content": key_content,
        **items_data(rows, blank=blank),
        **extra,
    }


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def make_plan(campaign, organization, *, status=PlanStatus.DRAFT, items=2, **kwargs):
    filed = {}
    if status == PlanStatus.FILED:
        filed = {"filed_at": timezone.now()}
    plan = StudyPlanFactory(
        campaign=campaign, organization=organization, status=status, **filed, **kwargs
    )
    for position in range(1, items + 1):
        StudyPlanItem.objects.create(
            plan=plan,
            position=position,
            topic=f"第{position}次学习",
            scheduled_on=day(campaign, position + 2, 10),
            form=ActivityForm.LECTURE,
            hours=Decimal("1.5"),
        )
    return plan


# ---------------------------------------------------------------- create / edit


def test_plan_create_annual_with_items_saves_a_draft(client, district, campaign):
    client.force_login(district.secretary.user)
    response = client.post(
        reverse("learning:plan.create"),
        annual_post(
            district.committee,
            [
                row("学习党章", day(campaign, 3, 5), speaker="张书记", hours="2.5"),
                row("专题讲座", day(campaign, 4, 9), form=ActivityForm.LECTURE),
            ],
        ),
    )
    plan = StudyPlan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("learning:plan.detail", args=[plan.pk])
    assert plan.kind == StudyPlanKind.ORGANIZATION_ANNUAL
    assert plan.organization == district.committee
    assert plan.status == PlanStatus.DRAFT
    assert str(campaign.year) in plan.title
    items = list(plan.items.order_by("position"))
    assert [(i.position, i.topic, i.speaker, i.hours) for i in items] == [
        (1, "学习党章", "张书记", Decimal("2.5")),
        (2, "专题讲座", "", Decimal("2")),
    ]
    detail = client.get(response["Location"])
    assert detail.status_code == 200
    assert "学习党章" in detail.content.decode()


def test_plan_create_page_offers_three_blank_rows_without_javascript(client, district, campaign):
    client.force_login(district.secretary.user)
    html = client.get(reverse("learning:plan.create")).content.decode()
    assert 'name="items-TOTAL_FORMS" value="3"' in html
    for index in range(3):
        assert f'name="items-{index}-topic"' in html
    assert "<script>" not in html
    assert " style=" not in html


def test_plan_create_quarterly_for_a_branch_below(client, district, campaign):
    client.force_login(district.secretary.user)
    data = annual_post(district.branch, [row("小组研讨", day(campaign, 5, 6))])
    data.update(kind=StudyPlanKind.ORGANIZATION_QUARTERLY, quarter="2")
    response = client.post(reverse("learning:plan.create"), data)
    assert response.status_code == 302
    plan = StudyPlan.objects.get()
    assert (plan.organization, plan.quarter) == (district.branch, 2)


def test_plan_create_quarterly_without_quarter_is_refused(client, district, campaign):
    client.force_login(district.secretary.user)
    data = annual_post(district.committee, [])
    data["kind"] = StudyPlanKind.ORGANIZATION_QUARTERLY
    response = client.post(reverse("learning:plan.create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["quarter"]
    assert not StudyPlan.objects.exists()


def test_plan_create_for_an_organization_not_managed_is_refused(client, district, campaign):
    client.force_login(district.branch_secretary.user)
    for organization in (district.committee, district.other_branch):
        response = client.post(reverse("learning:plan.create"), annual_post(organization, []))
        assert response.status_code == 200
        assert response.context["form"].errors["organization"]
    assert not StudyPlan.objects.exists()


def test_plan_create_defaults_to_own_organization_and_preselects_from_query(
    client, district, campaign
):
    client.force_login(district.secretary.user)
    form = client.get(reverse("learning:plan.create")).context["form"]
    assert form.initial["organization"] == district.committee.pk
    url = reverse("learning:plan.create")
    form = client.get(
        f"{url}?organization={district.branch.pk}&kind=org_quarterly&quarter=3"
    ).context["form"]
    assert form.initial == {
        "organization": district.branch.pk,
        "kind": "org_quarterly",
        "quarter": 3,
    }
    # Someone else's organization and nonsense are ignored, not an error.
    response = client.get(f"{url}?organization={district.other_branch.pk}&quarter=x&kind=y")
    assert response.status_code == 200
    assert response.context["form"].initial == {"organization": district.committee.pk}


def test_plan_create_duplicate_annual_gives_a_message_not_a_500(client, district, campaign):
    existing = make_plan(campaign, district.committee, title="已有年度计划")
    client.force_login(district.secretary.user)
    response = client.post(
        reverse("learning:plan.create"),
        annual_post(district.committee, [row("学习", day(campaign, 3, 1))]),
    )
    assert response.status_code == 200
    assert any("已有年度计划" in message for message in messages_of(response))
    assert response.context["existing"] == existing
    assert StudyPlan.objects.count() == 1
    assert existing.items.count() == 2


def test_plan_create_service_turns_a_race_into_a_friendly_error(district, campaign):
    make_plan(campaign, district.committee)
    with pytest.raises(services.DuplicatePlanError) as caught:
        services.plan_create(
            user=district.secretary.user,
            campaign=campaign,
            kind=StudyPlanKind.ORGANIZATION_ANNUAL,
            organization=district.committee,
        )
    assert district.committee.name in caught.value.messages[0]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("scheduled_on", "outside"),
        ("hours", "-1"),
        ("hours", "25"),
        ("scheduled_on", "2026-02-30"),
        ("form", "not-a-form"),
    ],
)
def test_plan_create_with_a_bad_item_is_refused_and_writes_nothing(
    client, district, campaign, field, value
):
    if value == "outside":
        value = day(campaign, 6, 1).replace(year=campaign.year - 1).isoformat()
    client.force_login(district.secretary.user)
    bad = row("学习", day(campaign, 3, 1))
    bad[field] = value
    response = client.post(
        reverse("learning:plan.create"),
        annual_post(district.committee, [row("好的一行", day(campaign, 3, 2)), bad]),
    )
    assert response.status_code == 200
    assert response.context["formset"].forms[1].errors[field]
    assert not StudyPlan.objects.exists()
    assert not StudyPlanItem.objects.exists()


def test_plan_item_date_outside_year_message_names_the_year(client, district, campaign):
    client.force_login(district.secretary.user)
    outside = datetime.date(campaign.year + 1, 1, 5)
    response = client.post(
        reverse("learning:plan.create"),
        annual_post(district.committee, [row("学习", outside)]),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    errors = response.context["formset"].forms[0].errors["scheduled_on"]
    assert str(campaign.year) in errors[0]


def test_plan_services_check_items_even_without_the_form(district, campaign):
    bad_items = [
        services.PlanItemData(topic="", scheduled_on=day(campaign, 3, 1)),
        services.PlanItemData(topic="学习", scheduled_on=datetime.date(campaign.year - 1, 3, 1)),
        services.PlanItemData(topic="学习", hours=Decimal("-0.5")),
        services.PlanItemData(topic="学习", hours=Decimal("30")),
        services.PlanItemData(topic="学习", form="bogus"),
    ]
    with pytest.raises(ValidationError) as caught:
        services.plan_create(
            user=district.secretary.user,
            campaign=campaign,
            kind=StudyPlanKind.ORGANIZATION_ANNUAL,
            organization=district.committee,
            items=bad_items,
        )
    assert len(caught.value.messages) == 5
    assert not StudyPlan.objects.exists()


def test_plan_edit_updates_keeps_removes_and_adds_items(client, district, campaign):
    plan = make_plan(campaign, district.committee, items=2)
    first, second = plan.items.order_by("position")
    activity = StudyActivityFactory(
        campaign=campaign, organization=district.committee, plan_item=first
    )
    client.force_login(district.secretary.user)
    data = {
        "title": "修改后的计划",
        "key_content": "新的重点学习内容",
        **items_data(
            [
                row("改过的主题", day(campaign, 3, 8), id=first.pk),
                row("删掉", day(campaign, 4, 8), id=second.pk, DELETE="on"),
                row("新加的", day(campaign, 9, 1), hours="3"),
            ],
            initial=2,
            blank=1,
        ),
    }
    response = client.post(reverse("learning:plan.edit", args=[plan.pk]), data)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.title, plan.key_content) == ("修改后的计划", "新的重点学习内容")
    assert [(i.pk == first.pk, i.topic) for i in plan.items.order_by("position")] == [
        (True, "改过的主题"),
        (False, "新加的"),
    ]
    activity.refresh_from_db()
    assert activity.plan_item_id == first.pk


def test_plan_edit_refuses_an_item_of_another_plan(client, district, campaign):
    plan = make_plan(campaign, district.committee, items=1)
    other = make_plan(campaign, district.other_committee, items=1)
    foreign = other.items.get()
    client.force_login(district.secretary.user)
    data = {
        "title": "计划",
        "key_content": "",
        **items_data([row("偷换", day(campaign, 3, 8), id=foreign.pk)], initial=1),
    }
    response = client.post(reverse("learning:plan.edit", args=[plan.pk]), data)
    assert response.status_code == 200
    foreign.refresh_from_db()
    assert foreign.topic == "第1次学习"
    assert foreign.plan == other


# ---------------------------------------------------------------- file / reopen / delete


def test_plan_file_makes_it_read_only(client, district, campaign):
    plan = make_plan(campaign, district.committee)
    client.force_login(district.secretary.user)
    response = client.post(reverse("learning:plan.file", args=[plan.pk]), follow=True)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.FILED
    assert plan.filed_by == district.secretary.user
    assert plan.filed_at is not None
    assert 'data-status="filed"' in response.content.decode()
    assert 'data-action="edit"' not in response.content.decode()

    # Edit: GET and POST are sent back to the plan with a message; nothing changes.
    edit = reverse("learning:plan.edit", args=[plan.pk])
    response = client.get(edit, follow=True)
    assert response.redirect_chain[-1][0] == reverse("learning:plan.detail", args=[plan.pk])
    assert messages_of(response)
    response = client.post(
        edit, {"title": "偷改", "key_content": "", **items_data([], initial=0)}, follow=True
    )
    assert messages_of(response)
    # Delete and filing again are refused too.
    response = client.post(reverse("learning:plan.delete", args=[plan.pk]), follow=True)
    assert messages_of(response)
    response = client.post(reverse("learning:plan.file", args=[plan.pk]), follow=True)
    assert messages_of(response)
    plan.refresh_from_db()
    assert plan.title == "年度学习计划"
    assert plan.items.count() == 2
    with pytest.raises(ValidationError):
        services.plan_update(
            user=district.secretary.user, plan=plan, title="x", key_content="", items=[]
        )


def test_plan_file_refuses_an_empty_plan(client, district, campaign):
    plan = make_plan(campaign, district.committee, items=0, key_content="")
    client.force_login(district.secretary.user)
    response = client.post(reverse("learning:plan.file", args=[plan.pk]), follow=True)
    assert messages_of(response)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_plan_reopen_lets_the_secretary_edit_again(client, district, campaign):
    plan = make_plan(campaign, district.branch, status=PlanStatus.FILED)
    client.force_login(district.secretary.user)
    response = client.post(reverse("learning:plan.reopen", args=[plan.pk]))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.filed_at, plan.filed_by) == (PlanStatus.DRAFT, None, None)
    assert client.get(reverse("learning:plan.edit", args=[plan.pk])).status_code == 200
    # Reopening a draft is refused with a message.
    response = client.post(reverse("learning:plan.reopen", args=[plan.pk]), follow=True)
    assert messages_of(response)


def test_plan_delete_confirms_then_deletes_a_draft(client, district, campaign):
    plan = make_plan(campaign, district.committee)
    client.force_login(district.secretary.user)
    url = reverse("learning:plan.delete", args=[plan.pk])
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response["Location"] == reverse("learning:plan.list")
    assert not StudyPlan.objects.exists()
    assert not StudyPlanItem.objects.exists()


def test_plan_actions_need_post(client, district, campaign):
    plan = make_plan(campaign, district.committee)
    client.force_login(district.secretary.user)
    for name in ("plan.file", "plan.reopen"):
        assert client.get(reverse(f"learning:{name}", args=[plan.pk])).status_code == 405
    assert client.get(reverse("learning:plan.copy")).status_code == 405


# ---------------------------------------------------------------- copy from last year


def test_plan_copy_from_last_year_moves_dates_and_copies_items(district):
    last = CampaignFactory(year=2024)
    this = CampaignFactory(year=2025)
    source = StudyPlanFactory(
        campaign=last,
        organization=district.committee,
        title="2024年度学习计划",
        key_content="2024年重点：学习党章",
        status=PlanStatus.FILED,
        filed_at=timezone.now(),
    )
    StudyPlanItem.objects.create(
        plan=source, position=1, topic="闰日学习", scheduled_on=datetime.date(2024, 2, 29)
    )
    StudyPlanItem.objects.create(
        plan=source,
        position=2,
        topic="专题讲座",
        scheduled_on=datetime.date(2024, 7, 1),
        form=ActivityForm.LECTURE,
        speaker="李老师",
        hours=Decimal("3"),
    )
    StudyPlanItem.objects.create(plan=source, position=3, topic="待定")

    plan = services.plan_copy_from_last_year(
        user=district.secretary.user,
        campaign=this,
        kind=StudyPlanKind.ORGANIZATION_ANNUAL,
        organization=district.committee,
    )
    assert (plan.campaign, plan.status, plan.title) == (this, PlanStatus.DRAFT, "2025年度学习计划")
    assert plan.key_content == "2025年重点：学习党章"
    assert [
        (i.topic, i.scheduled_on, i.form, i.speaker, i.hours)
        for i in plan.items.order_by("position")
    ] == [
        ("闰日学习", datetime.date(2025, 2, 28), "", "", Decimal("0")),
        ("专题讲座", datetime.date(2025, 7, 1), ActivityForm.LECTURE, "李老师", Decimal("3")),
        ("待定", None, "", "", Decimal("0")),
    ]
    # The source is untouched, and a second copy is refused (no duplicate).
    assert source.items.count() == 3
    with pytest.raises(services.DuplicatePlanError):
        services.plan_copy_from_last_year(
            user=district.secretary.user,
            campaign=this,
            kind=StudyPlanKind.ORGANIZATION_ANNUAL,
            organization=district.committee,
        )
    assert StudyPlan.objects.filter(campaign=this).count() == 1


def test_shift_year_turns_leap_day_into_28_february():
    assert services.shift_year(datetime.date(2024, 2, 29), 1) == datetime.date(2025, 2, 28)
    assert services.shift_year(datetime.date(2025, 3, 1), 1) == datetime.date(2026, 3, 1)
    assert services.shift_year(None, 1) is None


def test_plan_copy_view_redirects_to_the_new_draft(client, district, campaign):
    last = CampaignFactory(year=campaign.year - 1)
    source = make_plan(last, district.branch, kind=StudyPlanKind.ORGANIZATION_QUARTERLY, quarter=3)
    client.force_login(district.secretary.user)
    response = client.post(
        reverse("learning:plan.copy"),
        {"organization": district.branch.pk, "kind": "org_quarterly", "quarter": "3"},
    )
    plan = StudyPlan.objects.get(campaign=campaign)
    assert response["Location"] == reverse("learning:plan.edit", args=[plan.pk])
    assert (plan.kind, plan.quarter, plan.organization) == (
        StudyPlanKind.ORGANIZATION_QUARTERLY,
        3,
        district.branch,
    )
    shifted = [i.scheduled_on for i in plan.items.order_by("position")]
    assert shifted == [
        services.shift_year(i.scheduled_on, 1) for i in source.items.order_by("position")
    ]


def test_plan_copy_without_last_years_plan_says_so(client, district, campaign):
    client.force_login(district.secretary.user)
    response = client.post(
        reverse("learning:plan.copy"),
        {"organization": district.committee.pk, "kind": "org_annual"},
        follow=True,
    )
    assert response.status_code == 200
    assert any(str(campaign.year - 1) in message for message in messages_of(response))
    assert not StudyPlan.objects.exists()


def test_plan_copy_when_this_years_plan_exists_says_so(client, district, campaign):
    last = CampaignFactory(year=campaign.year - 1)
    make_plan(last, district.committee)
    existing = make_plan(campaign, district.committee, title="今年已有")
    client.force_login(district.secretary.user)
    response = client.post(
        reverse("learning:plan.copy"),
        {"organization": district.committee.pk, "kind": "org_annual"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("learning:plan.detail", args=[existing.pk])
    assert any("今年已有" in message for message in messages_of(response))
    assert StudyPlan.objects.filter(campaign=campaign).count() == 1


def test_plan_copy_does_not_reach_another_organizations_plan(client, district, campaign):
    last = CampaignFactory(year=campaign.year - 1)
    make_plan(last, district.other_committee)
    client.force_login(district.secretary.user)
    response = client.post(
        reverse("learning:plan.copy"),
        {"organization": district.other_committee.pk, "kind": "org_annual"},
        follow=True,
    )
    assert messages_of(response)
    assert not StudyPlan.objects.filter(campaign=campaign).exists()


# ---------------------------------------------------------------- who sees what


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("plan.detail", "get"),
        ("plan.edit", "get"),
        ("plan.edit", "post"),
        ("plan.file", "post"),
        ("plan.reopen", "post"),
        ("plan.delete", "get"),
        ("plan.delete", "post"),
    ],
)
def test_secretary_of_another_organization_gets_404(client, district, campaign, name, method):
    plans = [
        make_plan(campaign, district.branch),
        make_plan(campaign, district.committee, status=PlanStatus.FILED),
    ]
    client.force_login(district.other_secretary.user)
    for plan in plans:
        response = getattr(client, method)(reverse(f"learning:{name}", args=[plan.pk]))
        assert response.status_code == 404
    assert StudyPlan.objects.filter(status=PlanStatus.FILED).count() == 1
    assert StudyPlan.objects.count() == 2


def test_member_gets_404_on_another_members_personal_plan(client, district, campaign):
    plan = make_plan(
        campaign,
        district.branch,
        kind=StudyPlanKind.PERSONAL,
        member=district.fellow,
        status=PlanStatus.FILED,
    )
    client.force_login(district.member.user)
    for name in ("plan.detail", "plan.edit", "plan.delete"):
        assert client.get(reverse(f"learning:{name}", args=[plan.pk])).status_code == 404
    assert client.post(reverse("learning:plan.reopen", args=[plan.pk])).status_code == 404
    # The branch's secretary may read it but not change it.
    client.force_login(district.branch_secretary.user)
    assert client.get(reverse("learning:plan.detail", args=[plan.pk])).status_code == 200
    assert client.post(reverse("learning:plan.reopen", args=[plan.pk])).status_code == 403


def test_member_reads_the_organizations_filed_plan_but_not_a_draft(client, district, campaign):
    filed = make_plan(campaign, district.branch, status=PlanStatus.FILED, title="支部年度计划")
    draft = make_plan(
        campaign, district.branch, kind=StudyPlanKind.ORGANIZATION_QUARTERLY, quarter=1
    )
    client.force_login(district.member.user)
    response = client.get(reverse("learning:plan.detail", args=[filed.pk]))
    assert response.status_code == 200
    assert 'id="plan-actions"' not in response.content.decode()
    assert client.get(reverse("learning:plan.detail", args=[draft.pk])).status_code == 404
    listing = client.get(reverse("learning:plan.list"))
    assert [plan.pk for plan in listing.context["plans"]] == [filed.pk]


def test_member_cannot_change_organization_plans(client, district, campaign):
    filed = make_plan(campaign, district.branch, status=PlanStatus.FILED)
    draft = make_plan(
        campaign, district.branch, kind=StudyPlanKind.ORGANIZATION_QUARTERLY, quarter=2
    )
    client.force_login(district.member.user)
    assert client.get(reverse("learning:plan.edit", args=[filed.pk])).status_code == 403
    assert client.post(reverse("learning:plan.reopen", args=[filed.pk])).status_code == 403
    assert client.get(reverse("learning:plan.edit", args=[draft.pk])).status_code == 404
    assert client.post(reverse("learning:plan.file", args=[draft.pk])).status_code == 404
    # Nor make one: the create page is their personal plan.
    response = client.post(
        reverse("learning:plan.create"), annual_post(district.branch, [], title="支部计划")
    )
    plan = StudyPlan.objects.get(title="支部计划")
    assert (plan.kind, plan.member) == (StudyPlanKind.PERSONAL, district.member)
    assert response.status_code == 302
    with pytest.raises(PermissionDenied):
        services.plan_file(user=district.member.user, plan=draft)
    filed.refresh_from_db()
    assert filed.status == PlanStatus.FILED


def test_bad_ids_and_filters_never_fail(client, district, campaign):
    client.force_login(district.secretary.user)
    for url in (
        reverse("learning:plan.detail", args=[999999]),
        reverse("learning:plan.edit", args=[99999999999999999999]),
        reverse("learning:implementation_plan.detail", args=[424242]),
        reverse("learning:implementation_plan.attachment", args=[424242]),
    ):
        assert client.get(url).status_code == 404
    response = client.get(
        reverse("learning:plan.list"),
        {"page": "abc", "organization": "x", "kind": "nope", "status": "??", "q": "年度"},
    )
    assert response.status_code == 200
    response = client.get(reverse("learning:plan.list"), {"page": "9999"})
    assert response.status_code == 200
    response = client.post(reverse("learning:plan.copy"), {"kind": "bogus", "quarter": "9"})
    assert response.status_code == 302


# ---------------------------------------------------------------- list


def test_plan_list_shows_what_is_missing(client, district, campaign):
    make_plan(campaign, district.committee, status=PlanStatus.FILED)
    for quarter in (1, 2, 3, 4):
        make_plan(
            campaign,
            district.committee,
            kind=StudyPlanKind.ORGANIZATION_QUARTERLY,
            quarter=quarter,
            title=f"第{quarter}季度",
        )
    make_plan(campaign, district.branch, kind=StudyPlanKind.ORGANIZATION_QUARTERLY, quarter=2)
    ImplementationPlanFactory(campaign=campaign, organization=district.committee)
    client.force_login(district.secretary.user)
    response = client.get(reverse("learning:plan.list"))
    missing = response.context["missing"]
    assert missing["total"] == 1
    (branch,) = missing["rows"]
    assert branch == district.branch
    assert [item.get("kind", "") + str(item.get("quarter", "")) for item in branch.missing] == [
        "",
        "org_annual",
        "org_quarterly1",
        "org_quarterly3",
        "org_quarterly4",
    ]
    html = response.content.decode()
    assert f"?organization={district.branch.pk}&amp;kind=org_annual" in html
    assert f'data-missing-organization="{district.committee.pk}"' not in html
    # The other tree is not listed at all.
    assert district.other_branch.name not in html


def test_plan_list_filters_by_organization_kind_status_and_title(client, district, campaign):
    make_plan(campaign, district.committee, status=PlanStatus.FILED, title="党委年度计划")
    make_plan(
        campaign,
        district.branch,
        kind=StudyPlanKind.ORGANIZATION_QUARTERLY,
        quarter=1,
        title="支部一季度计划",
    )
    make_plan(
        campaign, district.branch, kind=StudyPlanKind.PERSONAL, member=district.member, title="个人"
    )
    make_plan(campaign, district.other_committee, title="别人的计划")
    client.force_login(district.secretary.user)
    url = reverse("learning:plan.list")

    def titles(**query):
        return sorted(plan.title for plan in client.get(url, query).context["plans"])

    assert titles() == ["党委年度计划", "支部一季度计划"]
    assert titles(organization=district.branch.pk) == ["支部一季度计划"]
    assert titles(kind="personal") == ["个人"]
    assert titles(status="filed") == ["党委年度计划"]
    assert titles(q="一季度") == ["支部一季度计划"]
    assert titles(organization=district.other_committee.pk) == [
        "党委年度计划",
        "支部一季度计划",
    ]


@pytest.mark.parametrize("size", ["small_organization", "big_organization"])
@pytest.mark.parametrize("query", [{}, {"kind": "personal"}])
def test_plan_list_query_count_does_not_grow_with_rows(
    client, request, django_assert_num_queries, size, query
):
    organization, secretary, campaign = request.getfixturevalue(size)
    if size == "small_organization":
        make_plan(
            campaign,
            organization,
            kind=StudyPlanKind.PERSONAL,
            member=secretary,
            status=PlanStatus.FILED,
        )
    make_plan(campaign, organization, status=PlanStatus.FILED)
    make_plan(campaign, organization, kind=StudyPlanKind.ORGANIZATION_QUARTERLY, quarter=1)
    client.force_login(secretary.user)
    url = reverse("learning:plan.list")
    with django_assert_num_queries(9):
        response = client.get(url, query)
    assert response.status_code == 200
    assert len(response.context["plans"]) >= 1


# ---------------------------------------------------------------- personal plan


def test_member_writes_and_files_a_personal_plan_that_counts_for_five_ones(
    client, district, campaign
):
    client.force_login(district.member.user)
    response = client.get(reverse("learning:plan.personal"))
    assert response["Location"] == f"{reverse('learning:plan.create')}?kind=personal"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "organization" not in page.context["form"].fields
    response = client.post(
        response["Location"],
        {
            "title": "",
            "key_content": "精读一本好书",
            **items_data([row("读书", day(campaign, 6, 1), hours="1")], blank=2),
        },
    )
    plan = StudyPlan.objects.get()
    assert (plan.kind, plan.member, plan.organization) == (
        StudyPlanKind.PERSONAL,
        district.member,
        district.branch,
    )
    assert client.get(reverse("learning:plan.personal"))["Location"] == reverse(
        "learning:plan.detail", args=[plan.pk]
    )
    # A second one is refused: the create page sends the member to the one they have.
    second = client.get(f"{reverse('learning:plan.create')}?kind=personal")
    assert second["Location"] == reverse("learning:plan.detail", args=[plan.pk])

    members = Member.objects.filter(pk=district.member.pk)
    assert not with_five_ones(members, campaign).get().five_plan
    client.post(reverse("learning:plan.file", args=[plan.pk]))
    assert with_five_ones(members, campaign).get().five_plan
    # The member may reopen their own plan.
    client.post(reverse("learning:plan.reopen", args=[plan.pk]))
    assert not with_five_ones(members, campaign).get().five_plan


def test_secretary_keeps_a_personal_plan_too(client, district, campaign):
    client.force_login(district.secretary.user)
    url = f"{reverse('learning:plan.create')}?kind=personal"
    response = client.post(url, {"title": "书记的计划", "key_content": "", **items_data([])})
    plan = StudyPlan.objects.get()
    assert response.status_code == 302
    assert (plan.kind, plan.member) == (StudyPlanKind.PERSONAL, district.secretary)


# ---------------------------------------------------------------- implementation plan


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_implementation_plan_create_file_and_download(client, district, campaign):
    client.force_login(district.branch_secretary.user)
    response = client.post(
        reverse("learning:implementation_plan.create"),
        {
            "organization": district.branch.pk,
            "title": "第一党支部“双争”活动实施方案",
            "content": "一、指导思想\n二、目标任务",
            "attachment": upload("方案.pdf", PDF),
        },
    )
    plan = ImplementationPlan.objects.get()
    assert response["Location"] == reverse("learning:implementation_plan.detail", args=[plan.pk])
    assert plan.attachment.name.startswith("implementation-plans/")
    assert plan.attachment.name.endswith(".pdf")
    assert "方案" not in plan.attachment.name

    # Members may not read a draft, nor its file.
    client.force_login(district.member.user)
    for name in ("implementation_plan.detail", "implementation_plan.attachment"):
        assert client.get(reverse(f"learning:{name}", args=[plan.pk])).status_code == 404

    client.force_login(district.branch_secretary.user)
    client.post(reverse("learning:implementation_plan.file", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.FILED
    edit = client.get(reverse("learning:implementation_plan.edit", args=[plan.pk]))
    assert edit.status_code == 302

    client.force_login(district.member.user)
    response = client.get(reverse("learning:implementation_plan.attachment", args=[plan.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''" in disposition
    assert "%E5%AE%9E%E6%96%BD%E6%96%B9%E6%A1%88.pdf" in disposition  # 实施方案.pdf
    assert client.get(reverse("learning:implementation_plan.current"))["Location"] == reverse(
        "learning:implementation_plan.detail", args=[plan.pk]
    )


@pytest.mark.parametrize("who", ["other_secretary", "other_member", "fellow"])
def test_implementation_plan_attachment_refused_to_outsiders(client, district, campaign, who):
    plan = ImplementationPlanFactory(campaign=campaign, organization=district.committee)
    plan.attachment.name = "implementation-plans/abc.pdf"
    plan.save()
    client.force_login(getattr(district, who).user)
    for name in ("detail", "attachment", "edit", "file"):
        response = client.get(reverse(f"learning:implementation_plan.{name}", args=[plan.pk]))
        assert response.status_code in {403, 404, 405}
        if who == "other_secretary" and name != "file":
            assert response.status_code == 404


def test_implementation_plan_missing_file_is_a_404(client, district, campaign):
    plan = ImplementationPlanFactory(
        campaign=campaign, organization=district.committee, attachment="implementation-plans/x.pdf"
    )
    client.force_login(district.secretary.user)
    response = client.get(reverse("learning:implementation_plan.attachment", args=[plan.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("name", "content"),
    [("方案.exe", b"MZ\x90\x00binary"), ("方案.pdf", b"MZ\x90\x00binary"), ("图.png", b"text")],
)
def test_implementation_plan_rejects_files_that_are_not_what_they_say(
    client, district, campaign, settings, name, content
):
    client.force_login(district.secretary.user)
    response = client.post(
        reverse("learning:implementation_plan.create"),
        {
            "organization": district.committee.pk,
            "title": "实施方案",
            "content": "内容",
            "attachment": upload(name, content),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["attachment"]
    assert not ImplementationPlan.objects.exists()
    media = settings.MEDIA_ROOT / "implementation-plans"
    assert not media.exists() or not any(media.iterdir())


def test_implementation_plan_replacing_the_attachment_removes_the_old_file(
    client, district, campaign, django_capture_on_commit_callbacks, settings
):
    client.force_login(district.secretary.user)
    client.post(
        reverse("learning:implementation_plan.create"),
        {
            "organization": district.committee.pk,
            "title": "实施方案",
            "content": "",
            "attachment": upload("a.pdf", PDF),
        },
    )
    plan = ImplementationPlan.objects.get()
    old = plan.attachment.name
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("learning:implementation_plan.edit", args=[plan.pk]),
            {"title": "实施方案（修订）", "content": "", "attachment": upload("b.png", PNG)},
        )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.attachment.name.endswith(".png")
    assert not (settings.MEDIA_ROOT / old).exists()
    assert (settings.MEDIA_ROOT / plan.attachment.name).exists()


def test_implementation_plan_one_per_organization(client, district, campaign):
    existing = ImplementationPlanFactory(campaign=campaign, organization=district.committee)
    client.force_login(district.secretary.user)
    response = client.post(
        reverse("learning:implementation_plan.create"),
        {"organization": district.committee.pk, "title": "第二份", "content": "x"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse(
        "learning:implementation_plan.detail", args=[existing.pk]
    )
    assert messages_of(response)
    assert ImplementationPlan.objects.count() == 1


def test_implementation_plan_current_for_member_without_one(client, district, campaign):
    client.force_login(district.member.user)
    response = client.get(reverse("learning:implementation_plan.current"))
    assert response.status_code == 200
    assert 'data-figure="no-implementation-plan"' in response.content.decode()
    client.force_login(district.secretary.user)
    response = client.get(reverse("learning:implementation_plan.current"))
    assert response["Location"].startswith(reverse("learning:implementation_plan.create"))


def test_campaign_year_is_used_for_default_titles(district):
    campaign = Campaign.objects.create(
        year=2031,
        title="双争",
        starts_on=datetime.date(2031, 1, 1),
        ends_on=datetime.date(2031, 12, 31),
    )
    plan = services.plan_create(
        user=district.secretary.user,
        campaign=campaign,
        kind=StudyPlanKind.ORGANIZATION_QUARTERLY,
        organization=district.committee,
        quarter=4,
    )
    assert "2031" in plan.title


@pytest.mark.parametrize("who", ["member", "secretary"])
def test_personal_plan_copy_from_last_year(client, district, campaign, who):
    member = getattr(district, who)
    last = CampaignFactory(year=campaign.year - 1)
    make_plan(
        last,
        member.organization,
        kind=StudyPlanKind.PERSONAL,
        member=member,
        title=f"{last.year}年个人学习计划",
        items=1,
    )
    client.force_login(member.user)
    create_page = client.get(f"{reverse('learning:plan.create')}?kind=personal")
    assert 'name="kind" value="personal"' in create_page.content.decode()
    response = client.post(reverse("learning:plan.copy"), {"kind": "personal", "title": ""})
    plan = StudyPlan.objects.get(campaign=campaign)
    assert response["Location"] == reverse("learning:plan.edit", args=[plan.pk])
    assert (plan.kind, plan.member, plan.title) == (
        StudyPlanKind.PERSONAL,
        member,
        f"{campaign.year}年个人学习计划",
    )
    assert plan.items.get().scheduled_on == day(campaign, 3, 10)
