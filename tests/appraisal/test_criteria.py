"""The department edits each campaign's criteria (基本要求（评价标准）)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from appraisal.enums import CriterionSubject
from appraisal.models import Criterion, CriterionScore, SelfAssessment
from appraisal.services import assessments as services
from campaigns.selectors import today

from ..factories import CampaignFactory, CriterionFactory

pytestmark = pytest.mark.django_db

ORG = CriterionSubject.ORGANIZATION
MEMBER = CriterionSubject.MEMBER


@pytest.fixture
def campaign(db):
    return CampaignFactory(year=today().year)


@pytest.fixture
def criteria(campaign):
    return [
        CriterionFactory(campaign=campaign, subject=ORG, position=n, text=f"要求{n}")
        for n in (1, 2, 3)
    ]


def form_data(**overrides):
    data = {
        "subject": ORG,
        "position": "4",
        "text": "新的基本要求",
        "weight": "1",
        "max_score": "20",
    }
    data.update(overrides)
    return data


# ---------------------------------------------------------------- who may


@pytest.mark.parametrize("who", ["secretary", "member", "branch_secretary"])
@pytest.mark.parametrize(
    "url_name, needs_pk",
    [
        ("criterion.list", False),
        ("criterion.create", False),
        ("criterion.edit", True),
        ("criterion.delete", True),
    ],
)
def test_criteria_pages_forbidden_to_non_department(
    client, district, criteria, who, url_name, needs_pk
):
    client.force_login(getattr(district, who).user)
    args = [criteria[0].pk] if needs_pk else []
    assert client.get(reverse(f"appraisal:{url_name}", args=args)).status_code == 403
    assert client.post(reverse(f"appraisal:{url_name}", args=args), form_data()).status_code == 403
    assert Criterion.objects.count() == 3


def test_criteria_defaults_forbidden_to_secretary(client, district, campaign):
    client.force_login(district.secretary.user)
    response = client.post(reverse("appraisal:criterion.defaults"))
    assert response.status_code == 403
    assert not Criterion.objects.exists()


def test_criterion_services_refuse_non_department(district, criteria):
    with pytest.raises(PermissionDenied):
        services.criterion_update(
            user=district.secretary.user,
            criterion=criteria[0],
            position=1,
            text="改",
            weight=Decimal(1),
            max_score=Decimal(20),
        )


# ---------------------------------------------------------------- list


def test_criterion_list_groups_by_subject(client, district, campaign):
    client.force_login(district.department)
    client.post(reverse("appraisal:criterion.defaults"))
    response = client.get(reverse("appraisal:criterion.list"))
    assert response.status_code == 200
    groups = {group.subject: group for group in response.context["groups"]}
    assert len(groups[ORG].criteria) == 5
    assert len(groups[MEMBER].criteria) == 4
    assert groups[ORG].total_max == 100
    assert "学习型党组织" in response.content.decode()


def test_criterion_list_defaults_button_when_empty(client, district, campaign):
    client.force_login(district.department)
    response = client.get(reverse("appraisal:criterion.list"))
    assert reverse("appraisal:criterion.defaults") in response.content.decode()
    response = client.post(reverse("appraisal:criterion.defaults") + f"?year={campaign.year}")
    assert response.status_code == 302
    assert Criterion.objects.filter(campaign=campaign, subject=ORG).count() == 5
    assert Criterion.objects.filter(campaign=campaign, subject=MEMBER).count() == 4
    # A second press changes nothing.
    client.post(reverse("appraisal:criterion.defaults") + f"?year={campaign.year}")
    assert Criterion.objects.filter(campaign=campaign).count() == 9


def test_criterion_list_picks_campaign_by_year(client, district, campaign):
    old = CampaignFactory(year=campaign.year - 1)
    CriterionFactory(campaign=old, position=1, text="往年的要求")
    client.force_login(district.department)
    response = client.get(reverse("appraisal:criterion.list") + f"?year={old.year}")
    assert response.context["campaign"] == old
    assert "往年的要求" in response.content.decode()


@pytest.mark.parametrize("year", ["abc", "1999", "99999999999999999999999"])
def test_criterion_list_bad_year_is_404(client, district, campaign, year):
    client.force_login(district.department)
    assert client.get(reverse("appraisal:criterion.list") + f"?year={year}").status_code == 404


@pytest.mark.parametrize("count", [1, 9])
def test_criterion_list_query_count(client, district, campaign, django_assert_num_queries, count):
    for n in range(count):
        CriterionFactory(campaign=campaign, subject=ORG, position=n + 1)
    client.force_login(district.department)
    with django_assert_num_queries(5):
        response = client.get(reverse("appraisal:criterion.list"))
    assert response.status_code == 200


# ---------------------------------------------------------------- create / edit


def test_criterion_create_by_department(client, district, criteria, campaign):
    client.force_login(district.department)
    response = client.post(
        reverse("appraisal:criterion.create") + f"?year={campaign.year}", form_data()
    )
    assert response.status_code == 302
    created = Criterion.objects.get(position=4)
    assert created.text == "新的基本要求"
    assert created.campaign == campaign


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("max_score", "0", "满分必须大于 0"),
        ("weight", "-1", "权重不能为负数"),
        ("position", "2", "第 2 条已被占用"),
        ("text", "  ", "这个字段是必填项"),
    ],
)
def test_criterion_create_bad_input_refused(
    client, district, criteria, campaign, field, value, message
):
    client.force_login(district.department)
    response = client.post(
        reverse("appraisal:criterion.create") + f"?year={campaign.year}",
        form_data(**{field: value}),
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Criterion.objects.count() == 3


def test_criterion_edit_saves(client, district, criteria):
    client.force_login(district.department)
    url = reverse("appraisal:criterion.edit", args=[criteria[0].pk])
    response = client.post(
        url, form_data(position="1", text="修改后的要求", weight="1.5", max_score="30")
    )
    assert response.status_code == 302
    criteria[0].refresh_from_db()
    assert (criteria[0].text, criteria[0].weight, criteria[0].max_score) == (
        "修改后的要求",
        Decimal("1.5"),
        Decimal(30),
    )


def test_criterion_edit_to_taken_number_swaps(client, district, criteria):
    client.force_login(district.department)
    url = reverse("appraisal:criterion.edit", args=[criteria[2].pk])
    response = client.post(url, form_data(position="1", text="要求3"))
    assert response.status_code == 302
    positions = dict(Criterion.objects.values_list("text", "position"))
    assert positions == {"要求1": 3, "要求2": 2, "要求3": 1}


@pytest.mark.parametrize(
    "field, value, message",
    [("max_score", "0", "满分必须大于 0"), ("weight", "-0.5", "权重不能为负数")],
)
def test_criterion_edit_bad_input_changes_nothing(
    client, district, criteria, field, value, message
):
    client.force_login(district.department)
    url = reverse("appraisal:criterion.edit", args=[criteria[0].pk])
    response = client.post(url, form_data(position="3", text="改了", **{field: value}))
    assert message in response.content.decode()
    criteria[0].refresh_from_db()
    assert (criteria[0].position, criteria[0].text) == (1, "要求1")
    assert Criterion.objects.get(pk=criteria[2].pk).position == 3


def test_criterion_max_not_below_given_score(district, criteria, campaign):
    assessment = SelfAssessment.objects.create(
        campaign=campaign, subject=ORG, organization=district.branch
    )
    CriterionScore.objects.create(assessment=assessment, criterion=criteria[0], score=18)
    with pytest.raises(ValidationError) as caught:
        services.criterion_update(
            user=district.department,
            criterion=criteria[0],
            position=1,
            text="要求1",
            weight=Decimal(1),
            max_score=Decimal(15),
        )
    assert "max_score" in caught.value.error_dict
    assert Criterion.objects.get(pk=criteria[0].pk).max_score == 20


# ---------------------------------------------------------------- delete


def test_criterion_delete_renumbers(client, district, criteria):
    client.force_login(district.department)
    response = client.post(reverse("appraisal:criterion.delete", args=[criteria[0].pk]))
    assert response.status_code == 302
    assert dict(Criterion.objects.values_list("text", "position")) == {"要求2": 1, "要求3": 2}


def test_criterion_delete_refused_when_scored(client, district, criteria, campaign):
    assessment = SelfAssessment.objects.create(
        campaign=campaign, subject=ORG, organization=district.branch
    )
    CriterionScore.objects.create(assessment=assessment, criterion=criteria[0], score=10)
    client.force_login(district.department)
    response = client.post(
        reverse("appraisal:criterion.delete", args=[criteria[0].pk]), follow=True
    )
    assert "不能删除" in response.content.decode()
    assert Criterion.objects.count() == 3
