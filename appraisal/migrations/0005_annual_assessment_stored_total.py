"""AnnualAssessment.total becomes a stored figure, filled in for existing rows."""

from decimal import Decimal

from django.db import migrations, models
from django.db.models import F, Value
from django.db.models.functions import Greatest, Least

# AssessmentWeights.WEIGHT_FIELDS as it stands at this migration.
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


def fill_totals(apps, schema_editor):
    AnnualAssessment = apps.get_model("appraisal", "AnnualAssessment")
    AssessmentWeights = apps.get_model("appraisal", "AssessmentWeights")
    campaign_ids = AnnualAssessment.objects.values_list("campaign_id", flat=True).distinct()
    for campaign_id in list(campaign_ids):
        weights = AssessmentWeights.objects.filter(campaign_id=campaign_id).first()
        weights = weights or AssessmentWeights(campaign_id=campaign_id)  # the defaults
        ceiling = sum((getattr(weights, name) for name in WEIGHT_FIELDS), Decimal(0))
        # One UPDATE per campaign: a row-by-row bulk_update takes minutes on SQLite.
        AnnualAssessment.objects.filter(campaign_id=campaign_id).update(
            total=Least(
                Greatest(F("computed_total") + F("adjustment"), Value(Decimal(0))),
                Value(ceiling),
                output_field=models.DecimalField(max_digits=6, decimal_places=2),
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("appraisal", "0004_annual_assessment_exports"),
    ]

    operations = [
        migrations.AddField(
            model_name="annualassessment",
            name="total",
            field=models.DecimalField(decimal_places=2, default=0, max_digits=6, verbose_name="total"),
        ),
        migrations.RunPython(fill_totals, migrations.RunPython.noop),
    ]
