import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, ImplementationPlan, Member, Organization
from learning.models import (
    ReadingRecord,
    ResearchTopic,
    StudyActivity,
    StudyNote,
    StudyPlan,
    Suggestion,
)

from .enums import (
    ApplicationKind,
    ApplicationState,
    CriterionSubject,
    EvidenceKind,
    ExportStatus,
    SelfAssessmentStatus,
    StagedDecision,
)

SCORE = {"max_digits": 6, "decimal_places": 2}


class Criterion(models.Model):
    """One of a campaign's basic requirements (基本要求), scored in assessments."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="criteria"
    )
    subject = models.CharField(_("applies to"), max_length=20, choices=CriterionSubject.choices)
    position = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("requirement"))
    weight = models.DecimalField(
        _("weight"), max_digits=5, decimal_places=2, default=1, validators=[MinValueValidator(0)]
    )
    max_score = models.DecimalField(
        _("maximum score"), **SCORE, default=20, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["campaign", "subject", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "subject", "position"], name="criterion_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=0) & Q(max_score__gt=0), name="criterion_positive"
            ),
        ]

    def __str__(self):
        return f"({self.position}) {self.text[:40]}"


class SelfAssessment(models.Model):
    """An organization's or a member's self-assessment (自评) against the criteria."""

    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="self_assessments",
    )
    subject = models.CharField(_("subject"), max_length=20, choices=CriterionSubject.choices)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("Party organization"),
        on_delete=models.PROTECT,
        related_name="self_assessments",
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("Party member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="self_assessments",
    )
    statement = models.TextField(_("overall statement"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=SelfAssessmentStatus.choices,
        default=SelfAssessmentStatus.DRAFT,
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        ordering = ["-campaign__year", "organization__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organization"],
                condition=Q(subject=CriterionSubject.ORGANIZATION),
                name="self_assessment_one_per_org",
            ),
            models.UniqueConstraint(
                fields=["campaign", "member"],
                condition=Q(subject=CriterionSubject.MEMBER),
                name="self_assessment_one_per_member",
            ),
            models.CheckConstraint(
                condition=Q(subject=CriterionSubject.ORGANIZATION, member__isnull=True)
                | Q(subject=CriterionSubject.MEMBER, member__isnull=False),
                name="self_assessment_subject_fields",
            ),
        ]

    def __str__(self):
        return f"{self.member or self.organization} · {self.campaign.year}"


class CriterionScore(models.Model):
    assessment = models.ForeignKey(
        SelfAssessment,
        verbose_name=_("self-assessment"),
        on_delete=models.CASCADE,
        related_name="scores",
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="scores"
    )
    score = models.DecimalField(_("score"), **SCORE, validators=[MinValueValidator(0)])
    statement = models.TextField(_("statement"), blank=True)

    class Meta:
        verbose_name = _("criterion score")
        verbose_name_plural = _("criterion scores")
        ordering = ["assessment", "criterion__position"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "criterion"], name="score_once"),
            models.CheckConstraint(condition=Q(score__gte=0), name="score_not_negative"),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.score}"

    def clean(self):
        if self.criterion_id and self.score is not None and self.score > self.criterion.max_score:
            raise ValidationError(
                {
                    "score": _("The score cannot exceed the maximum of %(max)s.")
                    % {"max": self.criterion.max_score}
                }
            )


def evidence_file_path(instance, filename):
    return f"evidence/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


EVIDENCE_TARGETS = {
    EvidenceKind.IMPLEMENTATION_PLAN: "implementation_plan",
    EvidenceKind.STUDY_PLAN: "study_plan",
    EvidenceKind.ACTIVITY: "activity",
    EvidenceKind.NOTE: "note",
    EvidenceKind.READING_RECORD: "reading_record",
    EvidenceKind.RESEARCH_TOPIC: "research_topic",
    EvidenceKind.SUGGESTION: "suggestion",
    EvidenceKind.FILE: "file",
}


def _exactly_one_target():
    conditions = Q()
    for kind, field in EVIDENCE_TARGETS.items():
        others = {
            f"{other}__isnull" if other != "file" else other: (True if other != "file" else "")
            for other in EVIDENCE_TARGETS.values()
            if other != field
        }
        own = ~Q(file="") if field == "file" else Q(**{f"{field}__isnull": False})
        conditions |= Q(kind=kind, **others) & own
    return conditions


class Evidence(models.Model):
    """A record already in the portal (or an uploaded file) backing a criterion score."""

    score = models.ForeignKey(
        CriterionScore,
        verbose_name=_("criterion score"),
        on_delete=models.CASCADE,
        related_name="evidence",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=EvidenceKind.choices)
    implementation_plan = models.ForeignKey(
        ImplementationPlan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("implementation plan"),
    )
    study_plan = models.ForeignKey(
        StudyPlan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("study plan"),
    )
    activity = models.ForeignKey(
        StudyActivity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("study activity"),
    )
    note = models.ForeignKey(
        StudyNote,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("study note"),
    )
    reading_record = models.ForeignKey(
        ReadingRecord,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("close-reading record"),
    )
    research_topic = models.ForeignKey(
        ResearchTopic,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("research topic"),
    )
    suggestion = models.ForeignKey(
        Suggestion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("suggestion"),
    )
    file = models.FileField(_("file"), upload_to=evidence_file_path, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["score", "kind", "pk"]
        constraints = [
            models.CheckConstraint(condition=_exactly_one_target(), name="evidence_one_target"),
        ]

    def __str__(self):
        target = getattr(self, EVIDENCE_TARGETS[EvidenceKind(self.kind)], None)
        return str(target or self.description or self.get_kind_display())


class Application(models.Model):
    """A model-unit application (标兵申报表)."""

    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ApplicationKind.choices)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("Party organization"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("Party member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
    )
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=ApplicationState.choices,
        default=ApplicationState.DRAFT,
    )
    main_deeds = models.TextField(_("main deeds"), blank=True)
    self_assessment = models.ForeignKey(
        SelfAssessment,
        verbose_name=_("self-assessment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
    )
    organization_opinion = models.TextField(_("opinion of the Party organization"), blank=True)
    submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    staged_decision = models.CharField(
        _("staged decision"), max_length=20, choices=StagedDecision.choices, blank=True
    )
    staged_comment = models.TextField(_("comment with the staged decision"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("model application")
        verbose_name_plural = _("model applications")
        ordering = ["-campaign__year", "organization__path", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organization"],
                condition=Q(kind=ApplicationKind.ORGANIZATION_MODEL),
                name="application_one_org_model_per_campaign",
            ),
            models.UniqueConstraint(
                fields=["campaign", "member"],
                condition=Q(kind=ApplicationKind.MEMBER_MODEL),
                name="application_one_member_model_per_campaign",
            ),
            models.CheckConstraint(
                condition=Q(kind=ApplicationKind.ORGANIZATION_MODEL, member__isnull=True)
                | Q(kind=ApplicationKind.MEMBER_MODEL, member__isnull=False),
                name="application_kind_fields",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "state", "kind"], name="application_queue_idx"),
            models.Index(fields=["organization", "campaign"], name="application_org_idx"),
        ]

    def __str__(self):
        subject = self.member or self.organization
        return f"{subject} · {self.get_kind_display()}"

    @property
    def nominee_name(self) -> str:
        """Who the application is for: the member for 学习型党员标兵, else the organization."""
        return self.member.name if self.member_id else self.organization.name


class ApplicationTransitionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Application history is append-only.")

    def delete(self):
        raise TypeError("Application history is append-only.")


class ApplicationTransition(models.Model):
    """One step in an application's history; written once, never changed."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="history",
    )
    from_state = models.CharField(_("from"), max_length=20, choices=ApplicationState.choices)
    to_state = models.CharField(_("to"), max_length=20, choices=ApplicationState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)

    objects = ApplicationTransitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("application history entry")
        verbose_name_plural = _("application history")
        ordering = ["application", "at", "pk"]
        indexes = [models.Index(fields=["application", "at"], name="transition_app_idx")]

    def __str__(self):
        return f"{self.get_from_state_display()} → {self.get_to_state_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Application history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Application history is append-only.")


class Review(models.Model):
    """A department reviewer's scores and comments on one application (审核)."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    comment = models.TextField(_("comment"), blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["application", "reviewer"]
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer"], name="review_once"),
        ]

    def __str__(self):
        return f"{self.reviewer} · {self.application}"


class ReviewScore(models.Model):
    review = models.ForeignKey(
        Review, verbose_name=_("review"), on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(
        Criterion,
        verbose_name=_("criterion"),
        on_delete=models.PROTECT,
        related_name="review_scores",
    )
    score = models.DecimalField(_("score"), **SCORE, validators=[MinValueValidator(0)])
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("review score")
        verbose_name_plural = _("review scores")
        ordering = ["review", "criterion__position"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="review_score_once"),
            models.CheckConstraint(condition=Q(score__gte=0), name="review_score_not_negative"),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.score}"

    def clean(self):
        if self.criterion_id and self.score is not None and self.score > self.criterion.max_score:
            raise ValidationError(
                {
                    "score": _("The score cannot exceed the maximum of %(max)s.")
                    % {"max": self.criterion.max_score}
                }
            )


class AssessmentWeights(models.Model):
    """How the annual assessment's 双争 item adds up, set by the department per campaign."""

    campaign = models.OneToOneField(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="assessment_weights",
    )
    implementation_plan = models.DecimalField(_("implementation plan filed"), **SCORE, default=10)
    study_plans = models.DecimalField(_("study plans filed on time"), **SCORE, default=15)
    activities = models.DecimalField(_("activities held"), **SCORE, default=15)
    study_hours = models.DecimalField(_("average study hours"), **SCORE, default=15)
    five_ones = models.DecimalField(_("“Five ones” completion"), **SCORE, default=15)
    self_assessment = models.DecimalField(_("self-assessment score"), **SCORE, default=10)
    review = models.DecimalField(_("review score"), **SCORE, default=10)
    application = models.DecimalField(_("application outcome"), **SCORE, default=10)
    # What earns an item's full points; fewer earn a proportional share.
    activity_target = models.PositiveSmallIntegerField(
        _("activities for full points"),
        default=12,
        validators=[MinValueValidator(1)],
        help_text=_("Activities an organization holds in the year to earn the item's full points."),
    )
    study_hours_target = models.DecimalField(
        _("study hours for full points"),
        max_digits=6,
        decimal_places=1,
        default=32,
        validators=[MinValueValidator(1)],
        help_text=_("Average study hours per member that earn the item's full points."),
    )

    WEIGHT_FIELDS = (
        "implementation_plan",
        "study_plans",
        "activities",
        "study_hours",
        "five_ones",
        "self_assessment",
        "review",
        "application",
    )

    class Meta:
        verbose_name = _("assessment weights")
        verbose_name_plural = _("assessment weights")

    def __str__(self):
        return str(self.campaign)


class AnnualAssessment(models.Model):
    """The 双争 item of an organization's annual Party-building target assessment.

    Figures are computed from the records; the department's adjustment and its
    reason are kept beside them, never folded into them.
    """

    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="annual_assessments",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("Party organization"),
        on_delete=models.PROTECT,
        related_name="annual_assessments",
    )
    implementation_plan_filed = models.BooleanField(_("implementation plan filed"), default=False)
    annual_plan_on_time = models.BooleanField(_("annual plan filed on time"), default=False)
    quarterly_plans_on_time = models.PositiveSmallIntegerField(
        _("quarterly plans filed on time"), default=0
    )
    activity_count = models.PositiveIntegerField(_("activities held"), default=0)
    three_meetings_count = models.PositiveIntegerField(
        _("“three meetings and one lecture” held"), default=0
    )
    average_study_hours = models.DecimalField(_("average study hours"), **SCORE, default=0)
    five_ones_rate = models.DecimalField(
        _("“Five ones” completion rate"), max_digits=5, decimal_places=4, default=0
    )
    self_assessment_score = models.DecimalField(
        _("self-assessment score"), **SCORE, null=True, blank=True
    )
    review_score = models.DecimalField(_("review score"), **SCORE, null=True, blank=True)
    application_outcome = models.CharField(
        _("application outcome"), max_length=20, choices=ApplicationState.choices, blank=True
    )
    computed_total = models.DecimalField(_("computed total"), **SCORE, default=0)
    adjustment = models.DecimalField(_("adjustment"), **SCORE, default=0)
    # Stored, not derived on the fly: it is computed_total + adjustment held
    # between 0 and the campaign's full points (records or weights can change
    # after an adjustment was made), and pages sort and export by it.
    total = models.DecimalField(_("total"), **SCORE, default=0)
    adjustment_reason = models.TextField(_("reason for adjustment"), blank=True)
    adjusted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("adjusted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("annual Party-building target assessment")
        verbose_name_plural = _("annual Party-building target assessments")
        ordering = ["-campaign__year", "organization__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organization"], name="annual_assessment_once"
            ),
            models.CheckConstraint(
                condition=Q(adjustment=0) | ~Q(adjustment_reason=""),
                name="annual_assessment_adjustment_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(five_ones_rate__gte=0) & Q(five_ones_rate__lte=1),
                name="annual_assessment_rate_range",
            ),
        ]

    def __str__(self):
        return f"{self.organization} · {self.campaign.year}"

    @property
    def total_capped(self) -> bool:
        """The adjusted figure left the 0 … full points range, so the total was held at its edge."""
        return self.total != self.computed_total + self.adjustment


class Commendation(models.Model):
    """An entry in the commendation list (表彰名单), made from a commended application."""

    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="commendations",
    )
    application = models.OneToOneField(
        Application,
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="commendation",
    )
    title = models.CharField(_("honour"), max_length=100)
    citation = models.TextField(_("citation"), blank=True)
    position = models.PositiveIntegerField(_("order"), default=0)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("commendation")
        verbose_name_plural = _("commendations")
        ordering = ["campaign", "position", "pk"]
        indexes = [models.Index(fields=["campaign", "published_at"], name="commendation_pub_idx")]

    def __str__(self):
        return f"{self.title} · {self.application}"


class DeadlineReminder(models.Model):
    """A deadline reminder already sent to one organization, so none is sent twice.

    Keyed by the deadline it was about: when the department moves the deadline
    or grants an extension, reminders for the new date go out again.
    """

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("Party organization"),
        on_delete=models.PROTECT,
        related_name="deadline_reminders",
    )
    days_before = models.PositiveSmallIntegerField(_("days before the deadline"))
    deadline = models.DateTimeField(_("deadline"))
    recipients = models.TextField(_("recipients"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("deadline reminder")
        verbose_name_plural = _("deadline reminders")
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organization", "days_before", "deadline"],
                name="deadline_reminder_once",
            ),
        ]

    def __str__(self):
        return f"{self.organization} · {self.days_before}"


def export_file_path(instance, filename):
    return f"exports/{instance.campaign.year}/{uuid.uuid4().hex}.xlsx"


class AssessmentExport(models.Model):
    """One request for the annual assessment workbook, and the file it produced.

    ``organization`` is the part of the district the workbook covers: None for
    the whole district (the department), a secretary's own organization otherwise.
    """

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("covering"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    rows_total = models.PositiveIntegerField(_("rows to write"), default=0)
    file = models.FileField(_("file"), upload_to=export_file_path, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("assessment export")
        verbose_name_plural = _("assessment exports")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="export_requester_idx")
        ]

    def __str__(self):
        return f"{self.campaign.year} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, 100 * self.rows_done // self.rows_total)

    @property
    def is_finished(self) -> bool:
        return self.status in {ExportStatus.DONE, ExportStatus.FAILED}
