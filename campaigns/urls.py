from django.contrib.auth import views as auth_views
from django.urls import path

from . import audit_views, views
from .imports import views as import_views
from .security import views as security_views
from .security.forms import LoginForm

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, authentication_form=LoginForm
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "organizations/lookup/",
        views.OrganizationLookupView.as_view(),
        name="organization.lookup",
    ),
    *import_views.urlpatterns,
    *audit_views.urlpatterns,
    *security_views.urlpatterns,
]
