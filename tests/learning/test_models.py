import pytest
from django.db import IntegrityError, transaction

from learning.enums import StudyPlanKind

from ..factories import (
    BookFactory,
    MemberFactory,
    StudyActivityFactory,
    StudyPlanFactory,
)

pytestmark = pytest.mark.django_db


def test_one_annual_plan_per_organization_per_year():
    plan = StudyPlanFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        StudyPlanFactory(campaign=plan.campaign, organization=plan.organization)


def test_one_quarterly_plan_per_quarter_but_four_quarters_allowed():
    first = StudyPlanFactory(kind=StudyPlanKind.ORGANIZATION_QUARTERLY, quarter=1)
    for quarter in (2, 3, 4):
        StudyPlanFactory(
            campaign=first.campaign,
            organization=first.organization,
            kind=StudyPlanKind.ORGANIZATION_QUARTERLY,
            quarter=quarter,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        StudyPlanFactory(
            campaign=first.campaign,
            organization=first.organization,
            kind=StudyPlanKind.ORGANIZATION_QUARTERLY,
            quarter=1,
        )


@pytest.mark.parametrize("quarter", [0, 5])
def test_quarter_must_be_one_to_four(quarter):
    with pytest.raises(IntegrityError), transaction.atomic():
        StudyPlanFactory(kind=StudyPlanKind.ORGANIZATION_QUARTERLY, quarter=quarter)


def test_quarterly_plan_needs_a_quarter():
    with pytest.raises(IntegrityError), transaction.atomic():
        StudyPlanFactory(kind=StudyPlanKind.ORGANIZATION_QUARTERLY, quarter=None)


def test_personal_plan_needs_a_member_and_only_one_per_year():
    member = MemberFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        StudyPlanFactory(kind=StudyPlanKind.PERSONAL, organization=member.organization)
    plan = StudyPlanFactory(
        kind=StudyPlanKind.PERSONAL, organization=member.organization, member=member
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        StudyPlanFactory(
            kind=StudyPlanKind.PERSONAL,
            campaign=plan.campaign,
            organization=member.organization,
            member=member,
        )


def test_organization_plan_cannot_name_a_member():
    member = MemberFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        StudyPlanFactory(organization=member.organization, member=member)


@pytest.mark.parametrize("hours", ["0", "-1", "24.5"])
def test_activity_hours_must_be_positive_and_within_a_day(hours):
    with pytest.raises(IntegrityError), transaction.atomic():
        StudyActivityFactory(hours=hours)


def test_a_member_attends_an_activity_once():
    activity = StudyActivityFactory()
    member = MemberFactory(organization=activity.organization)
    activity.attendance.create(member=member, hours=activity.hours)
    with pytest.raises(IntegrityError), transaction.atomic():
        activity.attendance.create(member=member, hours=activity.hours)


def test_isbn_is_unique_within_an_organization_but_may_be_blank_many_times():
    book = BookFactory(isbn="9787010000000")
    BookFactory(organization=book.organization, isbn="")
    BookFactory(organization=book.organization, isbn="")
    BookFactory(isbn="9787010000000")  # another organization's collection
    with pytest.raises(IntegrityError), transaction.atomic():
        BookFactory(organization=book.organization, isbn="9787010000000")
