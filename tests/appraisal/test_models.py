import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from appraisal.enums import ApplicationKind, ApplicationState, CriterionSubject, EvidenceKind
from appraisal.models import ApplicationTransition, CriterionScore, Evidence

from ..factories import (
    ApplicationFactory,
    CriterionFactory,
    MemberFactory,
    SelfAssessmentFactory,
    StudyActivityFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_one_organization_application_per_campaign():
    application = ApplicationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationFactory(campaign=application.campaign, organization=application.organization)


def test_one_member_application_per_member_per_campaign_but_many_per_organization():
    first = MemberFactory()
    second = MemberFactory(organization=first.organization)
    application = ApplicationFactory(
        kind=ApplicationKind.MEMBER_MODEL, organization=first.organization, member=first
    )
    ApplicationFactory(
        kind=ApplicationKind.MEMBER_MODEL,
        campaign=application.campaign,
        organization=first.organization,
        member=second,
    )
    # The organization may also apply for itself in the same campaign.
    ApplicationFactory(campaign=application.campaign, organization=first.organization)
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationFactory(
            kind=ApplicationKind.MEMBER_MODEL,
            campaign=application.campaign,
            organization=first.organization,
            member=first,
        )


def test_member_application_needs_a_member():
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationFactory(kind=ApplicationKind.MEMBER_MODEL, member=None)


def test_application_history_is_append_only():
    application = ApplicationFactory()
    entry = ApplicationTransition.objects.create(
        application=application,
        from_state=ApplicationState.DRAFT,
        to_state=ApplicationState.SUBMITTED,
        actor=UserFactory(),
    )
    entry.comment = "rewritten"
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        ApplicationTransition.objects.filter(pk=entry.pk).update(comment="x")
    with pytest.raises(TypeError):
        ApplicationTransition.objects.all().delete()
    entry.refresh_from_db()
    assert entry.comment == ""


def test_one_self_assessment_per_organization_and_per_member():
    assessment = SelfAssessmentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SelfAssessmentFactory(campaign=assessment.campaign, organization=assessment.organization)
    member = MemberFactory(organization=assessment.organization)
    SelfAssessmentFactory(
        campaign=assessment.campaign,
        organization=member.organization,
        subject=CriterionSubject.MEMBER,
        member=member,
    )


def test_score_cannot_exceed_the_criterions_maximum():
    criterion = CriterionFactory(max_score=20)
    score = CriterionScore(
        assessment=SelfAssessmentFactory(campaign=criterion.campaign),
        criterion=criterion,
        score=21,
    )
    with pytest.raises(ValidationError) as excinfo:
        score.full_clean()
    assert "score" in excinfo.value.message_dict


def test_criterion_numbers_are_unique_per_campaign_and_subject():
    criterion = CriterionFactory(position=1)
    CriterionFactory(campaign=criterion.campaign, subject=CriterionSubject.MEMBER, position=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        CriterionFactory(campaign=criterion.campaign, position=1)


def test_evidence_points_at_exactly_the_record_its_kind_names():
    criterion = CriterionFactory()
    score = CriterionScore.objects.create(
        assessment=SelfAssessmentFactory(campaign=criterion.campaign), criterion=criterion, score=5
    )
    activity = StudyActivityFactory(campaign=criterion.campaign)
    Evidence.objects.create(score=score, kind=EvidenceKind.ACTIVITY, activity=activity)
    with pytest.raises(IntegrityError), transaction.atomic():
        Evidence.objects.create(score=score, kind=EvidenceKind.NOTE, activity=activity)
    with pytest.raises(IntegrityError), transaction.atomic():
        Evidence.objects.create(score=score, kind=EvidenceKind.ACTIVITY)
