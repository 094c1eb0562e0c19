"""The department's district import page and the template download."""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import View

from campaigns.rules import Role
from learning.views.library import add_service_errors
from learning.views.mixins import RoleRequiredMixin

from . import services
from .forms import DistrictImportForm
from .template import FILENAME, build_template
from .workbook import MAX_ROWS, SHEET_MEMBERS, SHEET_ORGANIZATIONS, WorkbookError

SUMMARY_SESSION_KEY = "district_import_summary"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class DistrictImportView(RoleRequiredMixin, View):
    """Upload the workbook: a row-by-row report when anything is wrong, else import it all."""

    roles = (Role.DEPARTMENT,)
    template_name = "campaigns/import/upload.html"

    def get(self, request, *args, **kwargs):
        summary = request.session.pop(SUMMARY_SESSION_KEY, None)
        return self.render(DistrictImportForm(), summary=summary)

    def post(self, request, *args, **kwargs):
        form = DistrictImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(form, status=400)
        try:
            result = services.district_import(
                user=request.user,
                uploaded=form.cleaned_data["workbook"],
                initial_password=form.cleaned_data["initial_password"],
            )
        except WorkbookError as error:
            form.add_error("workbook", error.message)
            return self.render(form, status=400)
        except ValidationError as error:
            add_service_errors(form, ValidationError({"initial_password": error.messages}))
            return self.render(form, status=400)
        if not result.ok:
            return self.render(form, errors=result.errors, status=400)
        request.session[SUMMARY_SESSION_KEY] = result.summary()
        messages.success(request, _("The workbook was imported."))
        return redirect("import.upload")

    def render(self, form, *, summary=None, errors=None, status=200):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "summary": summary,
                "errors": errors,
                "max_rows": f"{MAX_ROWS:,}",
                "organizations_sheet": SHEET_ORGANIZATIONS,
                "members_sheet": SHEET_MEMBERS,
            },
            status=status,
        )


class TemplateDownloadView(RoleRequiredMixin, View):
    roles = (Role.DEPARTMENT,)

    def get(self, request, *args, **kwargs):
        return FileResponse(
            io.BytesIO(build_template()),
            as_attachment=True,
            filename=FILENAME,
            content_type=XLSX_CONTENT_TYPE,
        )


urlpatterns = [
    path("district/import/", DistrictImportView.as_view(), name="import.upload"),
    path("district/import/template/", TemplateDownloadView.as_view(), name="import.template"),
]
