"""The world the permission matrix looks at.

Two unrelated organization trees, the same shape as the ``district`` fixture in
tests/conftest.py (which is function-scoped; the matrix builds its world once
per module for speed):

    甲公司党委 (committee) → 甲公司第一党支部 (branch: secretary, member, fellow)
    乙公司党委 (other_committee: other_secretary) → 乙公司党支部 (other_branch)

The branch owns one object of every kind a URL parameter can name. Objects a
member owns (notes, reading records, suggestions, the personal plan, the
member self-assessment) belong to ``fellow``, so the ``member`` role looks at
another member's records; organization objects belong to the branch, so
``other_secretary`` looks at another organization's.
"""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from django.core.files.base import ContentFile
from django.utils import timezone

from appraisal.enums import (
    ApplicationKind,
    ApplicationState,
    CriterionSubject,
    EvidenceKind,
    ExportStatus,
)
from appraisal.models import (
    AnnualAssessment,
    Application,
    AssessmentExport,
    CriterionScore,
    Evidence,
    Review,
    SelfAssessment,
)
from campaigns.enums import OrganizationKind, PlanStatus
from campaigns.services import ensure_department_group
from learning.enums import StudyPlanKind, SuggestionStatus
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
    BookFactory,
    CampaignFactory,
    CriterionFactory,
    DepartmentUserFactory,
    ImplementationPlanFactory,
    MemberFactory,
    OrganizationFactory,
    SecretaryFactory,
    StudyActivityFactory,
    StudyNoteFactory,
    StudyPlanFactory,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def build_world() -> SimpleNamespace:
    w = SimpleNamespace()
    w.campaign = CampaignFactory()
    campaign = w.campaign

    w.committee = OrganizationFactory(name="甲公司党委", kind=OrganizationKind.COMMITTEE)
    w.branch = OrganizationFactory(
        name="甲公司第一党支部", parent=w.committee, enterprise=w.committee.enterprise
    )
    w.other_committee = OrganizationFactory(name="乙公司党委", kind=OrganizationKind.COMMITTEE)
    w.other_branch = OrganizationFactory(
        name="乙公司党支部", parent=w.other_committee, enterprise=w.other_committee.enterprise
    )
    w.committee_secretary = SecretaryFactory(organization=w.committee, user__username="pm_sec")
    w.secretary = SecretaryFactory(organization=w.branch, user__username="pm_branchsec")
    w.member = MemberFactory(organization=w.branch, user__username="pm_mem")
    w.fellow = MemberFactory(organization=w.branch, user__username="pm_fellow")
    w.other_secretary = SecretaryFactory(organization=w.other_committee, user__username="pm_sec2")
    w.other_member = MemberFactory(organization=w.other_branch, user__username="pm_mem2")
    w.department = DepartmentUserFactory(username="pm_dept")
    w.department.groups.add(ensure_department_group())  # the admin permissions staff get
    branch, fellow, sec_user = w.branch, w.fellow, w.secretary.user

    # Plans ------------------------------------------------------------------
    w.implementation_plan = ImplementationPlanFactory(
        campaign=campaign, organization=branch, content="方案正文"
    )
    w.implementation_plan.attachment.save("方案.pdf", ContentFile(PDF), save=True)
    w.plan = StudyPlanFactory(campaign=campaign, organization=branch, title="支部年度学习计划")
    w.plan_item = StudyPlanItem.objects.create(
        plan=w.plan, position=1, topic="学习党章", hours=Decimal("2")
    )
    w.personal_plan = StudyPlanFactory(
        campaign=campaign,
        organization=branch,
        member=fellow,
        kind=StudyPlanKind.PERSONAL,
        title="个人学习计划",
        status=PlanStatus.FILED,
        filed_at=timezone.now(),
    )

    # Activities -------------------------------------------------------------
    w.activity = StudyActivityFactory(campaign=campaign, organization=branch, recorded_by=sec_user)
    w.attendance = Attendance.objects.create(activity=w.activity, member=fellow, hours=Decimal("2"))
    w.attachment = ActivityAttachment(
        activity=w.activity,
        original_name="纪要.pdf",
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=sec_user,
    )
    w.attachment.file.save("纪要.pdf", ContentFile(PDF), save=True)

    # Notes, books, research -------------------------------------------------
    w.book = BookFactory(organization=branch, title="习近平新时代中国特色社会主义思想学习纲要")
    w.reading = ReadingRecord.objects.create(campaign=campaign, member=fellow, book=w.book)
    w.note = StudyNoteFactory(campaign=campaign, member=fellow, book=w.book)
    w.note_comment = NoteComment.objects.create(note=w.note, author=sec_user, body="写得很好")
    w.topic = ResearchTopic.objects.create(
        campaign=campaign, organization=branch, title="提升生产效率", lead=fellow
    )
    w.topic.participants.add(fellow)
    w.suggestion = Suggestion.objects.create(
        campaign=campaign,
        member=fellow,
        organization=branch,
        title="节能降耗",
        content="建议更换节能灯具",
        status=SuggestionStatus.PENDING,
    )

    # Appraisal --------------------------------------------------------------
    w.criterion = CriterionFactory(campaign=campaign, subject=CriterionSubject.ORGANIZATION)
    w.member_criterion = CriterionFactory(campaign=campaign, subject=CriterionSubject.MEMBER)
    w.assessment = SelfAssessment.objects.create(
        campaign=campaign, subject=CriterionSubject.ORGANIZATION, organization=branch
    )
    w.member_assessment = SelfAssessment.objects.create(
        campaign=campaign, subject=CriterionSubject.MEMBER, organization=branch, member=fellow
    )
    w.score = CriterionScore.objects.create(
        assessment=w.assessment, criterion=w.criterion, score=Decimal("18")
    )
    w.evidence = Evidence(score=w.score, kind=EvidenceKind.FILE, description="证明材料")
    w.evidence.file.save("证明.pdf", ContentFile(PDF), save=True)
    w.application = Application.objects.create(
        campaign=campaign,
        kind=ApplicationKind.ORGANIZATION_MODEL,
        organization=branch,
        main_deeds="坚持每月集中学习。",
        organization_opinion="同意推荐。",
        self_assessment=w.assessment,
        created_by=sec_user,
        state=ApplicationState.DRAFT,
    )
    # A submitted member application: what the review page is for.
    w.member_application = Application.objects.create(
        campaign=campaign,
        kind=ApplicationKind.MEMBER_MODEL,
        organization=branch,
        member=fellow,
        main_deeds="笔记认真。",
        organization_opinion="同意推荐。",
        self_assessment=w.member_assessment,
        created_by=sec_user,
        state=ApplicationState.SUBMITTED,
        submitted_at=timezone.now(),
    )
    w.review = Review.objects.create(application=w.member_application, reviewer=w.department)
    w.annual = AnnualAssessment.objects.create(campaign=campaign, organization=branch)
    w.export = AssessmentExport.objects.create(
        campaign=campaign,
        organization=branch,
        requested_by=sec_user,
        status=ExportStatus.DONE,
        finished_at=timezone.now(),
    )
    w.export.file.save("考核表.xlsx", ContentFile(b"PK\x03\x04 not really a workbook"), save=True)
    w.today = timezone.localdate()
    return w
