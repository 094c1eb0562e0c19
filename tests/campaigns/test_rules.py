import pytest
from django.http import Http404

from campaigns import rules
from campaigns.models import Member, Organization
from learning.models import StudyActivity, StudyNote, StudyPlan

from ..factories import (
    ApplicationFactory,
    CampaignFactory,
    StudyActivityFactory,
    StudyNoteFactory,
    StudyPlanFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_secretary_sees_own_organization_and_those_below_it(district):
    seen = set(rules.visible(district.secretary.user, Organization).values_list("name", flat=True))
    assert seen == {"甲公司党委", "甲公司第一党支部"}


def test_branch_secretary_does_not_see_the_committee_above(district):
    seen = set(
        rules.visible(district.branch_secretary.user, Organization).values_list("name", flat=True)
    )
    assert seen == {"甲公司第一党支部"}


def test_member_sees_only_own_organization_and_own_member_record(district):
    user = district.member.user
    assert list(rules.visible(user, Organization)) == [district.branch]
    assert list(rules.visible(user, Member)) == [district.member]


def test_department_sees_everything(district):
    assert rules.visible(district.department, Organization).count() == 4
    assert rules.visible(district.department, Member).count() == 6


def test_user_without_role_sees_no_organization(db):
    assert not rules.visible(UserFactory(), Organization).exists()


def test_secretary_gets_404_for_another_organizations_plan(district):
    plan = StudyPlanFactory(organization=district.other_branch)
    with pytest.raises(Http404):
        rules.get_visible_or_404(district.secretary.user, StudyPlan, pk=plan.pk)
    assert rules.get_visible_or_404(district.other_secretary.user, StudyPlan, pk=plan.pk) == plan


def test_secretary_gets_404_for_another_organizations_activity(district):
    activity = StudyActivityFactory(organization=district.other_branch)
    with pytest.raises(Http404):
        rules.get_visible_or_404(district.secretary.user, StudyActivity, pk=activity.pk)


def test_get_visible_or_404_treats_malformed_ids_as_not_found(district):
    with pytest.raises(Http404):
        rules.get_visible_or_404(district.secretary.user, StudyPlan, pk="not-a-number")


def test_member_cannot_see_a_fellow_members_note(district):
    note = StudyNoteFactory(member=district.fellow)
    assert not rules.can_view(district.member.user, note)
    assert rules.can_view(district.fellow.user, note)
    assert rules.can_view(district.secretary.user, note)
    assert not rules.can_view(district.other_secretary.user, note)


def test_excellent_reflection_is_shown_to_the_whole_organization(district):
    note = StudyNoteFactory(member=district.fellow, is_excellent=True)
    assert rules.can_view(district.member.user, note)
    assert not rules.can_view(district.other_member.user, note)


def test_filed_organization_plan_is_readable_by_its_members_draft_is_not(district):
    draft = StudyPlanFactory(organization=district.branch)
    filed = StudyPlanFactory(
        organization=district.branch,
        kind="org_quarterly",
        quarter=1,
        status="filed",
        filed_at="2026-03-01T00:00:00Z",
    )
    visible = set(rules.visible(district.member.user, StudyPlan))
    assert filed in visible and draft not in visible


def test_only_the_member_manages_their_note(district):
    note = StudyNoteFactory(member=district.member)
    assert rules.can_manage(district.member.user, note)
    assert not rules.can_manage(district.fellow.user, note)
    assert not rules.can_manage(district.secretary.user, note)
    assert not rules.can_manage(district.department, note)


def test_secretary_manages_their_subtree_only(district):
    mine = StudyActivityFactory(organization=district.branch)
    theirs = StudyActivityFactory(organization=district.other_branch)
    assert rules.can_manage(district.secretary.user, mine)
    assert not rules.can_manage(district.secretary.user, theirs)
    assert not rules.can_manage(district.member.user, mine)


def test_campaign_is_managed_by_department_only(district):
    campaign = CampaignFactory()
    assert rules.can_view(district.member.user, campaign)
    assert rules.can_manage(district.department, campaign)
    assert not rules.can_manage(district.secretary.user, campaign)


def test_django_rules_permissions_follow_the_same_rules(district):
    application = ApplicationFactory(organization=district.branch)
    assert district.secretary.user.has_perm("appraisal.application.view", application)
    assert district.secretary.user.has_perm("appraisal.application.manage", application)
    assert not district.other_secretary.user.has_perm("appraisal.application.view", application)
    assert district.department.has_perm("portal.department")
    assert not district.secretary.user.has_perm("portal.department")


def test_inactive_member_loses_access(district):
    district.member.is_active = False
    district.member.save()
    user = type(district.member.user).objects.get(pk=district.member.user.pk)
    assert not rules.visible(user, StudyNote).exists()
    assert not rules.visible(user, Organization).exists()
