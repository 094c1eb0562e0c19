"""Research topics (研究课题) and “我为企业发展献一计” suggestions."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from campaigns.selectors import today
from learning.enums import ResearchStatus, SuggestionStatus
from learning.models import ResearchTopic, Suggestion
from learning.services import research as services

from ..factories import CampaignFactory, MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(db):
    return CampaignFactory(year=today().year)


def login(client, member_or_user):
    client.force_login(getattr(member_or_user, "user", member_or_user))
    return client


def topic_data(**overrides):
    data = {
        "title": "降低生产线能耗",
        "problem": "单位产品能耗偏高",
        "lead": "",
        "participants": [],
        "status": ResearchStatus.PROPOSED,
        "started_on": "",
        "concluded_on": "",
        "outcome": "",
        "outcome_application": "",
    }
    data.update(overrides)
    return data


def make_topic(district, campaign, **kwargs):
    return services.topic_create(
        user=district.branch_secretary.user,
        campaign=campaign,
        organization=district.branch,
        title=kwargs.pop("title", "课题"),
        **kwargs,
    )


def make_suggestion(member, campaign, **kwargs):
    return Suggestion.objects.create(
        campaign=campaign,
        member=member,
        organization=member.organization,
        title=kwargs.pop("title", "一条建议"),
        content=kwargs.pop("content", "建议内容"),
        **kwargs,
    )


# ---------------------------------------------------------------- topics


def test_topic_create_with_lead_and_participants(client, district, campaign):
    login(client, district.branch_secretary)
    url = reverse("learning:topic.create")
    response = client.post(
        url,
        topic_data(
            lead=district.member.pk,
            participants=[district.member.pk, district.fellow.pk],
            status=ResearchStatus.IN_PROGRESS,
            started_on=today().isoformat(),
        ),
    )
    assert response.status_code == 302
    topic = ResearchTopic.objects.get()
    assert topic.organization == district.branch
    assert topic.lead == district.member
    assert set(topic.participants.all()) == {district.member, district.fellow}


def test_topic_create_several_organizations_asks_which_first(client, district, campaign):
    login(client, district.secretary)  # the committee's secretary manages two organizations
    url = reverse("learning:topic.create")
    response = client.get(url)
    assert "learning/topic/choose_organization.html" in [t.name for t in response.templates]
    response = client.get(url, {"organization": district.branch.pk})
    assert response.context["organization"] == district.branch
    # An organization outside the secretary's tree is not offered: back to the choice.
    response = client.get(url, {"organization": district.other_branch.pk})
    assert "learning/topic/choose_organization.html" in [t.name for t in response.templates]
    response = client.post(f"{url}?organization={district.branch.pk}", topic_data())
    assert response.status_code == 302
    assert ResearchTopic.objects.get().organization == district.branch


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"status": ResearchStatus.CONCLUDED, "outcome": "成果"}, "concluded_on"),
        ({"status": ResearchStatus.CONCLUDED, "concluded_on": "today"}, "outcome"),
        (
            {"status": ResearchStatus.CONCLUDED, "concluded_on": "yesterday", "outcome": "成果"},
            "concluded_on",
        ),
        ({"status": ResearchStatus.PROPOSED, "concluded_on": "yesterday"}, "concluded_on"),
        ({"status": ResearchStatus.IN_PROGRESS, "started_on": None}, "started_on"),
        (
            {"status": ResearchStatus.CONCLUDED, "concluded_on": "tomorrow", "outcome": "成果"},
            "concluded_on",
        ),
    ],
)
def test_topic_conclude_validation(district, campaign, changes, field):
    days = {
        "today": today(),
        "yesterday": today() - datetime.timedelta(days=1),
        "tomorrow": today() + datetime.timedelta(days=1),
    }
    kwargs = {"started_on": today()}
    kwargs.update({key: days.get(value, value) for key, value in changes.items()})
    with pytest.raises(ValidationError) as error:
        make_topic(district, campaign, **kwargs)
    assert field in error.value.message_dict
    assert not ResearchTopic.objects.exists()


def test_topic_conclude_valid(district, campaign):
    topic = make_topic(district, campaign)
    services.topic_update(
        user=district.branch_secretary.user,
        topic=topic,
        title=topic.title,
        status=ResearchStatus.CONCLUDED,
        started_on=today() - datetime.timedelta(days=30),
        concluded_on=today(),
        outcome="能耗下降 8%",
        outcome_application="已在三条产线推广",
    )
    topic.refresh_from_db()
    assert topic.status == ResearchStatus.CONCLUDED
    assert topic.outcome_application == "已在三条产线推广"


def test_topic_conclude_form_error_beside_field(client, district, campaign):
    login(client, district.branch_secretary)
    response = client.post(
        reverse("learning:topic.create"),
        topic_data(status=ResearchStatus.CONCLUDED, started_on=today().isoformat()),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "concluded_on" in errors and "outcome" in errors
    assert not ResearchTopic.objects.exists()


def test_topic_lead_from_another_organization_rejected(district, campaign):
    with pytest.raises(ValidationError) as error:
        make_topic(district, campaign, lead=district.other_member)
    assert "lead" in error.value.message_dict


def test_topic_participants_from_another_organization_rejected(client, district, campaign):
    with pytest.raises(ValidationError) as error:
        make_topic(district, campaign, participants=[district.member, district.other_member])
    assert "participants" in error.value.message_dict
    login(client, district.branch_secretary)
    response = client.post(
        reverse("learning:topic.create"),
        topic_data(participants=[district.other_member.pk], lead=district.other_member.pk),
    )
    assert response.status_code == 200
    assert {"lead", "participants"} <= set(response.context["form"].errors)
    assert not ResearchTopic.objects.exists()


def test_topic_member_cannot_create_or_edit(client, district, campaign):
    topic = make_topic(district, campaign)
    login(client, district.member)
    assert client.get(reverse("learning:topic.create")).status_code == 403
    assert client.get(reverse("learning:topic.detail", args=[topic.pk])).status_code == 200
    assert (
        client.post(reverse("learning:topic.edit", args=[topic.pk]), topic_data()).status_code
        == 403
    )
    with pytest.raises(PermissionDenied):
        services.topic_create(
            user=district.member.user, campaign=campaign, organization=district.branch, title="课题"
        )


@pytest.mark.parametrize("name", ["topic.detail", "topic.edit"])
def test_topic_other_organizations_secretary_gets_404(client, district, campaign, name):
    topic = make_topic(district, campaign)
    login(client, district.other_secretary)
    assert client.get(reverse(f"learning:{name}", args=[topic.pk])).status_code == 404
    assert (
        client.post(reverse(f"learning:{name}", args=[topic.pk]), topic_data()).status_code == 404
    )
    topic.refresh_from_db()
    assert topic.title == "课题"


def test_topic_list_filters_and_bad_values(client, district, campaign):
    make_topic(district, campaign, title="节能课题")
    make_topic(
        district,
        campaign,
        title="质量课题",
        status=ResearchStatus.IN_PROGRESS,
        started_on=today(),
    )
    login(client, district.member)
    url = reverse("learning:topic.list")
    page = client.get(url, {"status": ResearchStatus.IN_PROGRESS}).content.decode()
    assert "质量课题" in page and "节能课题" not in page
    page = client.get(url, {"q": "节能"}).content.decode()
    assert "节能课题" in page and "质量课题" not in page
    for bad in ({"status": "x"}, {"page": "-1"}, {"year": "abc"}, {"organization": "9999"}):
        assert client.get(url, bad).status_code == 200


@pytest.mark.parametrize("fixture", ["small_organization", "big_organization"])
def test_topic_list_query_count_constant(client, request, django_assert_num_queries, fixture):
    organization, secretary, campaign = request.getfixturevalue(fixture)
    members = list(organization.members.all()[:50])
    for number in range(1 if fixture == "small_organization" else 30):
        topic = ResearchTopic.objects.create(
            campaign=campaign,
            organization=organization,
            title=f"课题 {number}",
            lead=members[number % len(members)],
        )
        topic.participants.set(members)
    login(client, secretary)
    with django_assert_num_queries(7):
        response = client.get(reverse("learning:topic.list"))
    assert response.status_code == 200


def test_topic_edit_form_with_500_members_constant_queries(
    client, big_organization, django_assert_max_num_queries
):
    organization, secretary, campaign = big_organization
    topic = ResearchTopic.objects.create(campaign=campaign, organization=organization, title="课题")
    login(client, secretary)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("learning:topic.edit", args=[topic.pk]))
    assert response.content.decode().count('name="participants"') == 501


# ---------------------------------------------------------------- suggestions


def test_suggestion_submit_and_member_sees_own(client, district, campaign):
    login(client, district.member)
    response = client.post(
        reverse("learning:suggestion.create"), {"title": "优化排班", "content": "实行弹性排班"}
    )
    suggestion = Suggestion.objects.get()
    assert response.status_code == 302
    assert (suggestion.member, suggestion.organization) == (district.member, district.branch)
    assert suggestion.status == SuggestionStatus.PENDING
    # A double submit does not create a second one.
    response = client.post(
        reverse("learning:suggestion.create"), {"title": "优化排班", "content": "实行弹性排班"}
    )
    assert response.status_code == 200
    assert Suggestion.objects.count() == 1


def test_suggestion_list_member_sees_only_own(client, district, campaign):
    make_suggestion(district.member, campaign, title="我的建议")
    make_suggestion(district.fellow, campaign, title="同事的建议")
    login(client, district.member)
    page = client.get(reverse("learning:suggestion.list")).content.decode()
    assert "我的建议" in page and "同事的建议" not in page


def test_suggestion_list_secretary_sees_subtree(client, district, campaign):
    make_suggestion(district.member, campaign, title="支部的建议")
    make_suggestion(district.other_member, campaign, title="别家的建议")
    login(client, district.secretary)
    url = reverse("learning:suggestion.list")
    page = client.get(url).content.decode()
    assert "支部的建议" in page and "别家的建议" not in page
    for bad in ({"status": "x"}, {"page": "abc"}, {"organization": "-"}):
        assert client.get(url, bad).status_code == 200


def test_suggestion_other_member_gets_404(client, district, campaign):
    suggestion = make_suggestion(district.fellow, campaign)
    login(client, district.member)
    for name in ("detail", "edit", "withdraw", "decide"):
        url = reverse(f"learning:suggestion.{name}", args=[suggestion.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"status": SuggestionStatus.ADOPTED}).status_code == 404
    assert Suggestion.objects.get().status == SuggestionStatus.PENDING


@pytest.mark.parametrize("name", ["detail", "edit", "withdraw", "decide"])
def test_suggestion_other_organizations_secretary_gets_404(client, district, campaign, name):
    suggestion = make_suggestion(district.member, campaign)
    login(client, district.other_secretary)
    url = reverse(f"learning:suggestion.{name}", args=[suggestion.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"status": SuggestionStatus.ADOPTED, "benefit": "x"}).status_code == 404
    assert Suggestion.objects.get().status == SuggestionStatus.PENDING


def test_suggestion_decide_sets_fields(client, district, campaign):
    suggestion = make_suggestion(district.member, campaign)
    login(client, district.branch_secretary)
    response = client.post(
        reverse("learning:suggestion.decide", args=[suggestion.pk]),
        {"status": SuggestionStatus.ADOPTED, "benefit": "年节约成本 20 万元"},
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.ADOPTED
    assert suggestion.benefit == "年节约成本 20 万元"
    assert suggestion.decided_by == district.branch_secretary.user
    assert suggestion.decided_at is not None


def test_suggestion_decide_not_adopted_needs_no_benefit(district, campaign):
    suggestion = make_suggestion(district.member, campaign)
    services.suggestion_decide(
        user=district.secretary.user, suggestion=suggestion, status=SuggestionStatus.NOT_ADOPTED
    )
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.NOT_ADOPTED
    assert suggestion.decided_by == district.secretary.user


def test_suggestion_decide_adopted_requires_benefit(client, district, campaign):
    suggestion = make_suggestion(district.member, campaign)
    login(client, district.branch_secretary)
    response = client.post(
        reverse("learning:suggestion.decide", args=[suggestion.pk]),
        {"status": SuggestionStatus.ADOPTED, "benefit": "  "},
    )
    assert response.status_code == 200
    assert "benefit" in response.context["form"].errors
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.PENDING
    assert suggestion.decided_at is None


def test_suggestion_decide_bad_status_refused(client, district, campaign):
    suggestion = make_suggestion(district.member, campaign)
    login(client, district.branch_secretary)
    url = reverse("learning:suggestion.decide", args=[suggestion.pk])
    for status in (SuggestionStatus.PENDING, "nonsense", ""):
        assert client.post(url, {"status": status}).status_code == 200
    assert Suggestion.objects.get().status == SuggestionStatus.PENDING


def test_suggestion_member_cannot_decide(client, district, campaign):
    suggestion = make_suggestion(district.member, campaign)
    login(client, district.member)
    response = client.post(
        reverse("learning:suggestion.decide", args=[suggestion.pk]),
        {"status": SuggestionStatus.ADOPTED, "benefit": "自己采纳"},
    )
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        services.suggestion_decide(
            user=district.member.user,
            suggestion=suggestion,
            status=SuggestionStatus.ADOPTED,
            benefit="自己采纳",
        )
    assert Suggestion.objects.get().status == SuggestionStatus.PENDING


def test_suggestion_secretary_cannot_decide_own(district, campaign):
    suggestion = make_suggestion(district.branch_secretary, campaign)
    with pytest.raises(PermissionDenied):
        services.suggestion_decide(
            user=district.branch_secretary.user,
            suggestion=suggestion,
            status=SuggestionStatus.NOT_ADOPTED,
        )
    # The secretary above decides it.
    services.suggestion_decide(
        user=district.secretary.user, suggestion=suggestion, status=SuggestionStatus.NOT_ADOPTED
    )


def test_suggestion_member_edits_and_withdraws_while_pending(client, district, campaign):
    suggestion = make_suggestion(district.member, campaign)
    login(client, district.member)
    response = client.post(
        reverse("learning:suggestion.edit", args=[suggestion.pk]),
        {"title": "改后的建议", "content": "新内容"},
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.title == "改后的建议"
    assert (
        client.post(reverse("learning:suggestion.withdraw", args=[suggestion.pk])).status_code
        == 302
    )
    assert not Suggestion.objects.exists()


def test_suggestion_member_cannot_edit_after_decision(client, district, campaign):
    suggestion = make_suggestion(district.member, campaign)
    services.suggestion_decide(
        user=district.branch_secretary.user,
        suggestion=suggestion,
        status=SuggestionStatus.ADOPTED,
        benefit="效益",
    )
    login(client, district.member)
    edit = reverse("learning:suggestion.edit", args=[suggestion.pk])
    assert client.get(edit).status_code == 302
    response = client.post(edit, {"title": "偷偷改", "content": "改"}, follow=True)
    assert "已处理的建议不能再修改" in response.content.decode()
    response = client.post(
        reverse("learning:suggestion.withdraw", args=[suggestion.pk]), follow=True
    )
    assert response.status_code == 200
    suggestion.refresh_from_db()
    assert suggestion.title == "一条建议"
    with pytest.raises(ValidationError):
        services.suggestion_update(
            user=district.member.user, suggestion=suggestion, title="偷偷改", content="改"
        )


def test_suggestion_secretary_cannot_edit_members_suggestion(client, district, campaign):
    suggestion = make_suggestion(district.member, campaign)
    login(client, district.branch_secretary)
    assert (
        client.get(reverse("learning:suggestion.detail", args=[suggestion.pk])).status_code == 200
    )
    response = client.post(
        reverse("learning:suggestion.edit", args=[suggestion.pk]), {"title": "改", "content": "改"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize("fixture", ["small_organization", "big_organization"])
def test_suggestion_list_query_count_constant(client, request, django_assert_num_queries, fixture):
    organization, secretary, campaign = request.getfixturevalue(fixture)
    Suggestion.objects.filter(organization=organization).update(
        status=SuggestionStatus.ADOPTED,
        benefit="效益",
        decided_by=secretary.user,
        decided_at=campaign.application_deadline,
    )
    login(client, secretary)
    with django_assert_num_queries(6):
        response = client.get(reverse("learning:suggestion.list"))
    assert response.status_code == 200


def test_suggestion_list_member_query_count(client, big_organization, django_assert_num_queries):
    organization, secretary, _campaign = big_organization
    member = organization.members.exclude(pk=secretary.pk).first()
    login(client, member)
    with django_assert_num_queries(5):
        assert client.get(reverse("learning:suggestion.list")).status_code == 200


def test_member_of_other_branch_not_offered_as_participant(client, district, campaign):
    stranger = MemberFactory(organization=district.committee)
    login(client, district.branch_secretary)
    form = client.get(reverse("learning:topic.create")).context["form"]
    offered = set(form.fields["participants"].queryset)
    assert district.member in offered and stranger not in offered
