"""The self-assessment form: per criterion a score, a statement, evidence, a file.

Fields are named ``<name>_<criterion id>`` (services.assessments.field_name), so
the service's errors land beside the right criterion. The form only shapes the
input; which records may be linked, score limits and upload types are checked
by appraisal.services.assessments.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from learning.uploads import ACCEPT_ATTRIBUTE

from ..services.assessments import ScoreEntry, field_name


class EvidenceKeysField(forms.Field):
    """The ticked picker boxes, "kind:pk" each; which are allowed is the service's business."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        return [str(item) for item in value][:1000]


class AssessmentForm(forms.Form):
    statement = forms.CharField(
        label=_("Overall statement"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("How the organization or member measures up to the requirements as a whole."),
    )

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            criterion = row.criterion
            pk = criterion.pk
            self.fields[field_name("score", pk)] = forms.DecimalField(
                label=_("Score"),
                required=False,
                max_digits=6,
                decimal_places=2,
                widget=forms.NumberInput(
                    attrs={
                        "step": "0.5",
                        "min": "0",
                        "max": str(criterion.max_score),
                        "inputmode": "decimal",
                    }
                ),
            )
            self.fields[field_name("statement", pk)] = forms.CharField(
                label=_("Statement"), required=False, widget=forms.Textarea(attrs={"rows": 3})
            )
            self.fields[field_name("evidence", pk)] = EvidenceKeysField(required=False)
            self.fields[field_name("file", pk)] = forms.FileField(
                label=_("Attach a file"),
                required=False,
                widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
            )
            self.fields[field_name("file_description", pk)] = forms.CharField(
                label=_("What the file shows"), required=False, max_length=200
            )
            self.fields[field_name("remove", pk)] = forms.TypedMultipleChoiceField(
                required=False,
                coerce=int,
                choices=[(item.evidence.pk, item.title) for item in row.files],
            )

    def criterion_fields(self, row) -> dict:
        """The bound fields of one criterion, for the template."""
        pk = row.criterion.pk
        return {
            name: self[field_name(name, pk)]
            for name in ("score", "statement", "evidence", "file", "file_description", "remove")
        }

    def entries(self) -> list[ScoreEntry]:
        data = self.cleaned_data
        entries = []
        for row in self.rows:
            pk = row.criterion.pk
            entries.append(
                ScoreEntry(
                    criterion_id=pk,
                    score=data.get(field_name("score", pk)),
                    statement=data.get(field_name("statement", pk), ""),
                    links=data.get(field_name("evidence", pk), []),
                    upload=data.get(field_name("file", pk)),
                    upload_description=data.get(field_name("file_description", pk), ""),
                    remove_files=data.get(field_name("remove", pk), []),
                )
            )
        return entries


class OrganizationChoiceForm(forms.Form):
    """Which of the organizations a secretary manages to assess (?organization=<id>)."""

    organization = forms.ModelChoiceField(
        label=_("Party organization"), queryset=None, empty_label=None
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["organization"].label_from_instance = lambda org: org.name
