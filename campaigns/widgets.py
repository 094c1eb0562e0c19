"""Form widgets that stay fast at the district's size."""

from __future__ import annotations

from django import forms
from django.apps import apps
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe


class PlainSelect(forms.Select):
    """A ``<select>`` whose options are written in Python, not one template each.

    Django renders every ``<option>`` through a template, about 0.7 ms apiece here: an
    organization filter of the full district (5,000 organizations) took over 3 s of
    the page. The markup is the same as Django's.
    """

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = {"name": name, **self.build_attrs(self.attrs, attrs)}
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        selected = {str(v) for v in self.format_value(value)}
        parts = [format_html("<select{}>", flatatt(final_attrs))]
        for option_value, option_label in self.choices:
            if isinstance(option_label, (list, tuple)):
                parts.append(format_html('<optgroup label="{}">', option_value or ""))
                parts.extend(self._option(v, label, selected) for v, label in option_label)
                parts.append("</optgroup>")
            else:
                parts.append(self._option(option_value, option_label, selected))
        parts.append("</select>")
        return mark_safe("".join(parts))

    @staticmethod
    def _option(value, label, selected) -> str:
        value = "" if value is None else str(value)
        return format_html(
            '<option value="{}"{}>{}</option>',
            value,
            mark_safe(" selected") if value in selected else "",
            label,
        )


def plain_selects(form: forms.BaseForm) -> None:
    """Give each plain ``Select`` of ``form`` the fast rendering (same markup)."""
    for field in form.fields.values():
        if type(field.widget) is forms.Select:
            field.widget.__class__ = PlainSelect


class OrganizationLookupSelect(PlainSelect):
    """An organization ``<select>`` holding only the chosen organization, with a
    search box that fills it from the ``organization.lookup`` JSON view.

    For the department's filters: a drop-down of the whole district (5,000
    organizations, ~0.5 MB of options) is slow to send and useless to scroll on a
    phone. ``static/js/org-lookup.js`` shows the search box; without JavaScript
    the box stays hidden and the select still keeps or clears the current
    choice (the dashboards' links name the organization by id).
    """

    template_search = (
        '<input type="search" class="form-control mb-1" hidden autocomplete="off"'
        ' data-org-lookup="{}" data-org-lookup-for="{}" placeholder="{}" aria-label="{}"'
        ' data-found="{}" data-none="{}">'
        '<div class="form-text mt-0 mb-1" aria-live="polite" data-org-lookup-status></div>'
    )

    def render(self, name, value, attrs=None, renderer=None):
        from django.urls import reverse
        from django.utils.translation import gettext

        iterator = self.choices
        # Raw query-string values: only plausible ids reach the database.
        chosen = [v for v in map(str, self.format_value(value)) if v.isdigit() and len(v) < 19]
        organizations = iterator.queryset.filter(pk__in=chosen) if chosen else []
        options = []
        if iterator.field.empty_label is not None:
            options.append(("", iterator.field.empty_label))
        options.extend(iterator.choice(obj) for obj in organizations)
        attrs = {**(attrs or {})}
        select_id = attrs.get("id") or self.attrs.get("id") or f"id_{name}"
        attrs["id"] = select_id
        self.choices = options
        try:
            select = super().render(name, value, attrs, renderer)
        finally:
            self.choices = iterator
        search = format_html(
            self.template_search,
            reverse("organization.lookup"),
            select_id,
            gettext("Type a name or code to find an organization"),
            gettext("Find an organization"),
            gettext("%(count)s found: choose one below"),
            gettext("No organization matches"),
        )
        return mark_safe(f"{search}{select}")


def organization_lookups(form: forms.BaseForm, user) -> None:
    """For the department, whose drop-downs would list the whole district, turn
    ``form``'s organization drop-downs into ``OrganizationLookupSelect``.
    A secretary's own subtree stays an ordinary drop-down."""
    from .rules import scope_for

    if not scope_for(user).is_department:
        return
    Organization = apps.get_model("campaigns", "Organization")
    for field in form.fields.values():
        if (
            isinstance(field, forms.ModelChoiceField)
            and not isinstance(field, forms.ModelMultipleChoiceField)
            and field.queryset is not None
            and field.queryset.model is Organization
            and isinstance(field.widget, forms.Select)
        ):
            widget = OrganizationLookupSelect(attrs=field.widget.attrs)
            widget.choices = field.widget.choices
            widget.is_required = field.widget.is_required
            field.widget = widget
