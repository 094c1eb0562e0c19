"""Each area's views module declares its own ``urlpatterns``; this joins them."""

from .views import applications, assessments, criteria, deadlines, documents, review

app_name = "appraisal"

urlpatterns = [
    *criteria.urlpatterns,
    *assessments.urlpatterns,
    *applications.urlpatterns,
    *documents.urlpatterns,
    *deadlines.urlpatterns,
    *review.urlpatterns,
]
