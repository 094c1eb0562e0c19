from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaigns.enums import PlanStatus
from campaigns.models import Campaign, Member, Organization

from .enums import ActivityForm, NoteKind, ResearchStatus, StudyPlanKind, SuggestionStatus

HOURS_VALIDATORS = [MinValueValidator(0), MaxValueValidator(24)]


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class StudyPlan(TimeStamped):
    """An organization's annual or quarterly plan, or a member's personal plan."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="study_plans"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=StudyPlanKind.choices)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("Party organization"),
        on_delete=models.PROTECT,
        related_name="study_plans",
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("Party member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="study_plans",
    )
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    title = models.CharField(_("title"), max_length=200)
    key_content = models.TextField(_("key study content"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("study plan")
        verbose_name_plural = _("study plans")
        ordering = ["-campaign__year", "organization__path", "kind", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organization"],
                condition=Q(kind=StudyPlanKind.ORGANIZATION_ANNUAL),
                name="study_plan_one_annual_per_org",
            ),
            models.UniqueConstraint(
                fields=["campaign", "organization", "quarter"],
                condition=Q(kind=StudyPlanKind.ORGANIZATION_QUARTERLY),
                name="study_plan_one_per_quarter_per_org",
            ),
            models.UniqueConstraint(
                fields=["campaign", "member"],
                condition=Q(kind=StudyPlanKind.PERSONAL),
                name="study_plan_one_personal_per_member",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        kind=StudyPlanKind.ORGANIZATION_ANNUAL,
                        quarter__isnull=True,
                        member__isnull=True,
                    )
                    | Q(
                        kind=StudyPlanKind.ORGANIZATION_QUARTERLY,
                        quarter__isnull=False,
                        member__isnull=True,
                    )
                    | Q(kind=StudyPlanKind.PERSONAL, quarter__isnull=True, member__isnull=False)
                ),
                name="study_plan_kind_fields",
            ),
            models.CheckConstraint(
                condition=Q(quarter__isnull=True) | Q(quarter__gte=1, quarter__lte=4),
                name="study_plan_quarter_range",
            ),
            models.CheckConstraint(
                condition=Q(status=PlanStatus.DRAFT) | Q(filed_at__isnull=False),
                name="study_plan_filed_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "campaign", "kind"], name="study_plan_org_idx"),
        ]

    def __str__(self):
        return self.title


class StudyPlanItem(models.Model):
    """A scheduled session in a plan (plan items are part of their plan)."""

    plan = models.ForeignKey(
        StudyPlan, verbose_name=_("study plan"), on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    topic = models.CharField(_("topic"), max_length=200)
    scheduled_on = models.DateField(_("scheduled on"), null=True, blank=True)
    form = models.CharField(_("form"), max_length=40, choices=ActivityForm.choices, blank=True)
    speaker = models.CharField(_("speaker"), max_length=100, blank=True)
    hours = models.DecimalField(
        _("hours"), max_digits=4, decimal_places=1, default=0, validators=HOURS_VALIDATORS
    )

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        ordering = ["plan", "position", "scheduled_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gte=0) & Q(hours__lte=24), name="plan_item_hours_range"
            ),
        ]

    def __str__(self):
        return self.topic


class StudyActivity(TimeStamped):
    """A collective study session or meeting an organization held."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="activities"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("Party organization"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    form = models.CharField(_("form"), max_length=40, choices=ActivityForm.choices)
    topic = models.CharField(_("topic"), max_length=200)
    held_on = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"), max_digits=4, decimal_places=1, validators=HOURS_VALIDATORS
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    speaker = models.CharField(_("speaker"), max_length=100, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    plan_item = models.ForeignKey(
        StudyPlanItem,
        verbose_name=_("plan item fulfilled"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
    )
    attendees = models.ManyToManyField(
        Member, through="Attendance", verbose_name=_("attendees"), related_name="activities"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("study activity")
        verbose_name_plural = _("study activities")
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=24), name="activity_hours_range"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "campaign", "-held_on"], name="activity_org_idx"),
            models.Index(fields=["campaign", "form"], name="activity_form_idx"),
        ]

    def __str__(self):
        return self.topic


class Attendance(models.Model):
    """A member's attendance at an activity; its hours count towards their study time."""

    activity = models.ForeignKey(
        StudyActivity,
        verbose_name=_("study activity"),
        on_delete=models.CASCADE,
        related_name="attendance",
    )
    member = models.ForeignKey(
        Member, verbose_name=_("Party member"), on_delete=models.PROTECT, related_name="attendance"
    )
    hours = models.DecimalField(
        _("hours credited"), max_digits=4, decimal_places=1, validators=HOURS_VALIDATORS
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["activity", "member"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "member"], name="attendance_once"),
            models.CheckConstraint(
                condition=Q(hours__gte=0) & Q(hours__lte=24), name="attendance_hours_range"
            ),
        ]
        indexes = [models.Index(fields=["member", "activity"], name="attendance_member_idx")]

    def __str__(self):
        return f"{self.member} @ {self.activity}"


def activity_attachment_path(instance, filename):
    # Stored under a generated name; the original name is kept in the row.
    import uuid
    from pathlib import PurePath

    return (
        f"activities/{instance.activity_id}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"
    )


class ActivityAttachment(models.Model):
    activity = models.ForeignKey(
        StudyActivity,
        verbose_name=_("study activity"),
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=activity_attachment_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("activity attachment")
        verbose_name_plural = _("activity attachments")
        ordering = ["activity", "uploaded_at"]

    def __str__(self):
        return self.original_name


class Book(models.Model):
    """A title in an organization's book collection (学习型党组织书库)."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("Party organization"),
        on_delete=models.PROTECT,
        related_name="books",
    )
    title = models.CharField(_("title"), max_length=200)
    author = models.CharField(_("author"), max_length=200, blank=True)
    isbn = models.CharField(_("ISBN"), max_length=17, blank=True)
    category = models.CharField(_("category"), max_length=50, blank=True)
    publisher = models.CharField(_("publisher"), max_length=100, blank=True)
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    added_on = models.DateField(_("added on"), auto_now_add=True)

    class Meta:
        verbose_name = _("book")
        verbose_name_plural = _("book collection")
        ordering = ["organization__path", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "isbn"],
                condition=~Q(isbn=""),
                name="book_isbn_once_per_org",
            ),
        ]
        indexes = [models.Index(fields=["organization", "title"], name="book_org_title_idx")]

    def __str__(self):
        return self.title


class ReadingRecord(TimeStamped):
    """A member's record of a book they read closely (精读一本好书)."""

    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="reading_records",
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("Party member"),
        on_delete=models.PROTECT,
        related_name="reading_records",
    )
    book = models.ForeignKey(
        Book, verbose_name=_("book"), on_delete=models.PROTECT, related_name="reading_records"
    )
    finished_on = models.DateField(_("finished on"), null=True, blank=True)
    summary = models.TextField(_("what I took from it"), blank=True)

    class Meta:
        verbose_name = _("close-reading record")
        verbose_name_plural = _("close-reading records")
        ordering = ["-campaign__year", "member"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "member", "book"], name="reading_record_once_per_book"
            ),
        ]
        indexes = [models.Index(fields=["member", "campaign"], name="reading_member_idx")]

    def __str__(self):
        return f"{self.member} · {self.book}"


class StudyNote(TimeStamped):
    """A member's study note, reflection (学习心得) or study exchange."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="notes"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("Party member"), on_delete=models.PROTECT, related_name="notes"
    )
    # The member's organization when writing; kept so an organization's notes
    # stay with it when a member moves, and so lists filter without a join.
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("Party organization"),
        on_delete=models.PROTECT,
        related_name="notes",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NoteKind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    written_on = models.DateField(_("written on"))
    book = models.ForeignKey(
        Book,
        verbose_name=_("book"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notes",
    )
    is_excellent = models.BooleanField(_("excellent reflection"), default=False)
    marked_excellent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked excellent by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("study note")
        verbose_name_plural = _("study notes")
        ordering = ["-written_on", "-pk"]
        indexes = [
            models.Index(fields=["member", "campaign", "kind"], name="note_member_idx"),
            models.Index(fields=["organization", "campaign", "-written_on"], name="note_org_idx"),
        ]

    def __str__(self):
        return self.title


class NoteComment(models.Model):
    """A secretary's comment on a member's note or reflection (评学)."""

    note = models.ForeignKey(
        StudyNote, verbose_name=_("study note"), on_delete=models.PROTECT, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["note", "created_at"]

    def __str__(self):
        return self.body[:40]


class ResearchTopic(TimeStamped):
    """A research topic tied to a real problem of the enterprise (研究课题)."""

    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="research_topics",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("Party organization"),
        on_delete=models.PROTECT,
        related_name="research_topics",
    )
    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(_("problem addressed"), blank=True)
    lead = models.ForeignKey(
        Member,
        verbose_name=_("lead"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_topics",
    )
    participants = models.ManyToManyField(
        Member,
        verbose_name=_("participants"),
        blank=True,
        related_name="research_topics",
        through="ResearchTopicParticipant",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ResearchStatus.choices, default=ResearchStatus.PROPOSED
    )
    started_on = models.DateField(_("started on"), null=True, blank=True)
    concluded_on = models.DateField(_("concluded on"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    outcome_application = models.TextField(_("how the outcome was applied"), blank=True)

    class Meta:
        verbose_name = _("research topic")
        verbose_name_plural = _("research topics")
        ordering = ["-campaign__year", "organization__path", "title"]
        indexes = [
            models.Index(fields=["organization", "campaign", "status"], name="topic_org_idx"),
        ]

    def __str__(self):
        return self.title


class ResearchTopicParticipant(models.Model):
    """A member's part in a research topic.

    An explicit model rather than Django's automatic M2M table, which would
    CASCADE from Member: deleting a member who took part in a topic must be
    refused, not quietly drop the participation. It keeps the automatic table's
    name and columns, so existing rows stay where they are.
    """

    topic = models.ForeignKey(
        ResearchTopic,
        verbose_name=_("research topic"),
        on_delete=models.CASCADE,
        db_column="researchtopic_id",
        related_name="participations",
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("Party member"),
        on_delete=models.PROTECT,
        related_name="topic_participations",
    )

    class Meta:
        db_table = "learning_researchtopic_participants"
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        # unique_together, not a UniqueConstraint: it names the constraint exactly
        # as the automatic table did, so the database needs no change.
        unique_together = [("topic", "member")]

    def __str__(self):
        return f"{self.member} · {self.topic}"


class Suggestion(TimeStamped):
    """A member's “我为企业发展献一计” suggestion."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="suggestions"
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("Party member"),
        on_delete=models.PROTECT,
        related_name="suggestions",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("Party organization"),
        on_delete=models.PROTECT,
        related_name="suggestions",
    )
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("content"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=SuggestionStatus.choices,
        default=SuggestionStatus.PENDING,
    )
    benefit = models.TextField(_("benefit"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=SuggestionStatus.PENDING) | Q(decided_at__isnull=False),
                name="suggestion_decided_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "campaign", "status"], name="suggestion_org_idx"),
            models.Index(fields=["member", "campaign"], name="suggestion_member_idx"),
        ]

    def __str__(self):
        return self.title
