"""Reads for the study activity pages (学习活动, “三会一课”, 组织生活会).

Every function answers in a fixed number of queries however many activities,
attendees or members there are, and reads through ``campaigns.rules.visible``.
"""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from campaigns import rules
from campaigns.enums import MemberRole
from campaigns.models import Campaign, Member, Organization
from campaigns.selectors import with_study_hours
from learning.enums import ORGANIZATION_PLAN_KINDS
from learning.models import ActivityAttachment, Attendance, StudyActivity, StudyPlanItem


def _count_per_activity(queryset: QuerySet):
    counted = (
        queryset.filter(activity=OuterRef("pk"))
        .order_by()
        .values("activity")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def activity_list(user) -> QuerySet[StudyActivity]:
    """The activities ``user`` may see, newest first, with ``attendee_count`` and
    ``attachment_count`` annotated (subqueries, so no GROUP BY over the page)."""
    return (
        rules.visible(user, StudyActivity)
        .select_related("organization")
        .annotate(
            attendee_count=_count_per_activity(Attendance.objects.all()),
            attachment_count=_count_per_activity(ActivityAttachment.objects.all()),
        )
        .order_by("-held_on", "-pk")
    )


def activity_detail_queryset(user) -> QuerySet[StudyActivity]:
    """For the detail page: one activity with what the page shows beside it."""
    return (
        rules.visible(user, StudyActivity)
        .select_related("organization", "campaign", "plan_item__plan", "recorded_by")
        .prefetch_related(
            Prefetch(
                "attachments",
                queryset=ActivityAttachment.objects.select_related("uploaded_by").order_by(
                    "uploaded_at", "pk"
                ),
            )
        )
    )


def activity_attendees(activity: StudyActivity) -> list[Member]:
    """The activity's attendees with ``credited_hours`` (this activity) and
    ``study_hours`` (their total in the activity's campaign), by name."""
    members = Member.objects.filter(attendance__activity=activity).select_related("user")
    members = with_study_hours(members, activity.campaign).annotate(
        credited_hours=Subquery(
            Attendance.objects.filter(activity=activity, member=OuterRef("pk")).values("hours")[:1]
        )
    )
    return list(members.order_by("user__full_name", "pk"))


def activity_absentees(activity: StudyActivity) -> list[Member]:
    """Active members of the activity's organization who did not attend."""
    return list(
        Member.objects.filter(organization_id=activity.organization_id, is_active=True)
        .exclude(attendance__activity=activity)
        .select_related("user")
        .order_by("user__full_name", "pk")
    )


def managed_organizations(user) -> list[Organization]:
    """The active organizations ``user`` may record activities for (a secretary's
    own organization and those below it), in tree order."""
    scope = rules.scope_for(user)
    if not scope.is_secretary:
        return []
    return list(
        rules.visible(user, Organization)
        .filter(is_active=True, path__startswith=scope.managed_path)
        .order_by("path")
    )


def attendee_choices(organization: Organization, *, include_ids=()) -> list[tuple[int, str, bool]]:
    """(member id, name, is secretary) of the organization's active members, by name.

    ``include_ids``: members to list even if they left or moved since (the
    current attendees of an activity being edited), so editing never drops them.
    One query, no model instances: the list is read as rows for 500 members.
    """
    members = Member.objects.filter(organization=organization, is_active=True)
    if include_ids:
        members = Member.objects.filter(pk__in=list(include_ids)) | members
    rows = members.order_by("user__full_name", "pk").values_list(
        "pk", "user__full_name", "user__username", "role"
    )
    return [
        (pk, full_name or username, role == MemberRole.SECRETARY)
        for pk, full_name, username, role in rows
    ]


def plan_item_choices(organization: Organization, campaign: Campaign) -> QuerySet[StudyPlanItem]:
    """Items of the organization's own plans (annual, quarterly) in ``campaign``."""
    return (
        StudyPlanItem.objects.filter(
            plan__organization=organization,
            plan__campaign=campaign,
            plan__kind__in=ORGANIZATION_PLAN_KINDS,
        )
        .select_related("plan")
        .order_by("plan__kind", "plan__quarter", "scheduled_on", "position", "pk")
    )


def attendee_ids(activity: StudyActivity) -> set[int]:
    return set(Attendance.objects.filter(activity=activity).values_list("member_id", flat=True))
