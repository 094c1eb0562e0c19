"""The department's back office for study plans, activities, notes, books, topics and ideas."""

from django import forms
from django.contrib import admin
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from campaigns.admin import (
    BigTableAdmin,
    MemberChoicesMixin,
    OrganizationKindFilter,
    RecordedByInlineMixin,
    RecordedByMixin,
    campaign_year,
    count_of,
)

from .enums import THREE_MEETINGS_ONE_LECTURE
from .models import (
    ActivityAttachment,
    Attendance,
    Book,
    NoteComment,
    ReadingRecord,
    ResearchTopic,
    ResearchTopicParticipant,
    StudyActivity,
    StudyNote,
    StudyPlan,
    StudyPlanItem,
    Suggestion,
)

# --- Study plans ----------------------------------------------------------------------------


class StudyPlanItemInline(admin.TabularInline):
    model = StudyPlanItem
    extra = 0
    fields = ["position", "topic", "scheduled_on", "form", "speaker", "hours"]


@admin.register(StudyPlan)
class StudyPlanAdmin(MemberChoicesMixin, BigTableAdmin):
    list_display = [
        "title",
        "kind",
        "quarter",
        "organization",
        "member",
        campaign_year,
        "status",
        "filed_at",
        "item_count",
    ]
    list_select_related = ["organization", "member__user", "campaign"]
    list_filter = ["campaign", "kind", "status", "quarter", OrganizationKindFilter, "filed_at"]
    search_fields = ["title", "organization__name", "organization__code", "member__user__full_name"]
    ordering = ["-campaign__year", "organization__path", "kind", "quarter"]
    autocomplete_fields = ["organization", "member", "filed_by"]
    inlines = [StudyPlanItemInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(item_count=count_of(StudyPlanItem, "plan"))

    @admin.display(description=_("sessions"), ordering="item_count")
    def item_count(self, obj):
        return obj.item_count


@admin.register(StudyPlanItem)
class StudyPlanItemAdmin(BigTableAdmin):
    """Plan items are edited in their plan; this list finds them (e.g. for an activity)."""

    list_display = ["topic", "plan", "organization", "scheduled_on", "form", "speaker", "hours"]
    list_select_related = ["plan__organization"]
    list_filter = ["plan__campaign", "plan__kind", "form", "scheduled_on"]
    search_fields = ["topic", "speaker", "plan__title", "plan__organization__name"]
    ordering = ["-plan__campaign__year", "plan__organization__path", "plan", "position"]
    raw_id_fields = ["plan"]

    @admin.display(description=_("Party organization"), ordering="plan__organization__path")
    def organization(self, obj):
        return obj.plan.organization


# --- Activities -----------------------------------------------------------------------------


class ThreeMeetingsFilter(admin.SimpleListFilter):
    title = _("“three meetings and one lecture”")
    parameter_name = "three_meetings"

    def lookups(self, request, model_admin):
        return [("yes", _("Only “three meetings and one lecture”")), ("no", _("Other forms"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(form__in=THREE_MEETINGS_ONE_LECTURE)
        if self.value() == "no":
            return queryset.exclude(form__in=THREE_MEETINGS_ONE_LECTURE)
        return queryset


class AttendanceInline(MemberChoicesMixin, admin.TabularInline):
    model = Attendance
    extra = 0
    autocomplete_fields = ["member"]
    fields = ["member", "hours"]
    verbose_name = _("attendee")
    verbose_name_plural = _("attendees")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("member__user", "activity")


class ActivityAttachmentForm(forms.ModelForm):
    """An upload; its name, type and size are taken from the file itself."""

    class Meta:
        model = ActivityAttachment
        fields = ["activity", "file"]

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if isinstance(upload, UploadedFile):
            self.instance.original_name = upload.name[:255]
            self.instance.content_type = (upload.content_type or "application/octet-stream")[:100]
            self.instance.size = upload.size
        return cleaned


class ActivityAttachmentInline(RecordedByInlineMixin, admin.TabularInline):
    model = ActivityAttachment
    form = ActivityAttachmentForm
    extra = 0
    fields = ["file", "original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = ["original_name", "content_type", "size", "uploaded_at"]
    recorded_by_fields = ("uploaded_by",)


@admin.register(StudyActivity)
class StudyActivityAdmin(RecordedByMixin, BigTableAdmin):
    list_display = [
        "topic",
        "form",
        "held_on",
        "hours",
        "organization",
        campaign_year,
        "attendee_count",
        "recorded_by",
    ]
    list_select_related = ["organization", "campaign", "recorded_by"]
    list_filter = ["campaign", "form", ThreeMeetingsFilter, OrganizationKindFilter]
    search_fields = ["topic", "speaker", "place", "organization__name", "organization__code"]
    ordering = ["-held_on", "-pk"]
    date_hierarchy = "held_on"
    autocomplete_fields = ["organization"]
    raw_id_fields = ["plan_item"]
    inlines = [AttendanceInline, ActivityAttachmentInline]
    recorded_by_fields = ("recorded_by",)

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(attendee_count=count_of(Attendance, "activity"))
        )

    @admin.display(description=_("attendees"), ordering="attendee_count")
    def attendee_count(self, obj):
        return obj.attendee_count


@admin.register(Attendance)
class AttendanceAdmin(MemberChoicesMixin, BigTableAdmin):
    list_display = ["member", "organization", "activity", "held_on", "hours"]
    list_select_related = ["member__user", "activity__organization"]
    list_filter = ["activity__campaign", "activity__form", "activity__held_on"]
    search_fields = ["member__user__full_name", "activity__topic"]
    ordering = ["-pk"]  # newest first; sorting 600,000 rows by a joined date is slow
    autocomplete_fields = ["activity", "member"]

    @admin.display(description=_("Party organization"), ordering="activity__organization__path")
    def organization(self, obj):
        return obj.activity.organization

    @admin.display(description=_("date"), ordering="activity__held_on")
    def held_on(self, obj):
        return obj.activity.held_on


@admin.register(ActivityAttachment)
class ActivityAttachmentAdmin(RecordedByMixin, BigTableAdmin):
    form = ActivityAttachmentForm
    list_display = [
        "original_name",
        "activity",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
    ]
    list_select_related = ["activity", "uploaded_by"]
    list_filter = ["content_type"]
    search_fields = ["original_name", "activity__topic", "activity__organization__name"]
    ordering = ["-uploaded_at"]
    date_hierarchy = "uploaded_at"
    autocomplete_fields = ["activity"]
    fields = [
        "activity",
        "file",
        "original_name",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
    ]
    readonly_fields = ["original_name", "content_type", "size", "uploaded_at"]
    recorded_by_fields = ("uploaded_by",)


# --- Books and reading ----------------------------------------------------------------------


@admin.register(Book)
class BookAdmin(BigTableAdmin):
    list_display = ["title", "author", "isbn", "organization", "category", "copies", "added_on"]
    list_select_related = ["organization"]
    list_filter = [OrganizationKindFilter]
    search_fields = ["title", "author", "isbn", "organization__name", "organization__code"]
    ordering = ["organization__path", "title"]
    date_hierarchy = "added_on"
    autocomplete_fields = ["organization"]


@admin.register(ReadingRecord)
class ReadingRecordAdmin(MemberChoicesMixin, BigTableAdmin):
    list_display = ["member", "organization", "book", campaign_year, "finished_on"]
    list_select_related = ["member__user", "member__organization", "book", "campaign"]
    list_filter = ["campaign", "finished_on"]
    search_fields = ["member__user__full_name", "book__title", "member__organization__name"]
    ordering = ["-campaign__year", "member__organization__path", "member__user__full_name"]
    autocomplete_fields = ["member", "book"]

    @admin.display(description=_("Party organization"), ordering="member__organization__path")
    def organization(self, obj):
        return obj.member.organization


# --- Notes ----------------------------------------------------------------------------------


class NoteCommentInline(RecordedByInlineMixin, admin.StackedInline):
    model = NoteComment
    extra = 0
    fields = ["body", "author", "created_at"]
    readonly_fields = ["created_at"]
    recorded_by_fields = ("author",)


@admin.register(StudyNote)
class StudyNoteAdmin(RecordedByMixin, MemberChoicesMixin, BigTableAdmin):
    list_display = [
        "title",
        "kind",
        "member",
        "organization",
        campaign_year,
        "written_on",
        "is_excellent",
    ]
    list_select_related = ["member__user", "organization", "campaign"]
    list_filter = ["campaign", "kind", "is_excellent", OrganizationKindFilter, "written_on"]
    search_fields = ["title", "member__user__full_name", "organization__name", "organization__code"]
    ordering = ["-written_on", "-pk"]
    autocomplete_fields = ["member", "organization", "book", "marked_excellent_by"]
    inlines = [NoteCommentInline]


@admin.register(NoteComment)
class NoteCommentAdmin(RecordedByMixin, BigTableAdmin):
    list_display = ["excerpt", "note", "author", "created_at"]
    list_select_related = ["note", "author"]
    search_fields = ["body", "note__title", "author__full_name"]
    ordering = ["-created_at"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["note"]
    recorded_by_fields = ("author",)

    @admin.display(description=_("comment"))
    def excerpt(self, obj):
        return Truncator(obj.body).chars(40)


# --- Research topics and suggestions --------------------------------------------------------


class ResearchTopicParticipantInline(MemberChoicesMixin, admin.TabularInline):
    model = ResearchTopicParticipant
    extra = 0
    autocomplete_fields = ["member"]
    fields = ["member"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("member__user", "topic")


@admin.register(ResearchTopic)
class ResearchTopicAdmin(MemberChoicesMixin, BigTableAdmin):
    list_display = [
        "title",
        "organization",
        "lead",
        campaign_year,
        "status",
        "started_on",
        "concluded_on",
        "participant_count",
    ]
    list_select_related = ["organization", "lead__user", "campaign"]
    list_filter = ["campaign", "status", OrganizationKindFilter]
    search_fields = ["title", "problem", "organization__name", "lead__user__full_name"]
    ordering = ["-campaign__year", "organization__path", "title"]
    date_hierarchy = "started_on"
    autocomplete_fields = ["organization", "lead"]
    inlines = [ResearchTopicParticipantInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(participant_count=count_of(ResearchTopicParticipant, "topic"))
        )

    @admin.display(description=_("participants"), ordering="participant_count")
    def participant_count(self, obj):
        return obj.participant_count


@admin.register(Suggestion)
class SuggestionAdmin(MemberChoicesMixin, BigTableAdmin):
    list_display = [
        "title",
        "member",
        "organization",
        campaign_year,
        "status",
        "decided_at",
        "created_at",
    ]
    list_select_related = ["member__user", "organization", "campaign"]
    list_filter = ["campaign", "status", OrganizationKindFilter]
    search_fields = ["title", "member__user__full_name", "organization__name"]
    ordering = ["-created_at"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["member", "organization", "decided_by"]
