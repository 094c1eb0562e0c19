"""The annual assessment workbook (年度党建目标管理考核表): request it, watch it, download it.

The department exports the whole district, a secretary their own organization
and those below it; members have no such page (403). A large workbook is
written by the background worker while the export's page shows its progress.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from campaigns.models import Campaign
from campaigns.rules import Role
from campaigns.selectors import current_campaign
from learning.views.mixins import RoleRequiredMixin

from ..enums import ExportStatus
from ..models import AssessmentExport
from ..selectors import exports as selectors
from ..selectors.assessments import campaign_years
from ..services import exports as services

EXPORTERS = (Role.DEPARTMENT, Role.SECRETARY)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def campaign_by_year(value) -> Campaign | None:
    """The campaign of a year typed into a form or query string; None when bad or unknown."""
    value = str(value or "").strip()
    if not (value.isdigit() and len(value) <= 4):
        return None
    return Campaign.objects.filter(year=int(value)).first()


def progress_text(export: AssessmentExport) -> str:
    return _("%(done)s of %(total)s rows written") % {
        "done": export.rows_done,
        "total": export.rows_total,
    }


def export_state(export: AssessmentExport) -> dict:
    """What the export's page shows and the status endpoint returns."""
    done = export.status == ExportStatus.DONE and bool(export.file)
    return {
        "status": export.status,
        "status_label": export.get_status_display(),
        "percent": export.percent,
        "rows_done": export.rows_done,
        "rows_total": export.rows_total,
        "progress_text": progress_text(export),
        "finished": export.is_finished,
        "waiting_too_long": selectors.is_waiting_too_long(export),
        "stalled": selectors.is_stalled(export),
        "download_url": reverse("appraisal:export.download", args=[export.pk]) if done else "",
        "error": export.error if export.status == ExportStatus.FAILED else "",
    }


class ExportListView(RoleRequiredMixin, TemplateView):
    """Choose the campaign, generate its workbook, and see the recent exports."""

    roles = EXPORTERS
    template_name = "appraisal/export/list.html"

    def get_campaign(self) -> Campaign | None:
        year = self.request.GET.get("year", "")
        if not year:
            return current_campaign()
        campaign = campaign_by_year(year)
        if campaign is None:
            raise Http404
        return campaign

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            campaign=self.get_campaign(),
            years=campaign_years(),
            coverage=services.export_coverage(self.request.user),
            exports=selectors.recent_exports(self.request.user),
            **kwargs,
        )


class ExportCreateView(RoleRequiredMixin, View):
    roles = EXPORTERS
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        year = request.POST.get("year", "")
        campaign = campaign_by_year(year) if year else current_campaign()
        if campaign is None:
            messages.error(request, _("Choose a campaign year that exists."))
            return redirect("appraisal:export.list")
        export = services.export_request(user=request.user, campaign=campaign)
        if export.status == ExportStatus.DONE:
            messages.success(request, _("The workbook is ready to download."))
        elif export.status == ExportStatus.FAILED:
            messages.error(request, export.error)
        else:
            messages.info(
                request,
                _(
                    "The workbook is being generated in the background. You may leave this "
                    "page and come back to it from the export list."
                ),
            )
        return redirect("appraisal:export.detail", pk=export.pk)


class ExportObjectMixin(LoginRequiredMixin):
    """The export named in the URL, if the user may see it; 404 otherwise."""

    def get_export(self) -> AssessmentExport:
        return selectors.export_for_user(self.request.user, self.kwargs["pk"])


class ExportDetailView(ExportObjectMixin, TemplateView):
    template_name = "appraisal/export/detail.html"

    def get_context_data(self, **kwargs):
        export = self.get_export()
        return super().get_context_data(export=export, state=export_state(export), **kwargs)


class ExportStatusView(ExportObjectMixin, View):
    """The export's progress as JSON, for the page's progress bar."""

    def get(self, request, *args, **kwargs):
        response = JsonResponse(export_state(self.get_export()))
        response["Cache-Control"] = "private, no-store"
        return response


class ExportDownloadView(ExportObjectMixin, View):
    def get(self, request, *args, **kwargs):
        export = self.get_export()
        if export.status != ExportStatus.DONE or not export.file:
            raise Http404
        from ..workbook import workbook_filename

        try:
            handle = export.file.open("rb")
        except OSError:
            messages.error(
                request,
                _("The file of this export is no longer available. Please generate it again."),
            )
            return redirect("appraisal:export.list")
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=workbook_filename(campaign=export.campaign, organization=export.organization),
            content_type=XLSX,
        )
        # Names and scores of organizations: not for shared caches.
        response["Cache-Control"] = "private, no-store"
        return response


urlpatterns = [
    path("exports/", ExportListView.as_view(), name="export.list"),
    path("exports/create/", ExportCreateView.as_view(), name="export.create"),
    path("exports/<int:pk>/", ExportDetailView.as_view(), name="export.detail"),
    path("exports/<int:pk>/status/", ExportStatusView.as_view(), name="export.status"),
    path("exports/<int:pk>/download/", ExportDownloadView.as_view(), name="export.download"),
]
