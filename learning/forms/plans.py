"""Forms for study plans and implementation plans, and the plan list's filters."""

from __future__ import annotations

from decimal import Decimal

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.enums import PlanStatus
from learning.enums import StudyPlanKind
from learning.models import StudyPlan, StudyPlanItem
from learning.selectors.plans import ORGANIZATION_KINDS, QUARTER_CHOICES
from learning.services.plans import MAX_HOURS, PlanItemData
from learning.uploads import ACCEPT_ATTRIBUTE, validate_upload

MAX_ITEMS = 100
EXTRA_ITEMS = 3
INDENT = "\u3000"  # an ideographic space per level below the secretary's organization

ORGANIZATION_KIND_CHOICES = [
    (kind.value, kind.label) for kind in StudyPlanKind if kind in ORGANIZATION_KINDS
]


class OrganizationChoiceField(forms.ModelChoiceField):
    """Organizations in tree order, indented under the secretary's own."""

    def __init__(self, *args, base_depth: int = 0, **kwargs):
        self.base_depth = base_depth
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return f"{INDENT * max(obj.depth - self.base_depth, 0)}{obj.name}"


def _organization_field(organizations, base_depth, **kwargs):
    return OrganizationChoiceField(
        queryset=organizations,
        base_depth=base_depth,
        label=_("Party organization"),
        empty_label=None,
        error_messages={
            "invalid_choice": _("Choose one of the organizations you manage."),
            "required": _("Choose the Party organization."),
        },
        **kwargs,
    )


def _quarter_field():
    return forms.TypedChoiceField(
        label=_("Quarter"),
        choices=[("", _("(annual plan: no quarter)")), *QUARTER_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": _("Choose the quarter.")},
    )


def _title_field():
    return forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Leave it empty for the usual title, such as “2026 annual study plan”."),
    )


def _key_content_field():
    return forms.CharField(
        label=_("Key study content"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The key study content (重点学习内容), one point per line."),
    )


class PlanSlotMixin:
    """Organization, kind and quarter: which plan is meant (checked by the service too)."""

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == StudyPlanKind.ORGANIZATION_QUARTERLY and not cleaned.get("quarter"):
            self.add_error("quarter", _("Choose the quarter of a quarterly plan."))
        elif kind == StudyPlanKind.ORGANIZATION_ANNUAL:
            cleaned["quarter"] = None
        return cleaned


class OrganizationPlanForm(PlanSlotMixin, forms.Form):
    """A new annual or quarterly plan of one of the secretary's organizations."""

    def __init__(self, *args, organizations, base_depth=0, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"] = _organization_field(organizations, base_depth)
        self.fields["kind"] = forms.ChoiceField(
            label=_("Kind of plan"),
            choices=ORGANIZATION_KIND_CHOICES,
            error_messages={"invalid_choice": _("Choose the kind of plan.")},
        )
        self.fields["quarter"] = _quarter_field()
        self.fields["title"] = _title_field()
        self.fields["key_content"] = _key_content_field()


class PlanCopyForm(PlanSlotMixin, forms.Form):
    """Which plan to start from last year's (the create form's fields, posted to plan.copy)."""

    def __init__(self, *args, organizations, personal, **kwargs):
        super().__init__(*args, **kwargs)
        if personal:
            self.fields["kind"] = forms.ChoiceField(
                choices=[(StudyPlanKind.PERSONAL.value, StudyPlanKind.PERSONAL.label)]
            )
        else:
            self.fields["organization"] = _organization_field(organizations, 0)
            self.fields["kind"] = forms.ChoiceField(
                choices=ORGANIZATION_KIND_CHOICES,
                error_messages={"invalid_choice": _("Choose the kind of plan.")},
            )
            self.fields["quarter"] = _quarter_field()


class PlanTextForm(forms.Form):
    """Title and key content: the personal plan, and any plan once its slot is fixed."""

    title = _title_field()
    key_content = _key_content_field()


class PlanItemForm(forms.ModelForm):
    """One scheduled session (topic, date, form, speaker, hours)."""

    class Meta:
        model = StudyPlanItem
        fields = ["topic", "scheduled_on", "form", "speaker", "hours"]
        widgets = {
            "scheduled_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "hours": forms.NumberInput(attrs={"min": "0", "max": "24", "step": "0.1"}),
        }

    def __init__(self, *args, year: int, **kwargs):
        self.year = year
        super().__init__(*args, **kwargs)
        self.fields["hours"].required = False
        if self.instance.pk is None:
            # A blank row stays blank (and unchanged, so it is skipped) until used.
            self.fields["hours"].initial = None
            self.initial.pop("hours", None)
        self.fields["form"].required = False
        self.fields["scheduled_on"].widget.attrs.update(min=f"{year}-01-01", max=f"{year}-12-31")
        self.fields["scheduled_on"].error_messages["invalid"] = _(
            "Enter a date such as %(example)s."
        ) % {"example": f"{year}-03-15"}

    def clean_scheduled_on(self):
        day = self.cleaned_data.get("scheduled_on")
        if day is not None and day.year != self.year:
            raise forms.ValidationError(
                _("The date must fall within %(year)s, the campaign's year."),
                params={"year": self.year},
                code="year",
            )
        return day

    def clean_hours(self):
        hours = self.cleaned_data.get("hours")
        if hours is None:
            return Decimal(0)
        if hours < 0 or hours > MAX_HOURS:
            raise forms.ValidationError(_("Hours must be between 0 and 24."), code="hours")
        return hours


class BasePlanItemFormSet(forms.BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this session")

    def items(self) -> list[PlanItemData]:
        """The rows to keep, in order, for the service (deleted and blank rows left out)."""
        deleted = set(self.deleted_forms)
        items = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or form in deleted:
                continue
            instance = data.get("id")
            items.append(
                PlanItemData(
                    topic=data.get("topic") or "",
                    scheduled_on=data.get("scheduled_on"),
                    form=data.get("form") or "",
                    speaker=data.get("speaker") or "",
                    hours=data.get("hours") or Decimal(0),
                    pk=instance.pk if instance is not None else None,
                )
            )
        return items


PlanItemFormSet = forms.inlineformset_factory(
    StudyPlan,
    StudyPlanItem,
    form=PlanItemForm,
    formset=BasePlanItemFormSet,
    extra=EXTRA_ITEMS,
    can_delete=True,
    max_num=MAX_ITEMS,
    validate_max=True,
)


def plan_item_formset(*, plan: StudyPlan, year: int, data=None) -> BasePlanItemFormSet:
    return PlanItemFormSet(
        data=data,
        instance=plan,
        prefix="items",
        queryset=StudyPlanItem.objects.filter(plan=plan).order_by("position", "scheduled_on", "pk")
        if plan.pk
        else StudyPlanItem.objects.none(),
        form_kwargs={"year": year},
    )


# ---------------------------------------------------------------- implementation plan


class ImplementationPlanForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    content = forms.CharField(
        label=_("Content"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Plain text; line breaks are kept."),
    )
    attachment = forms.FileField(
        label=_("Attachment"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
        help_text=_("PDF, Word, Excel, JPEG or PNG, at most 20 MB. A new file replaces the old."),
    )
    remove_attachment = forms.BooleanField(label=_("Remove the attachment"), required=False)

    def __init__(self, *args, organizations=None, base_depth=0, has_attachment=False, **kwargs):
        super().__init__(*args, **kwargs)
        if organizations is not None:
            self.fields = {
                "organization": _organization_field(organizations, base_depth),
                **self.fields,
            }
        if not has_attachment:
            del self.fields["remove_attachment"]

    def clean_attachment(self):
        uploaded = self.cleaned_data.get("attachment")
        if uploaded:
            validate_upload(uploaded)
        return uploaded


# ---------------------------------------------------------------- list filters


class OrganizationFilter(django_filters.ModelChoiceFilter):
    field_class = OrganizationChoiceField


class PlanFilter(django_filters.FilterSet):
    """Filters of the plan list: organization, kind, status and a title search."""

    q = django_filters.CharFilter(label=_("Title contains"), method="search")
    organization = OrganizationFilter(label=_("Party organization"), empty_label=_("All"))
    kind = django_filters.ChoiceFilter(label=_("Kind of plan"), choices=StudyPlanKind.choices)
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=PlanStatus.choices, empty_label=_("Any status")
    )

    class Meta:
        model = StudyPlan
        fields = ["q", "organization", "kind", "status"]

    def __init__(self, *args, organizations=None, base_depth=0, **kwargs):
        super().__init__(*args, **kwargs)
        self.secretary = organizations is not None
        if self.secretary:
            self.filters["organization"].queryset = organizations
            self.filters["organization"].extra["base_depth"] = base_depth
            self.filters["kind"].extra["empty_label"] = _("Organization plans")
        else:
            del self.filters["organization"]
            self.filters["kind"].extra["empty_label"] = _("All plans")

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(title__icontains=value) if value else queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        kind = self.form.cleaned_data.get("kind") if hasattr(self.form, "cleaned_data") else None
        if self.secretary and not kind:
            # Members' personal plans (hundreds in a big branch) only when asked for.
            queryset = queryset.filter(kind__in=ORGANIZATION_KINDS)
        return queryset
