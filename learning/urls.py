"""Each area's views module declares its own ``urlpatterns``; this joins them."""

from .views import activities, five_ones, library, notes, plans, research

app_name = "learning"

urlpatterns = [
    *plans.urlpatterns,
    *activities.urlpatterns,
    *notes.urlpatterns,
    *five_ones.urlpatterns,
    *library.urlpatterns,
    *research.urlpatterns,
]
