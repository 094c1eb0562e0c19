from django.contrib import admin
from django.urls import include, path

from .views import healthz

# Uploaded files are never served from MEDIA_URL: each download goes through a
# view that checks campaigns.rules first.
urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("learning/", include("learning.urls")),
    path("appraisal/", include("appraisal.urls")),
    path("", include("campaigns.urls")),
]
