"""Reads of the department's review (审核): the queue, a reviewer's progress, the review page.

Everything here is for Organization Department staff only; the staged
decisions these reads expose must never reach a page an organization sees
(the organization's own lists read ``Application.state``, which staging does
not change).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)

from campaigns import rules
from campaigns.enums import OrganizationKind
from campaigns.models import Campaign, Organization

from ..enums import (
    AWAITING_REVIEW_STATES,
    DECIDED_STATES,
    SUBJECT_OF_KIND,
    ApplicationKind,
    ApplicationState,
)
from ..models import (
    Application,
    ApplicationTransition,
    Criterion,
    Review,
    ReviewScore,
)

SCORE_FIELD = DecimalField(max_digits=8, decimal_places=2)
# The queue's fixed order ("save and review the next" walks it): by organization, its own
# 学习型党组织标兵 application (org_model) before its members' (member_model).
QUEUE_ORDER = ("organization__path", "-kind", "member__user__full_name", "pk")


def subject_of(application: Application) -> str:
    """Which criteria an application is scored against."""
    return SUBJECT_OF_KIND[ApplicationKind(application.kind)]


def campaign_by_year(year) -> Campaign | None:
    """The campaign of ``year`` (a query-string value); None when there is none or it is bad."""
    try:
        year = int(str(year))
    except (TypeError, ValueError):
        return None
    return Campaign.objects.filter(year=year).first()


def campaign_years() -> list[int]:
    return list(Campaign.objects.order_by("-year").values_list("year", flat=True))


def _completed_by(reviewer):
    return Exists(
        Review.objects.filter(
            application=OuterRef("pk"), reviewer=reviewer, completed_at__isnull=False
        )
    )


def reviewable_applications(campaign: Campaign) -> QuerySet:
    """The applications the department reviews in ``campaign``: every one past its draft."""
    return Application.objects.filter(campaign=campaign).exclude(state=ApplicationState.DRAFT)


def review_queue(campaign: Campaign, reviewer) -> QuerySet:
    """The campaign's non-draft applications in queue order, for ``reviewer``.

    Each row carries ``reviewed_by_me`` (a completed review by ``reviewer``) and
    ``my_total`` (the sum of ``reviewer``'s scores, None before any score).
    """
    my_total = (
        ReviewScore.objects.filter(review__application=OuterRef("pk"), review__reviewer=reviewer)
        .order_by()
        .values("review__application")
        .annotate(total=Sum("score"))
        .values("total")
    )
    return (
        reviewable_applications(campaign)
        .select_related("organization", "member__user", "campaign")
        .annotate(
            reviewed_by_me=_completed_by(reviewer),
            my_total=Subquery(my_total, output_field=SCORE_FIELD),
        )
        .order_by(*QUEUE_ORDER)
    )


def next_unreviewed(queue: QuerySet, current: Application) -> Application | None:
    """The first application after ``current`` in ``queue`` that its reviewer has not
    completed, wrapping round to the start; None when every other one is done.

    ``queue`` is a (filtered) ``review_queue`` and keeps its order.
    """
    pending = queue.filter(reviewed_by_me=False).exclude(pk=current.pk)
    path = current.organization.path
    name = current.member.user.full_name if current.member_id else None
    after = Q(organization__path__gt=path) | Q(organization__path=path, kind__lt=current.kind)
    same_kind = Q(organization__path=path, kind=current.kind)
    if name is None:
        after |= same_kind & Q(pk__gt=current.pk)
    else:
        after |= same_kind & (
            Q(member__user__full_name__gt=name) | Q(member__user__full_name=name, pk__gt=current.pk)
        )
    return pending.filter(after).first() or pending.first()


@dataclass(frozen=True)
class ReviewProgress:
    """How far one reviewer is with a campaign.

    ``total``: the campaign's applications past their draft (what the queue can show).
    ``reviewed``: those with a completed review (every criterion scored) by the reviewer.
    ``decided``: those recommended, not recommended or commended.
    ``staged``: decisions staged and awaiting release.
    ``awaiting``: those submitted, resubmitted or under review.
    """

    total: int = 0
    reviewed: int = 0
    decided: int = 0
    staged: int = 0
    awaiting: int = 0


def review_progress(campaign: Campaign | None, reviewer) -> ReviewProgress:
    if campaign is None:
        return ReviewProgress()
    figures = reviewable_applications(campaign).aggregate(
        total=Count("pk"),
        reviewed=Count("pk", filter=Q(_completed_by(reviewer))),
        decided=Count("pk", filter=Q(state__in=DECIDED_STATES)),
        staged=Count("pk", filter=~Q(staged_decision="")),
        awaiting=Count("pk", filter=Q(state__in=AWAITING_REVIEW_STATES)),
    )
    return ReviewProgress(**figures)


def staged_applications(campaign: Campaign) -> QuerySet:
    """Applications of ``campaign`` with a staged decision, in queue order."""
    return (
        Application.objects.filter(campaign=campaign)
        .exclude(staged_decision="")
        .select_related("organization", "member__user")
        .order_by(*QUEUE_ORDER)
    )


def organization_picker(user) -> QuerySet:
    """Organizations the queue can narrow to (with everything below them).

    Only committees and general branches: a district's thousands of branches
    would make the list unusable, and one branch is found by the search box.
    """
    return (
        rules.visible(user, Organization)
        .filter(
            is_active=True, kind__in=[OrganizationKind.COMMITTEE, OrganizationKind.GENERAL_BRANCH]
        )
        .order_by("path")
    )


# ---------------------------------------------------------------- review page


def review_application(user, pk) -> Application:
    """The application under review, through campaigns.rules (404 for outsiders)."""
    return rules.get_visible_or_404(
        user,
        Application.objects.select_related(
            "campaign", "organization", "member__user", "self_assessment"
        ),
        pk=pk,
    )


def application_history(application: Application) -> list[ApplicationTransition]:
    return list(application.history.select_related("actor").order_by("at", "pk"))


def review_criteria(application: Application) -> list[Criterion]:
    return list(
        Criterion.objects.filter(
            campaign_id=application.campaign_id, subject=subject_of(application)
        ).order_by("position")
    )


def review_of(application: Application, reviewer) -> Review | None:
    """``reviewer``'s own review of ``application`` with its scores, or None."""
    return (
        Review.objects.filter(application=application, reviewer=reviewer)
        .prefetch_related(Prefetch("scores", queryset=ReviewScore.objects.order_by()))
        .first()
    )


def other_reviews(application: Application, reviewer) -> list[Review]:
    """The other reviewers' reviews of ``application``, with totals."""
    return list(
        Review.objects.filter(application=application)
        .exclude(reviewer=reviewer)
        .select_related("reviewer")
        .annotate(total=Sum("scores__score"))
        .order_by("reviewer__full_name", "pk")
    )


def score_total(scores) -> Decimal:
    return sum((s.score for s in scores), Decimal(0))
