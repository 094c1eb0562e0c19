"""The department's back office for criteria, assessments, applications and commendations."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import DecimalField, OuterRef, Subquery, Sum
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from campaigns.admin import (
    BigTableAdmin,
    MemberChoicesMixin,
    OrganizationKindFilter,
    PortalAdmin,
    ReadOnlyAdminMixin,
    RecordedByMixin,
    campaign_year,
)

from .enums import SUBJECT_OF_KIND
from .models import (
    EVIDENCE_TARGETS,
    SCORE,
    AnnualAssessment,
    Application,
    ApplicationTransition,
    AssessmentExport,
    AssessmentWeights,
    Commendation,
    Criterion,
    CriterionScore,
    DeadlineReminder,
    Evidence,
    Review,
    ReviewScore,
    SelfAssessment,
)
from .services.annual import (
    FIGURE_FIELDS,
    adjustment_check,
    annual_assessment_adjust,
    annual_assessment_compute,
)

APPLICATION_RELATED = [
    "application__organization",
    "application__member__user",
    "application__campaign",
]
ASSESSMENT_RELATED = [
    "assessment__organization",
    "assessment__member__user",
    "assessment__campaign",
]


def total_of(model, fk: str):
    """A correlated subquery adding up ``model.score`` for the outer row."""
    rows = (
        model._default_manager.filter(**{fk: OuterRef("pk")})
        .order_by()
        .values(fk)
        .annotate(total=Sum("score"))
        .values("total")
    )
    return Subquery(rows, output_field=DecimalField(**SCORE))


def limit_criteria(formset, campaign_id, subject):
    """Offer only the criteria of the parent's campaign and subject in a score formset."""
    field = formset.form.base_fields.get("criterion")
    if field is not None:
        field.queryset = field.queryset.filter(campaign_id=campaign_id, subject=subject)
    return formset


# --- Criteria -------------------------------------------------------------------------------


@admin.register(Criterion)
class CriterionAdmin(PortalAdmin):
    list_display = ["position", "short_text", "subject", campaign_year, "weight", "max_score"]
    list_display_links = ["position", "short_text"]
    list_select_related = ["campaign"]
    list_filter = ["campaign", "subject"]
    search_fields = ["text"]
    ordering = ["-campaign__year", "subject", "position"]

    @admin.display(description=_("requirement"), ordering="text")
    def short_text(self, obj):
        return Truncator(obj.text).chars(60)


# --- Self-assessments -----------------------------------------------------------------------


class CriterionScoreInline(admin.TabularInline):
    model = CriterionScore
    extra = 0
    fields = ["criterion", "score", "statement"]
    show_change_link = True  # evidence is attached on the score's own page

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("criterion")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            limit_criteria(formset, obj.campaign_id, obj.subject)
        return formset


@admin.register(SelfAssessment)
class SelfAssessmentAdmin(MemberChoicesMixin, BigTableAdmin):
    list_display = [
        "__str__",
        "subject",
        "organization",
        campaign_year,
        "status",
        "total_score",
        "completed_at",
    ]
    list_select_related = ["organization", "member__user", "campaign"]
    list_filter = ["campaign", "subject", "status", OrganizationKindFilter]
    search_fields = ["organization__name", "organization__code", "member__user__full_name"]
    ordering = ["-campaign__year", "organization__path"]
    date_hierarchy = "completed_at"
    autocomplete_fields = ["organization", "member"]
    inlines = [CriterionScoreInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(total_score=total_of(CriterionScore, "assessment"))
        )

    @admin.display(description=_("total score"), ordering="total_score")
    def total_score(self, obj):
        return obj.total_score


class EvidenceInline(admin.StackedInline):
    model = Evidence
    extra = 0
    fields = [
        "kind",
        "implementation_plan",
        "study_plan",
        "activity",
        "note",
        "reading_record",
        "research_topic",
        "suggestion",
        "file",
        "description",
    ]
    autocomplete_fields = [
        "implementation_plan",
        "study_plan",
        "activity",
        "note",
        "reading_record",
        "research_topic",
        "suggestion",
    ]

    def get_queryset(self, request):
        # Each row is titled by its target.
        return (
            super()
            .get_queryset(request)
            .select_related(*(field for field in EVIDENCE_TARGETS.values() if field != "file"))
        )


@admin.register(CriterionScore)
class CriterionScoreAdmin(BigTableAdmin):
    """A self-assessment score with the evidence behind it."""

    list_display = ["assessment", "criterion", "score"]
    list_select_related = [*ASSESSMENT_RELATED, "criterion"]
    list_filter = ["assessment__campaign", "assessment__subject"]
    search_fields = ["assessment__organization__name", "assessment__member__user__full_name"]
    ordering = ["-assessment__campaign__year", "assessment", "criterion__position"]
    raw_id_fields = ["assessment"]
    inlines = [EvidenceInline]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None and "criterion" in form.base_fields:
            form.base_fields["criterion"].queryset = Criterion.objects.filter(
                campaign_id=obj.assessment.campaign_id, subject=obj.assessment.subject
            )
        return form


# --- Applications ---------------------------------------------------------------------------


class ApplicationTransitionInline(admin.TabularInline):
    """The application's history, shown and never edited: it is append-only."""

    model = ApplicationTransition
    extra = 0
    max_num = 0
    can_delete = False
    fields = ["at", "from_state", "to_state", "actor", "comment"]
    readonly_fields = fields
    ordering = ["at", "pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReviewInline(admin.TabularInline):
    model = Review
    extra = 0
    fields = ["reviewer", "comment", "completed_at"]
    autocomplete_fields = ["reviewer"]
    show_change_link = True  # the review's scores are on its own page

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("reviewer", *APPLICATION_RELATED)


@admin.register(Application)
class ApplicationAdmin(RecordedByMixin, MemberChoicesMixin, BigTableAdmin):
    list_display = [
        "nominee",
        "kind",
        "organization",
        campaign_year,
        "state",
        "submitted_at",
        "staged_decision",
        "updated_at",
    ]
    list_select_related = ["organization", "member__user", "campaign"]
    list_filter = ["campaign", "kind", "state", "staged_decision", OrganizationKindFilter]
    search_fields = ["organization__name", "organization__code", "member__user__full_name"]
    ordering = ["-campaign__year", "organization__path", "kind"]
    date_hierarchy = "submitted_at"
    autocomplete_fields = ["organization", "member", "self_assessment"]
    fields = [
        "campaign",
        "kind",
        "organization",
        "member",
        "state",
        "submitted_at",
        "main_deeds",
        "self_assessment",
        "organization_opinion",
        "staged_decision",
        "staged_comment",
        "created_by",
        "created_at",
        "updated_at",
    ]
    # The state only moves through the application services, which record
    # every step in the history; the admin shows it but never sets it.
    readonly_fields = ["state", "submitted_at", "created_at", "updated_at"]
    recorded_by_fields = ("created_by",)
    inlines = [ApplicationTransitionInline, ReviewInline]

    @admin.display(description=_("nominee"), ordering="member__user__full_name")
    def nominee(self, obj):
        return obj.member or obj.organization


@admin.register(ApplicationTransition)
class ApplicationTransitionAdmin(ReadOnlyAdminMixin, BigTableAdmin):
    """Read-only for everyone, superusers included: the history is append-only."""

    list_display = ["application", "from_state", "to_state", "actor", "at", "short_comment"]
    list_select_related = [*APPLICATION_RELATED, "actor"]
    list_filter = ["to_state", "application__campaign", "application__kind"]
    search_fields = [
        "application__organization__name",
        "application__member__user__full_name",
        "actor__full_name",
        "comment",
    ]
    ordering = ["-at", "-pk"]
    date_hierarchy = "at"

    @admin.display(description=_("comment"))
    def short_comment(self, obj):
        return Truncator(obj.comment).chars(40)


# --- Reviews --------------------------------------------------------------------------------


class ReviewScoreInline(admin.TabularInline):
    model = ReviewScore
    extra = 0
    fields = ["criterion", "score", "comment"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("criterion")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            application = obj.application
            limit_criteria(formset, application.campaign_id, SUBJECT_OF_KIND[application.kind])
        return formset


@admin.register(Review)
class ReviewAdmin(BigTableAdmin):
    list_display = ["application", "reviewer", "total_score", "completed_at", "updated_at"]
    list_select_related = [*APPLICATION_RELATED, "reviewer"]
    list_filter = [
        "application__campaign",
        "application__kind",
        ("completed_at", admin.EmptyFieldListFilter),
    ]
    search_fields = [
        "application__organization__name",
        "application__member__user__full_name",
        "reviewer__full_name",
        "reviewer__username",
    ]
    ordering = ["-created_at"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["application", "reviewer"]
    inlines = [ReviewScoreInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(total_score=total_of(ReviewScore, "review"))

    @admin.display(description=_("total score"), ordering="total_score")
    def total_score(self, obj):
        return obj.total_score


# --- Annual assessment ----------------------------------------------------------------------


@admin.register(AssessmentWeights)
class AssessmentWeightsAdmin(PortalAdmin):
    list_display = [
        "campaign",
        "implementation_plan",
        "study_plans",
        "activities",
        "study_hours",
        "five_ones",
        "self_assessment",
        "review",
        "application",
        "total",
    ]
    list_select_related = ["campaign"]
    ordering = ["-campaign__year"]

    @admin.display(description=_("total"))
    def total(self, obj):
        return sum(getattr(obj, name) for name in AssessmentWeights.WEIGHT_FIELDS)

    def save_model(self, request, obj, form, change):
        # The stored totals follow the weights, as when they are set in the portal.
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            annual_assessment_compute(campaign=obj.campaign)


class AnnualAssessmentAdminForm(forms.ModelForm):
    """The adjustment obeys the portal's rules: a reason, and a total within the full points."""

    class Meta:
        model = AnnualAssessment
        fields = ["adjustment", "adjustment_reason"]

    def clean(self):
        cleaned = super().clean()
        adjustment = cleaned.get("adjustment")
        if adjustment is not None:
            try:
                adjustment_check(
                    assessment=self.instance,
                    adjustment=adjustment,
                    reason=cleaned.get("adjustment_reason", ""),
                )
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    self.add_error(field, messages)
        return cleaned


COMPUTED_FIGURES = [*FIGURE_FIELDS, "computed_at"]


@admin.register(AnnualAssessment)
class AnnualAssessmentAdmin(BigTableAdmin):
    list_display = [
        "organization",
        campaign_year,
        "implementation_plan_filed",
        "activity_count",
        "average_study_hours",
        "five_ones_rate",
        "self_assessment_score",
        "review_score",
        "application_outcome",
        "computed_total",
        "adjustment",
        "total",
    ]
    list_select_related = ["organization", "campaign"]
    list_filter = [
        "campaign",
        OrganizationKindFilter,
        "implementation_plan_filed",
        "annual_plan_on_time",
        "application_outcome",
    ]
    search_fields = ["organization__name", "organization__code"]
    ordering = ["-campaign__year", "organization__path"]
    # The figures are computed from the records (rows come only from computing
    # them); the department only adds an adjustment with its reason beside them.
    fieldsets = [
        (None, {"fields": ["campaign", "organization"]}),
        (_("Computed from the records"), {"fields": COMPUTED_FIGURES}),
        (_("Adjustment"), {"fields": ["adjustment", "adjustment_reason", "adjusted_by"]}),
    ]
    readonly_fields = ["campaign", "organization", *COMPUTED_FIGURES, "adjusted_by"]
    form = AnnualAssessmentAdminForm

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        if {"adjustment", "adjustment_reason"} & set(form.changed_data):
            annual_assessment_adjust(
                assessment=obj,
                user=request.user,
                adjustment=obj.adjustment,
                reason=obj.adjustment_reason,
            )
            return
        super().save_model(request, obj, form, change)


@admin.register(AssessmentExport)
class AssessmentExportAdmin(ReadOnlyAdminMixin, BigTableAdmin):
    list_display = ["created_at", campaign_year, "organization", "requested_by", "status"]
    list_select_related = ["campaign", "organization", "requested_by"]
    list_filter = ["campaign", "status"]
    ordering = ["-created_at", "-pk"]


# --- Commendations --------------------------------------------------------------------------


@admin.register(Commendation)
class CommendationAdmin(BigTableAdmin):
    list_display = ["title", "application", campaign_year, "position", "published_at"]
    list_display_links = ["title"]
    list_editable = ["position"]
    list_select_related = [*APPLICATION_RELATED, "campaign"]
    list_filter = ["campaign", ("published_at", admin.EmptyFieldListFilter), "application__kind"]
    search_fields = [
        "title",
        "application__organization__name",
        "application__member__user__full_name",
    ]
    ordering = ["-campaign__year", "position", "pk"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["application"]


@admin.register(DeadlineReminder)
class DeadlineReminderAdmin(ReadOnlyAdminMixin, BigTableAdmin):
    """Read-only: the record of reminders already sent, which keeps them from going out twice."""

    list_display = ["organization", campaign_year, "days_before", "deadline", "sent_at"]
    list_select_related = ["organization", "campaign"]
    list_filter = ["campaign", "days_before"]
    search_fields = ["organization__name", "organization__code", "recipients"]
    ordering = ["-sent_at", "-pk"]
