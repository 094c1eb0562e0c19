import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from appraisal.enums import ApplicationKind, CriterionSubject, SelfAssessmentStatus
from appraisal.models import Application, Criterion, SelfAssessment
from campaigns.enums import MemberRole, OrganizationKind
from campaigns.models import Campaign, Enterprise, ImplementationPlan, Member, Organization, User
from learning.enums import ActivityForm, NoteKind, StudyPlanKind
from learning.models import Book, StudyActivity, StudyNote, StudyPlan

PASSWORD = "shuangzheng-test"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"党员{n}")
    password = factory.django.Password(PASSWORD)


class DepartmentUserFactory(UserFactory):
    is_department_staff = True
    is_staff = True


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"新区第{n}实业有限公司")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"第{n}党支部")
    code = factory.Sequence(lambda n: f"ORG{n:05d}")
    kind = OrganizationKind.BRANCH
    enterprise = factory.SubFactory(EnterpriseFactory)
    parent = None


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = MemberRole.MEMBER


class SecretaryFactory(MemberFactory):
    role = MemberRole.SECRETARY


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        django_get_or_create = ("year",)

    year = factory.LazyFunction(lambda: timezone.localdate().year)
    title = "争创学习型党组织，争当学习型党员"
    starts_on = factory.LazyAttribute(lambda o: datetime.date(o.year, 3, 1))
    ends_on = factory.LazyAttribute(lambda o: datetime.date(o.year, 12, 31))


class ImplementationPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImplementationPlan

    campaign = factory.SubFactory(CampaignFactory)
    organization = factory.SubFactory(OrganizationFactory)
    title = "“双争”活动实施方案"


class StudyPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudyPlan

    campaign = factory.SubFactory(CampaignFactory)
    organization = factory.SubFactory(OrganizationFactory)
    kind = StudyPlanKind.ORGANIZATION_ANNUAL
    title = "年度学习计划"


class StudyActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudyActivity

    campaign = factory.SubFactory(CampaignFactory)
    organization = factory.SubFactory(OrganizationFactory)
    form = ActivityForm.CONCENTRATED_STUDY
    topic = "集中学习党的理论"
    held_on = factory.LazyFunction(timezone.localdate)
    hours = Decimal("2.0")
    recorded_by = factory.SubFactory(UserFactory)


class StudyNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudyNote

    campaign = factory.SubFactory(CampaignFactory)
    member = factory.SubFactory(MemberFactory)
    organization = factory.LazyAttribute(lambda o: o.member.organization)
    kind = NoteKind.NOTE
    title = "学习笔记"
    body = "<p>学习体会</p>"
    written_on = factory.LazyFunction(timezone.localdate)


class BookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Book

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"好书{n}")


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    campaign = factory.SubFactory(CampaignFactory)
    subject = CriterionSubject.ORGANIZATION
    position = factory.Sequence(lambda n: n + 1)
    text = "有“双争”活动的方案"


class SelfAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SelfAssessment

    campaign = factory.SubFactory(CampaignFactory)
    subject = CriterionSubject.ORGANIZATION
    organization = factory.SubFactory(OrganizationFactory)


def _completed_self_assessment(application):
    """The nominee's completed self-assessment, which a submittable form needs."""
    if application.member is not None:
        found, _created = SelfAssessment.objects.get_or_create(
            campaign=application.campaign,
            subject=CriterionSubject.MEMBER,
            member=application.member,
            defaults={
                "organization": application.member.organization,
                "status": SelfAssessmentStatus.COMPLETED,
            },
        )
    else:
        found, _created = SelfAssessment.objects.get_or_create(
            campaign=application.campaign,
            subject=CriterionSubject.ORGANIZATION,
            organization=application.organization,
            defaults={"status": SelfAssessmentStatus.COMPLETED},
        )
    return found


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A complete form: main deeds, the organization's opinion and a completed self-assessment."""

    class Meta:
        model = Application

    campaign = factory.SubFactory(CampaignFactory)
    kind = ApplicationKind.ORGANIZATION_MODEL
    organization = factory.SubFactory(OrganizationFactory)
    member = None
    main_deeds = "坚持每月集中学习，党员学习笔记覆盖率百分之百。"
    organization_opinion = "情况属实，同意推荐。"
    self_assessment = factory.LazyAttribute(_completed_self_assessment)
    created_by = factory.SubFactory(UserFactory)
