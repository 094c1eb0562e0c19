"""Writes of the annual assessment: recomputing figures, the department's adjustment, weights."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Campaign, Organization
from campaigns.rules import scope_for

from ..models import AnnualAssessment, AssessmentWeights
from ..selectors.annual import (
    adjusted_total,
    full_points,
    organization_figures,
    score,
    weights_for,
)

BATCH = 1000
FIGURE_FIELDS = (
    "implementation_plan_filed",
    "annual_plan_on_time",
    "quarterly_plans_on_time",
    "activity_count",
    "three_meetings_count",
    "average_study_hours",
    "five_ones_rate",
    "self_assessment_score",
    "review_score",
    "application_outcome",
    "computed_total",
    "total",
)


def _figure_values(figures, weights) -> dict:
    return {
        "implementation_plan_filed": figures.implementation_plan_filed,
        "annual_plan_on_time": figures.annual_plan_on_time,
        "quarterly_plans_on_time": figures.quarterly_plans_on_time,
        "activity_count": figures.activity_count,
        "three_meetings_count": figures.three_meetings_count,
        "average_study_hours": figures.average_study_hours,
        "five_ones_rate": figures.five_ones_rate,
        "self_assessment_score": figures.self_assessment_score,
        "review_score": figures.review_score,
        "application_outcome": figures.application_state,
        "computed_total": score(figures, weights),
    }


def annual_assessment_compute(
    *, campaign: Campaign, within: Organization | None = None
) -> dict[int, object]:
    """Recompute the stored figures of every covered organization from the records.

    Adjustments and their reasons stay as the department left them. Returns the
    figures keyed by organization id, for callers that show more than is stored.
    """
    weights = weights_for(campaign)
    ceiling = full_points(weights)
    figures = organization_figures(campaign, within)
    now = timezone.now()
    with transaction.atomic():
        existing = _existing(campaign, within)
        to_create, to_update = [], []
        for pk, org_figures in figures.items():
            values = _figure_values(org_figures, weights)
            row = existing.get(pk)
            adjustment = row.adjustment if row is not None else Decimal(0)
            values["total"] = adjusted_total(values["computed_total"], adjustment, ceiling)
            if row is None:
                to_create.append(
                    AnnualAssessment(
                        campaign=campaign, organization_id=pk, computed_at=now, **values
                    )
                )
            elif any(getattr(row, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(row, name, value)
                to_update.append(row)
        # Changed rows are replaced under their own ids, adjustments and all:
        # bulk_update's CASE per field took 40 s for 5,000 rows on SQLite.
        for start in range(0, len(to_update), BATCH):
            batch = to_update[start : start + BATCH]
            AnnualAssessment.objects.filter(pk__in=[row.pk for row in batch]).delete()
        AnnualAssessment.objects.bulk_create([*to_update, *to_create], batch_size=BATCH)
        # Unchanged rows were still checked against the records just now.
        _existing_queryset(campaign, within).update(computed_at=now)
    return figures


def _existing_queryset(campaign, within):
    queryset = AnnualAssessment.objects.filter(campaign=campaign)
    if within is not None:
        queryset = queryset.filter(organization__path__startswith=within.path)
    return queryset


def _existing(campaign, within):
    rows = _existing_queryset(campaign, within).iterator(chunk_size=2000)
    return {row.organization_id: row for row in rows}


def adjustment_check(*, assessment: AnnualAssessment, adjustment: Decimal, reason: str) -> None:
    """Raise a ValidationError (by field) unless ``adjustment`` may be made with ``reason``."""
    ceiling = full_points(weights_for(assessment.campaign))
    errors = {}
    if adjustment and not (reason or "").strip():
        errors["adjustment_reason"] = _("Give the reason for the adjustment.")
    total = assessment.computed_total + adjustment
    if total < 0 or total > ceiling:
        errors["adjustment"] = _(
            "With this adjustment the total would be %(total)s; it must stay between 0 "
            "and the full %(ceiling)s points."
        ) % {"total": total, "ceiling": ceiling}
    if errors:
        raise ValidationError(errors)


def annual_assessment_adjust(
    *, assessment: AnnualAssessment, user, adjustment: Decimal, reason: str
) -> AnnualAssessment:
    """Set the department's adjustment beside the computed figure, with its reason."""
    if not scope_for(user).is_department:
        raise PermissionDenied
    adjustment_check(assessment=assessment, adjustment=adjustment, reason=reason)
    reason = (reason or "").strip()
    assessment.adjustment = adjustment
    assessment.adjustment_reason = reason if adjustment else ""
    assessment.adjusted_by = user
    assessment.total = adjusted_total(
        assessment.computed_total, adjustment, full_points(weights_for(assessment.campaign))
    )
    assessment.full_clean()
    assessment.save(update_fields=["adjustment", "adjustment_reason", "adjusted_by", "total"])
    return assessment


def assessment_weights_set(*, campaign: Campaign, user, values: dict) -> AssessmentWeights:
    """Save the campaign's weights and targets; the stored totals follow at once."""
    if not scope_for(user).is_department:
        raise PermissionDenied
    weights = weights_for(campaign)
    for name, value in values.items():
        setattr(weights, name, value)
    weights.full_clean()
    with transaction.atomic():
        weights.save()
        annual_assessment_compute(campaign=campaign)
    return weights
