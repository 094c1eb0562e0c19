import datetime
import functools
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from appraisal.enums import ApplicationKind, ApplicationState, CriterionSubject, EvidenceKind
from appraisal.models import (
    AnnualAssessment,
    ApplicationTransition,
    AssessmentExport,
    AssessmentWeights,
    Commendation,
    CriterionScore,
    DeadlineReminder,
    Evidence,
    Review,
    ReviewScore,
)
from campaigns.audit import record as audit_record
from campaigns.enums import AuditAction, OrganizationKind, PlanStatus
from campaigns.models import DeadlineChange, Extension
from learning.enums import StudyPlanKind
from learning.models import (
    ActivityAttachment,
    Attendance,
    NoteComment,
    ReadingRecord,
    ResearchTopic,
    StudyPlanItem,
    Suggestion,
)

from ..factories import (
    ApplicationFactory,
    BookFactory,
    CampaignFactory,
    CriterionFactory,
    ImplementationPlanFactory,
    MemberFactory,
    OrganizationFactory,
    SecretaryFactory,
    SelfAssessmentFactory,
    StudyActivityFactory,
    StudyNoteFactory,
    StudyPlanFactory,
)


@pytest.fixture
def every_model(db, admin_user):
    """At least one row of every model in the three apps, linked the way the portal links them.

    Two organization trees, so each change list has a couple of rows.
    """
    return build_rows(admin_user, year=2026, names=("甲", "乙"))


@pytest.fixture
def make_rows(db, admin_user):
    """``build_rows`` for tests that measure before and after adding rows."""
    return functools.partial(build_rows, admin_user)


def build_rows(admin_user, *, year, names):
    """A campaign of ``year`` and, for each of ``names``, a company's tree and its records."""
    campaign = CampaignFactory(year=year)
    rows = {"campaign": campaign}
    for suffix in names:
        committee = OrganizationFactory(name=f"{suffix}公司党委", kind=OrganizationKind.COMMITTEE)
        general = OrganizationFactory(
            name=f"{suffix}公司党总支",
            kind=OrganizationKind.GENERAL_BRANCH,
            parent=committee,
            enterprise=committee.enterprise,
        )
        branch = OrganizationFactory(
            name=f"{suffix}公司第一党支部", parent=general, enterprise=committee.enterprise
        )
        secretary = SecretaryFactory(organization=branch, user__full_name=f"{suffix}书记")
        member = MemberFactory(organization=branch, user__full_name=f"{suffix}党员")

        ImplementationPlanFactory(
            campaign=campaign,
            organization=committee,
            status=PlanStatus.FILED,
            filed_at=timezone.now(),
            filed_by=secretary.user,
        )
        Extension.objects.create(
            campaign=campaign,
            organization=branch,
            deadline=datetime.datetime(year, 10, 15, 23, 59, tzinfo=datetime.UTC),
            reason="疫情影响",
            granted_by=admin_user,
        )

        plan = StudyPlanFactory(campaign=campaign, organization=branch)
        StudyPlanItem.objects.create(plan=plan, position=1, topic="学习党章", hours=2)
        StudyPlanFactory(
            campaign=campaign,
            organization=branch,
            member=member,
            kind=StudyPlanKind.PERSONAL,
            title="个人学习计划",
        )
        activity = StudyActivityFactory(
            campaign=campaign, organization=branch, recorded_by=secretary.user
        )
        Attendance.objects.create(activity=activity, member=member, hours=Decimal("2.0"))
        ActivityAttachment.objects.create(
            activity=activity,
            file=SimpleUploadedFile("纪要.pdf", b"%PDF-1.4", content_type="application/pdf"),
            original_name="纪要.pdf",
            content_type="application/pdf",
            size=8,
            uploaded_by=secretary.user,
        )
        book = BookFactory(organization=branch)
        ReadingRecord.objects.create(campaign=campaign, member=member, book=book)
        note = StudyNoteFactory(campaign=campaign, member=member, book=book)
        NoteComment.objects.create(note=note, author=secretary.user, body="写得很好")
        topic = ResearchTopic.objects.create(
            campaign=campaign, organization=committee, title="提升生产效率", lead=member
        )
        topic.participants.add(member, secretary)
        Suggestion.objects.create(
            campaign=campaign, member=member, organization=branch, title="节能降耗", content="…"
        )

        assessment = SelfAssessmentFactory(campaign=campaign, organization=branch)
        criterion = CriterionFactory(campaign=campaign, subject=CriterionSubject.ORGANIZATION)
        score = CriterionScore.objects.create(
            assessment=assessment, criterion=criterion, score=Decimal("18")
        )
        Evidence.objects.create(score=score, kind=EvidenceKind.NOTE, note=note)
        application = ApplicationFactory(
            campaign=campaign,
            organization=branch,
            self_assessment=assessment,
            created_by=secretary.user,
            state=ApplicationState.COMMENDED,
        )
        ApplicationFactory(
            campaign=campaign,
            kind=ApplicationKind.MEMBER_MODEL,
            organization=branch,
            member=member,
            created_by=secretary.user,
        )
        ApplicationTransition.objects.create(
            application=application,
            from_state=ApplicationState.DRAFT,
            to_state=ApplicationState.SUBMITTED,
            actor=secretary.user,
        )
        review = Review.objects.create(application=application, reviewer=admin_user)
        ReviewScore.objects.create(review=review, criterion=criterion, score=Decimal("17"))
        AnnualAssessment.objects.create(campaign=campaign, organization=branch)
        Commendation.objects.create(
            campaign=campaign, application=application, title="学习型党组织标兵"
        )
        DeadlineReminder.objects.create(
            campaign=campaign,
            organization=committee,
            days_before=7,
            deadline=campaign.application_deadline,
            recipients="sec@example.com",
        )
        rows[suffix] = {"committee": committee, "branch": branch, "member": member}
    AssessmentWeights.objects.create(campaign=campaign)
    AssessmentExport.objects.create(campaign=campaign, requested_by=admin_user)
    DeadlineChange.objects.create(
        campaign=campaign,
        old_deadline=campaign.application_deadline,
        new_deadline=campaign.application_deadline,
        reason="统一安排",
        changed_by=admin_user,
    )
    audit_record(action=AuditAction.EXPORT, obj=campaign, actor=admin_user, detail="年度考核表")
    return rows
