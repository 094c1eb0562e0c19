"""The department's audit trail page (审计日志): search, filter and export the events.

Department staff only (others 403). Filters: who (login name or name), action,
kind of object, Beijing dates from / to, address, and text in the object or
the detail. The export writes the filtered events as .xlsx with the portal's
workbook writer (write-only, rows read in chunks) and is itself recorded.
"""

from __future__ import annotations

import datetime
import re
import tempfile

import django_filters
from django import forms
from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.http import FileResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from learning.forms.library import DATE_WIDGET, SearchFilterSet
from learning.views.library import FilteredListView
from learning.views.mixins import RoleRequiredMixin

from . import audit
from .enums import AuditAction
from .models import SHANGHAI, AuditEvent
from .rules import Role

DEPARTMENT = (Role.DEPARTMENT,)
PAGE_SIZE = 50
# Above this many rows the export asks for narrower filters (about 10 s of writing here).
EXPORT_MAX_ROWS = 100_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IP_CHARACTERS = re.compile(r"^[0-9A-Fa-f:.]+$")


# ---------------------------------------------------------------- filters


class AuditFilterForm(forms.Form):
    def clean_ip(self):
        value = (self.cleaned_data.get("ip") or "").strip()
        if value and (not IP_CHARACTERS.match(value) or len(value) > 45):
            raise forms.ValidationError(_("Enter an address or its beginning, e.g. 10.1.2."))
        return value

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end date cannot be before the start date."))
            cleaned.pop("end", None)
        return cleaned


def _beijing_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=SHANGHAI)


class AuditFilter(SearchFilterSet):
    q = django_filters.CharFilter(
        label=gettext_lazy("Search"),
        method="search",
        widget=forms.TextInput(
            attrs={"placeholder": gettext_lazy("Object or detail"), "type": "search"}
        ),
    )
    actor = django_filters.CharFilter(
        label=gettext_lazy("User"),
        method="filter_actor",
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Login name or name")}),
    )
    action = django_filters.ChoiceFilter(
        label=gettext_lazy("Action"),
        choices=AuditAction.choices,
        empty_label=gettext_lazy("All actions"),
    )
    object_type = django_filters.ChoiceFilter(
        label=gettext_lazy("Object type"),
        choices=[],
        empty_label=gettext_lazy("All objects"),
    )
    start = django_filters.DateFilter(
        label=gettext_lazy("From (date)"), method="filter_start", widget=DATE_WIDGET
    )
    end = django_filters.DateFilter(
        label=gettext_lazy("To (date)"), method="filter_end", widget=DATE_WIDGET
    )
    ip = django_filters.CharFilter(label=gettext_lazy("IP address"), method="filter_ip")

    class Meta:
        model = AuditEvent
        fields = []
        form = AuditFilterForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["object_type"].extra["choices"] = audit.object_type_choices()

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(object_repr__icontains=value) | Q(detail__icontains=value))

    def filter_actor(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(actor_name__icontains=value) | Q(actor__full_name__icontains=value)
        )

    def filter_start(self, queryset, name, value):
        return queryset.filter(at__gte=_beijing_midnight(value))

    def filter_end(self, queryset, name, value):
        return queryset.filter(at__lt=_beijing_midnight(value + datetime.timedelta(days=1)))

    def filter_ip(self, queryset, name, value):
        return queryset.filter(ip__startswith=value) if value else queryset

    @property
    def qs(self):
        # Valid filters apply; an invalid one is shown beside its field and ignored.
        if not hasattr(self, "_qs"):
            if self.is_bound:
                self.form.is_valid()
                self._qs = self.filter_queryset(self.queryset.all())
            else:
                self._qs = self.queryset.all()
        return self._qs


def _events():
    return AuditEvent.objects.select_related("actor")


def _filtered(data) -> AuditFilter:
    return AuditFilter(data or None, queryset=_events())


# ---------------------------------------------------------------- display


def change_rows(event: AuditEvent) -> list[tuple[str, object, object]]:
    """(field's verbose name, old, new) for each change the event records."""
    changes = event.changes if isinstance(event.changes, dict) else {}
    rows = []
    for name, pair in changes.items():
        old, new = [*pair, None, None][:2] if isinstance(pair, list | tuple) else (None, pair)
        rows.append((audit.field_label(event.object_type, name), old, new))
    return rows


def _value_text(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)


def changes_text(event: AuditEvent) -> str:
    return "；".join(
        f"{label}：{_value_text(old)} → {_value_text(new)}"
        for label, old, new in change_rows(event)
    )


# ---------------------------------------------------------------- pages


class AuditListView(RoleRequiredMixin, FilteredListView):
    roles = DEPARTMENT
    template_name = "campaigns/audit/list.html"
    context_object_name = "events"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        self.filterset = _filtered(self.request.GET)
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        types = dict(audit.object_type_choices())
        for event in context["page_obj"].object_list:
            event.change_rows = change_rows(event)
            event.type_label = types.get(event.object_type, event.object_type)
        context["export_query"] = self.request.GET.urlencode()
        return context


class AuditExportView(RoleRequiredMixin, View):
    """The filtered events as .xlsx; the export is recorded like any other."""

    roles = DEPARTMENT

    def get(self, request, *args, **kwargs):
        filterset = _filtered(request.GET)
        events = filterset.qs
        count = events.count()
        back = f"{reverse('audit.list')}?{request.GET.urlencode()}"
        if count > EXPORT_MAX_ROWS:
            messages.error(
                request,
                _(
                    "%(count)s events match: at most %(max)s can be exported at once. "
                    "Narrow the filters (for example the dates) and export again."
                )
                % {"count": f"{count:,}", "max": f"{EXPORT_MAX_ROWS:,}"},
            )
            return redirect(back)
        audit.record(
            action=AuditAction.EXPORT,
            object_type=AuditEvent._meta.label_lower,
            object_repr=str(AuditEvent._meta.verbose_name_plural),
            detail=_("%(count)s events; filters: %(filters)s")
            % {"count": count, "filters": _filters_text(filterset) or _("none")},
        )
        # FileResponse closes (and so deletes) the file once it has been sent.
        out = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
        with translation.override(settings.LANGUAGE_CODE):
            from appraisal.workbook import write_workbook

            write_workbook([AuditSheet(events, count)], _heading(filterset), out)
            filename = _("audit-trail") + f"-{timezone.localtime(timezone.now()):%Y%m%d-%H%M}.xlsx"
        out.seek(0)
        response = FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX)
        response["Cache-Control"] = "private, no-store"
        return response


def _filters_text(filterset: AuditFilter) -> str:
    parts = []
    data = getattr(filterset.form, "cleaned_data", {})
    for name, field in filterset.form.fields.items():
        value = data.get(name)
        if value in (None, ""):
            continue
        if name in {"action", "object_type"}:
            value = dict(field.choices).get(value, value)
        parts.append(f"{field.label}={value}")
    return "，".join(str(part) for part in parts)


def _heading(filterset: AuditFilter) -> tuple[str, str]:
    from appraisal.workbook import generated_at_text

    subtitle = _("Generated %(time)s · filters: %(filters)s") % {
        "time": generated_at_text(timezone.now()),
        "filters": _filters_text(filterset) or _("none"),
    }
    return _("Audit trail"), subtitle


class AuditSheet:
    """One worksheet of events, newest first, read from the database in chunks."""

    title = gettext_lazy("Audit trail")
    freeze_column = 2

    def __init__(self, events, count: int):
        self.events = events
        self._count = count
        self.title = str(self.title)

    def count(self) -> int:
        return self._count

    def columns(self):
        from appraisal.workbook import Column

        return [
            Column(_("Time"), 20, total="count"),
            Column(_("Login name"), 16, typed=True),
            Column(_("Name"), 12, typed=True),
            Column(_("IP address"), 16),
            Column(_("Action"), 12),
            Column(_("Object type"), 16),
            Column(_("Object"), 30, typed=True),
            Column(_("Object id"), 10),
            Column(_("Changes"), 60, typed=True),
            Column(_("Detail"), 40, typed=True),
        ]

    def rows(self):
        from appraisal.workbook import CHUNK

        actions = dict(AuditAction.choices)
        types = dict(audit.object_type_choices())
        for event in self.events.iterator(chunk_size=CHUNK):
            yield (
                f"{timezone.localtime(event.at, SHANGHAI):%Y-%m-%d %H:%M:%S}",
                event.actor_name,
                event.actor.full_name if event.actor_id else "",
                event.ip or "",
                str(actions.get(event.action, event.action)),
                str(types.get(event.object_type, event.object_type)),
                event.object_repr,
                event.object_id,
                changes_text(event),
                event.detail,
            )


urlpatterns = [
    path("audit/", AuditListView.as_view(), name="audit.list"),
    path("audit/export/", AuditExportView.as_view(), name="audit.export"),
]
