import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from campaigns.enums import OrganizationKind
from campaigns.models import Campaign, Organization

from ..factories import (
    CampaignFactory,
    ImplementationPlanFactory,
    MemberFactory,
    OrganizationFactory,
    StudyNoteFactory,
    StudyPlanFactory,
)

pytestmark = pytest.mark.django_db


def test_organization_path_follows_the_tree(district):
    assert district.committee.path == f"/{district.committee.pk}/"
    assert district.branch.path == f"/{district.committee.pk}/{district.branch.pk}/"
    assert (district.committee.depth, district.branch.depth) == (0, 1)


def test_moving_an_organization_moves_its_subtree():
    a = OrganizationFactory(kind=OrganizationKind.COMMITTEE)
    b = OrganizationFactory(kind=OrganizationKind.COMMITTEE)
    general = OrganizationFactory(kind=OrganizationKind.GENERAL_BRANCH, parent=a)
    leaf = OrganizationFactory(parent=general)

    general.parent = b
    general.save()

    leaf.refresh_from_db()
    assert leaf.path == f"/{b.pk}/{general.pk}/{leaf.pk}/"
    assert leaf.depth == 2
    assert set(b.descendants_and_self()) == {b, general, leaf}
    assert set(a.descendants_and_self()) == {a}


def test_organization_cannot_be_put_under_its_own_branch():
    top = OrganizationFactory(kind=OrganizationKind.COMMITTEE)
    below = OrganizationFactory(kind=OrganizationKind.GENERAL_BRANCH, parent=top)
    top.parent = below
    with pytest.raises(ValidationError):
        top.full_clean()


def test_committee_cannot_sit_under_a_branch():
    branch = OrganizationFactory(kind=OrganizationKind.BRANCH)
    committee = Organization(
        name="x",
        code="X1",
        kind=OrganizationKind.COMMITTEE,
        parent=branch,
        enterprise=branch.enterprise,
    )
    with pytest.raises(ValidationError) as excinfo:
        committee.full_clean()
    assert "parent" in excinfo.value.message_dict


def test_ancestors_are_listed_from_the_top(district):
    assert list(district.branch.ancestors()) == [district.committee]


def test_organization_codes_are_unique():
    OrganizationFactory(code="DUP")
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganizationFactory(code="DUP")


def test_deleting_an_organization_with_members_is_refused(district):
    with pytest.raises(ProtectedError):
        district.branch.delete()
    assert Organization.objects.filter(pk=district.branch.pk).exists()


def test_deleting_an_organization_with_branches_is_refused():
    top = OrganizationFactory(kind=OrganizationKind.COMMITTEE)
    OrganizationFactory(parent=top)
    with pytest.raises(ProtectedError):
        top.delete()


def test_deleting_a_member_with_notes_is_refused():
    note = StudyNoteFactory()
    with pytest.raises(ProtectedError):
        note.member.delete()


def test_deleting_a_campaign_with_plans_is_refused():
    plan = StudyPlanFactory()
    with pytest.raises(ProtectedError):
        plan.campaign.delete()


def test_deleting_a_user_with_a_membership_is_refused():
    member = MemberFactory()
    with pytest.raises(ProtectedError):
        member.user.delete()


def test_campaign_deadline_defaults_to_30_september_end_of_day_in_shanghai():
    campaign = CampaignFactory(year=2026)
    campaign.refresh_from_db()
    shanghai = campaign.application_deadline.astimezone(ZoneInfo("Asia/Shanghai"))
    assert shanghai.replace(tzinfo=None) == datetime.datetime(2026, 9, 30, 23, 59, 59)


def test_campaign_keeps_an_explicit_deadline():
    deadline = datetime.datetime(2026, 10, 8, 18, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    campaign = CampaignFactory(year=2026, application_deadline=deadline)
    campaign.refresh_from_db()
    assert campaign.application_deadline == deadline


def test_one_campaign_per_year():
    CampaignFactory(year=2026)
    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.create(
            year=2026,
            title="again",
            starts_on=datetime.date(2026, 1, 1),
            ends_on=datetime.date(2026, 12, 31),
        )


def test_campaign_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.create(
            year=2030,
            title="x",
            starts_on=datetime.date(2030, 5, 1),
            ends_on=datetime.date(2030, 4, 1),
        )


def test_one_implementation_plan_per_organization_per_campaign():
    plan = ImplementationPlanFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ImplementationPlanFactory(campaign=plan.campaign, organization=plan.organization)


def test_filed_implementation_plan_needs_a_filing_time():
    with pytest.raises(IntegrityError), transaction.atomic():
        ImplementationPlanFactory(status="filed", filed_at=None)
