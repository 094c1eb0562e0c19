"""Reads for study plans (学习计划) and implementation plans (实施方案).

Everything goes through ``campaigns.rules.visible``; each function answers in a
fixed number of queries however many organizations, members or items there are.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from campaigns import rules
from campaigns.models import Campaign, ImplementationPlan, Member, Organization
from learning.enums import StudyPlanKind
from learning.models import StudyPlan, StudyPlanItem

QUARTERS = (1, 2, 3, 4)
QUARTER_LABELS = {
    1: _("First quarter"),
    2: _("Second quarter"),
    3: _("Third quarter"),
    4: _("Fourth quarter"),
}
QUARTER_CHOICES = list(QUARTER_LABELS.items())
ORGANIZATION_KINDS = (StudyPlanKind.ORGANIZATION_ANNUAL, StudyPlanKind.ORGANIZATION_QUARTERLY)
MISSING_SHOWN = 25


def kind_label(kind: str, quarter: int | None = None) -> str:
    """“年度学习计划”, “第二季度学习计划”, “个人年度学习计划”."""
    if kind == StudyPlanKind.ORGANIZATION_QUARTERLY and quarter in QUARTER_LABELS:
        return _("%(quarter)s study plan") % {"quarter": QUARTER_LABELS[quarter]}
    try:
        return str(StudyPlanKind(kind).label)
    except ValueError:
        return ""


def label_plans(plans):
    """Give each plan a ``kind_label`` for templates (no queries)."""
    for plan in plans:
        plan.kind_label = kind_label(plan.kind, plan.quarter)
    return plans


# ---------------------------------------------------------------- organizations


def managed_organizations(user) -> QuerySet[Organization]:
    """The active organizations a secretary manages: their own and every one below it."""
    scope = rules.scope_for(user)
    if not scope.is_secretary:
        return Organization.objects.none()
    return (
        rules.visible(user, Organization)
        .filter(path__startswith=scope.managed_path, is_active=True)
        .order_by("path")
    )


def organizations_missing_plans(user, campaign: Campaign, organization=None) -> QuerySet:
    """The secretary's organizations still without an implementation plan, an annual
    plan or one of the four quarterly plans for ``campaign`` (drafts count as present).

    Each row carries ``has_implementation_plan``, ``has_annual`` and ``has_q1`` … ``has_q4``.
    """
    organizations = managed_organizations(user)
    if organization is not None:
        organizations = organizations.filter(pk=organization.pk)
    plans = rules.visible(user, StudyPlan).filter(campaign=campaign, organization=OuterRef("pk"))
    annotations = {
        "has_implementation_plan": Exists(
            rules.visible(user, ImplementationPlan).filter(
                campaign=campaign, organization=OuterRef("pk")
            )
        ),
        "has_annual": Exists(plans.filter(kind=StudyPlanKind.ORGANIZATION_ANNUAL)),
    }
    for quarter in QUARTERS:
        annotations[f"has_q{quarter}"] = Exists(
            plans.filter(kind=StudyPlanKind.ORGANIZATION_QUARTERLY, quarter=quarter)
        )
    missing = Q()
    for name in annotations:
        missing |= Q(**{name: False})
    return organizations.annotate(**annotations).filter(missing)


def missing_summary(user, campaign: Campaign, organization=None) -> dict:
    """The first organizations that miss something, each with its missing items listed."""
    organizations = organizations_missing_plans(user, campaign, organization)
    total = organizations.count()
    rows = list(organizations[:MISSING_SHOWN]) if total else []
    for org in rows:
        org.missing = []
        if not org.has_implementation_plan:
            org.missing.append({"what": "implementation", "label": _("Implementation plan")})
        if not org.has_annual:
            org.missing.append(
                {
                    "what": "plan",
                    "kind": StudyPlanKind.ORGANIZATION_ANNUAL,
                    "quarter": "",
                    "label": _("Annual study plan"),
                }
            )
        for quarter in QUARTERS:
            if not getattr(org, f"has_q{quarter}"):
                org.missing.append(
                    {
                        "what": "plan",
                        "kind": StudyPlanKind.ORGANIZATION_QUARTERLY,
                        "quarter": quarter,
                        "label": QUARTER_LABELS[quarter],
                    }
                )
    return {"rows": rows, "total": total, "more": max(total - len(rows), 0)}


# ---------------------------------------------------------------- study plans


def plan_queryset(user) -> QuerySet[StudyPlan]:
    """The study plans ``user`` may see, with what list and detail pages show."""
    return rules.visible(user, StudyPlan).select_related(
        "campaign", "organization", "member__user", "filed_by"
    )


def plan_list(user, campaign: Campaign) -> QuerySet[StudyPlan]:
    """The plans of ``campaign`` the user may see, with their item count."""
    return (
        plan_queryset(user)
        .filter(campaign=campaign)
        .annotate(item_count=Count("items"))
        .order_by("organization__path", "kind", "quarter", "member__user__full_name", "pk")
    )


def plan_detail(user, pk) -> StudyPlan:
    """One plan with its items, or 404 for anyone who may not see it."""
    queryset = plan_queryset(user).prefetch_related(
        Prefetch("items", queryset=StudyPlanItem.objects.order_by("position", "scheduled_on", "pk"))
    )
    plan = rules.get_visible_or_404(user, queryset, pk=pk)
    label_plans([plan])
    return plan


def personal_plan_of(member: Member | None, campaign: Campaign) -> StudyPlan | None:
    if member is None:
        return None
    return (
        StudyPlan.objects.filter(campaign=campaign, kind=StudyPlanKind.PERSONAL, member=member)
        .select_related("campaign")
        .first()
    )


def find_plan(
    *,
    campaign: Campaign,
    kind: str,
    organization: Organization | None = None,
    quarter: int | None = None,
    member: Member | None = None,
) -> StudyPlan | None:
    """The plan that occupies this slot (organization, kind, quarter / member) in ``campaign``."""
    plans = StudyPlan.objects.filter(campaign=campaign, kind=kind)
    if kind == StudyPlanKind.PERSONAL:
        plans = plans.filter(member=member)
    elif kind == StudyPlanKind.ORGANIZATION_QUARTERLY:
        plans = plans.filter(organization=organization, quarter=quarter)
    else:
        plans = plans.filter(organization=organization)
    return plans.first()


# ---------------------------------------------------------------- implementation plans


def implementation_plan_queryset(user) -> QuerySet[ImplementationPlan]:
    return rules.visible(user, ImplementationPlan).select_related(
        "campaign", "organization", "filed_by"
    )


def implementation_plan_of(user, campaign: Campaign, organization) -> ImplementationPlan | None:
    """The organization's implementation plan for ``campaign``, if the user may see it."""
    return (
        implementation_plan_queryset(user)
        .filter(campaign=campaign, organization=organization)
        .first()
    )
