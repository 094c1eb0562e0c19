"""The department's form for one criterion (基本要求); the service checks the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from learning.forms.library import form_helper

from ..enums import CriterionSubject


class CriterionForm(forms.Form):
    subject = forms.ChoiceField(label=_("Applies to"), choices=CriterionSubject.choices)
    position = forms.IntegerField(
        label=_("Number"),
        help_text=_(
            "Its place in the list: (1), (2) … Taking another criterion's number swaps the two."
        ),
        widget=forms.NumberInput(attrs={"min": 1, "max": 99}),
    )
    text = forms.CharField(
        label=_("Requirement"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    weight = forms.DecimalField(
        label=_("Weight"),
        max_digits=5,
        decimal_places=2,
        help_text=_("The score counts this many times in the weighted total; usually 1."),
        widget=forms.NumberInput(attrs={"step": "0.1", "min": 0}),
    )
    max_score = forms.DecimalField(
        label=_("Maximum score"),
        max_digits=6,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.5", "min": 0.5}),
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            # A criterion stays with its group: assessments are scored against it.
            del self.fields["subject"]
        else:
            self.fields["position"].help_text = _("Its place in the list: (1), (2) …")
        self.helper = form_helper()
