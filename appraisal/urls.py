"""Each area's views module declares its own ``urlpatterns``; this joins them."""

from .views import applications, assessments, criteria, review

app_name = "appraisal"

urlpatterns = [
    *criteria.urlpatterns,
    *assessments.urlpatterns,
    *applications.urlpatterns,
    *review.urlpatterns,
]
