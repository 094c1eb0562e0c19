"""Data migrations keep what the department already recorded."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from appraisal.models import AnnualAssessment, AssessmentWeights

from ..factories import CampaignFactory, OrganizationFactory

BEFORE_STORED_TOTAL = [("appraisal", "0004_annual_assessment_exports")]
STORED_TOTAL = [("appraisal", "0005_annual_assessment_stored_total")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_stored_total_is_filled_in_for_existing_assessments():
    weighted = CampaignFactory(year=2025)
    # Full points 40 for 2025; 2026 keeps the default weights (100).
    AssessmentWeights.objects.create(
        campaign=weighted, **dict.fromkeys(AssessmentWeights.WEIGHT_FIELDS, Decimal(5))
    )
    default = CampaignFactory(year=2026)
    rows = {
        "plain": (default, Decimal("59.69"), Decimal(0)),
        "adjusted": (default, Decimal("59.69"), Decimal("-2.5")),
        "over the full points": (weighted, Decimal(38), Decimal(5)),
        "below zero": (default, Decimal(0), Decimal(-3)),
    }
    ids = {
        name: AnnualAssessment.objects.create(
            campaign=campaign,
            organization=OrganizationFactory(),
            computed_total=computed,
            adjustment=adjustment,
            adjustment_reason="理由" if adjustment else "",
        ).pk
        for name, (campaign, computed, adjustment) in rows.items()
    }
    try:
        migrate(BEFORE_STORED_TOTAL)
        migrate(STORED_TOTAL)
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    totals = dict(AnnualAssessment.objects.values_list("pk", "total"))
    assert {name: totals[pk] for name, pk in ids.items()} == {
        "plain": Decimal("59.69"),
        "adjusted": Decimal("57.19"),
        "over the full points": Decimal(40),
        "below zero": Decimal(0),
    }
