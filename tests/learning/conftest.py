import datetime
import random
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.enums import MemberRole, OrganizationKind, PlanStatus
from campaigns.models import Member, User
from learning.enums import ActivityForm, NoteKind, StudyPlanKind, SuggestionStatus
from learning.models import (
    Attendance,
    Book,
    ReadingRecord,
    StudyActivity,
    StudyNote,
    StudyPlan,
    Suggestion,
)

from ..factories import CampaignFactory, OrganizationFactory, SecretaryFactory

BIG_MEMBERS = 500
BIG_NOTES = 5000


@pytest.fixture
def big_organization(db, django_user_model):
    """One branch with 500 members and 5,000 notes (plus activities, books, plans,
    reading records and suggestions), built with bulk inserts so query-count tests
    can compare a page on it with the same page on a tiny organization.

    Returns (organization, secretary_member, campaign).
    """
    rng = random.Random(7)
    campaign = CampaignFactory()
    committee = OrganizationFactory(name="大型企业党委", kind=OrganizationKind.COMMITTEE)
    branch = OrganizationFactory(name="大型企业第一党支部", parent=committee)
    secretary = SecretaryFactory(organization=branch, user__username="bigsec")
    recorder = secretary.user
    users = User.objects.bulk_create(
        User(username=f"big{i:04d}", full_name=f"大员{i:04d}", password="!")
        for i in range(BIG_MEMBERS)
    )
    members = Member.objects.bulk_create(
        Member(user=user, organization=branch, role=MemberRole.MEMBER) for user in users
    )
    today = timezone.localdate()
    start = datetime.date(campaign.year, 1, 1)
    span = max((today - start).days, 1)
    kinds = list(NoteKind)
    StudyNote.objects.bulk_create(
        StudyNote(
            campaign=campaign,
            member=members[i % BIG_MEMBERS],
            organization=branch,
            kind=kinds[i % len(kinds)],
            title=f"学习笔记 {i}",
            body="<p>学习体会</p>",
            written_on=start + datetime.timedelta(days=rng.randrange(span)),
            is_excellent=(i % 97 == 0),
        )
        for i in range(BIG_NOTES)
    )
    forms = list(ActivityForm)
    activities = StudyActivity.objects.bulk_create(
        StudyActivity(
            campaign=campaign,
            organization=branch,
            form=forms[i % len(forms)],
            topic=f"学习活动 {i}",
            held_on=start + datetime.timedelta(days=rng.randrange(span)),
            hours=Decimal("2.0"),
            recorded_by=recorder,
        )
        for i in range(60)
    )
    Attendance.objects.bulk_create(
        Attendance(activity=activity, member=member, hours=activity.hours)
        for activity in activities
        for member in rng.sample(members, 100)
    )
    books = Book.objects.bulk_create(
        Book(organization=branch, title=f"好书 {i}", author="作者") for i in range(200)
    )
    ReadingRecord.objects.bulk_create(
        ReadingRecord(campaign=campaign, member=member, book=books[i % len(books)])
        for i, member in enumerate(members[:300])
    )
    StudyPlan.objects.bulk_create(
        StudyPlan(
            campaign=campaign,
            kind=StudyPlanKind.PERSONAL,
            organization=branch,
            member=member,
            title="个人年度学习计划",
            status=PlanStatus.FILED,
            filed_at=timezone.now(),
        )
        for member in members[:250]
    )
    Suggestion.objects.bulk_create(
        Suggestion(
            campaign=campaign,
            member=members[i],
            organization=branch,
            title=f"献一计 {i}",
            content="建议",
            status=SuggestionStatus.PENDING,
        )
        for i in range(150)
    )
    return branch, secretary, campaign


@pytest.fixture
def small_organization(db):
    """The same shape with one member and one of everything. Returns (org, secretary, campaign)."""
    campaign = CampaignFactory()
    branch = OrganizationFactory(name="小支部")
    secretary = SecretaryFactory(organization=branch, user__username="smallsec")
    StudyNote.objects.create(
        campaign=campaign,
        member=secretary,
        organization=branch,
        kind=NoteKind.NOTE,
        title="笔记",
        body="<p>体会</p>",
        written_on=timezone.localdate(),
    )
    activity = StudyActivity.objects.create(
        campaign=campaign,
        organization=branch,
        form=ActivityForm.LECTURE,
        topic="讲座",
        held_on=timezone.localdate(),
        hours=Decimal("1.5"),
        recorded_by=secretary.user,
    )
    Attendance.objects.create(activity=activity, member=secretary, hours=activity.hours)
    book = Book.objects.create(organization=branch, title="一本书")
    ReadingRecord.objects.create(campaign=campaign, member=secretary, book=book)
    Suggestion.objects.create(
        campaign=campaign, member=secretary, organization=branch, title="一计", content="建议"
    )
    return branch, secretary, campaign
