"""Each area's views module declares its own ``urlpatterns``; this joins them."""

from .views import (
    annual,
    applications,
    assessments,
    criteria,
    dashboard,
    deadlines,
    documents,
    exports,
    review,
)

app_name = "appraisal"

urlpatterns = [
    *criteria.urlpatterns,
    *assessments.urlpatterns,
    *applications.urlpatterns,
    *documents.urlpatterns,
    *deadlines.urlpatterns,
    *review.urlpatterns,
    *exports.urlpatterns,
    *dashboard.urlpatterns,
    *annual.urlpatterns,
]
