"""The printed 申报表: one application as an A4 PDF, shown in the browser."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View

from campaigns import audit
from campaigns.enums import AuditAction
from learning.views.mixins import VisibleObjectMixin

from ..pdf import CJKFontMissing, application_pdf_filename, render_application_pdf
from ..selectors.documents import printable_applications


def content_disposition(filename: str, *, fallback: str) -> str:
    """``inline`` with an ASCII name for old clients and the real one per RFC 5987/6266."""
    return f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


class ApplicationPdfView(VisibleObjectMixin, View):
    """Whoever may see the application may print it; outsiders get 404."""

    def get_queryset(self):
        return printable_applications()

    def get(self, request, *args, **kwargs):
        application = self.get_object()
        try:
            document = render_application_pdf(application)
        except CJKFontMissing as error:
            messages.error(request, str(error))
            return redirect(reverse("appraisal:application.detail", args=[application.pk]))
        audit.record(action=AuditAction.EXPORT, obj=application, detail=_("PDF application form"))
        response = HttpResponse(document, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition(
            application_pdf_filename(application),
            fallback=f"application-{application.pk}.pdf",
        )
        # Names, phone numbers and opinions: not for shared caches.
        response["Cache-Control"] = "private, no-store"
        return response


urlpatterns = [
    path("applications/<int:pk>/pdf/", ApplicationPdfView.as_view(), name="application.pdf"),
]
