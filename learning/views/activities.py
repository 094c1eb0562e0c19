"""Study activities (学习活动, “三会一课”, 组织生活会): list, record, read, change,
delete, and their attachments, served only to those who may see the activity."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView

from campaigns import rules
from campaigns.rules import Role
from campaigns.widgets import organization_lookups
from learning.forms.activities import ActivityFilter, StudyActivityForm
from learning.models import ActivityAttachment
from learning.selectors import activities as selectors
from learning.services import activities as services

from .mixins import CampaignMixin, RoleRequiredMixin, VisibleObjectMixin

PAGE_SIZE = 25


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError beside the form's fields (others on top)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class ActivityListView(RoleRequiredMixin, ListView):
    """The activities a user may see: a secretary's subtree, a member's organization
    (read-only), or everything for the department; filtered, searched, paginated."""

    roles = (Role.DEPARTMENT, Role.SECRETARY, Role.MEMBER)
    template_name = "learning/activity/list.html"
    context_object_name = "activities"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        self.filterset = ActivityFilter(
            self.request.GET or None,
            queryset=selectors.activity_list(self.request.user),
            request=self.request,
        )
        return self.filterset.qs

    def paginate_queryset(self, queryset, page_size):
        # A bad or too large page number shows the nearest page rather than an error.
        paginator = Paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get("page"))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filter=self.filterset,
            query=query.urlencode(),
            filtered=any(value for key, value in self.request.GET.items() if key != "page"),
            can_record=self.scope.is_secretary,
            show_organization_filter=self.scope.role in (Role.SECRETARY, Role.DEPARTMENT),
        )
        organization_lookups(self.filterset.form, self.request.user)
        return context


class ActivityFormMixin(RoleRequiredMixin):
    """The activity form for one organization and campaign."""

    form_class = StudyActivityForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["campaign"] = self.campaign
        kwargs["attendee_choices"] = self.get_attendee_choices()
        kwargs["plan_items"] = selectors.plan_item_choices(self.organization, self.campaign)
        return kwargs

    def get_attendee_choices(self):
        return selectors.attendee_choices(self.organization)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        options = form.attendee_options()
        context.update(
            organization=self.organization,
            campaign=self.campaign,
            attendee_options=options,
            attendee_total=len(options),
            attendee_ticked=sum(1 for option in options if option[3]),
        )
        return context

    def save(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            activity = self.save(form)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        return HttpResponseRedirect(reverse("learning:activity.detail", args=[activity.pk]))


class ActivityCreateView(ActivityFormMixin, CampaignMixin, FormView):
    """A secretary records an activity of an organization they manage
    (``?organization=<id>``, their own by default) in the current campaign."""

    roles = (Role.SECRETARY,)
    template_name = "learning/activity/create.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and self.scope.is_secretary:
            self.campaign = self.get_campaign()
            self.organizations = selectors.managed_organizations(request.user)
            self.organization = self._chosen_organization()
        return super().dispatch(request, *args, **kwargs)

    def _chosen_organization(self):
        raw = self.request.GET.get("organization", "")
        by_id = {organization.pk: organization for organization in self.organizations}
        if raw == "":
            own = by_id.get(self.scope.organization_id)
            if own is None and not self.organizations:
                raise Http404
            return own or self.organizations[0]
        try:
            return by_id[int(raw)]
        except (KeyError, ValueError):
            raise Http404 from None

    def get_context_data(self, **kwargs):
        action = reverse("learning:activity.create")
        return super().get_context_data(
            organizations=self.organizations,
            creating=True,
            form_action=f"{action}?organization={self.organization.pk}",
            cancel_url=reverse("learning:activity.list"),
            **kwargs,
        )

    def save(self, form):
        activity = services.activity_record(
            user=self.request.user,
            organization=self.organization,
            campaign=self.campaign,
            **form.service_data(),
        )
        count = len(form.cleaned_data["attendees"])
        messages.success(
            self.request,
            ngettext(
                "Recorded “%(topic)s” with %(count)d attendee.",
                "Recorded “%(topic)s” with %(count)d attendees.",
                count,
            )
            % {"topic": activity.topic, "count": count},
        )
        return activity


class ActivityObjectMixin(VisibleObjectMixin):
    def get_queryset(self):
        return selectors.activity_detail_queryset(self.request.user)

    @cached_property
    def activity(self):
        return self.get_object()


class ActivityUpdateView(ActivityFormMixin, ActivityObjectMixin, FormView):
    """The secretary who manages the activity changes it; attendees' hours follow."""

    manage = True
    template_name = "learning/activity/edit.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.object = self.activity
            self.organization = self.object.organization
            self.campaign = self.object.campaign
            self.current_attendees = selectors.attendee_ids(self.object)
        return super().dispatch(request, *args, **kwargs)

    def get_attendee_choices(self):
        return selectors.attendee_choices(self.organization, include_ids=self.current_attendees)

    def get_initial(self):
        activity = self.object
        return {
            "form": activity.form,
            "held_on": activity.held_on,
            "hours": activity.hours,
            "topic": activity.topic,
            "place": activity.place,
            "speaker": activity.speaker,
            "minutes": activity.minutes,
            "plan_item": activity.plan_item_id,
            "attendees": self.current_attendees,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            activity=self.object,
            creating=False,
            form_action=reverse("learning:activity.edit", args=[self.object.pk]),
            cancel_url=reverse("learning:activity.detail", args=[self.object.pk]),
            **kwargs,
        )

    def save(self, form):
        activity = services.activity_update(
            user=self.request.user, activity=self.object, **form.service_data()
        )
        messages.success(self.request, _("The activity was saved."))
        return activity


class ActivityDetailView(ActivityObjectMixin, DetailView):
    template_name = "learning/activity/detail.html"
    context_object_name = "activity"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        activity = self.object
        attendees = selectors.activity_attendees(activity)
        context.update(
            attendees=attendees,
            absentees=selectors.activity_absentees(activity),
            attachments=list(activity.attachments.all()),
            can_manage=rules.can_manage(self.request.user, activity),
        )
        return context


class ActivityDeleteView(ActivityObjectMixin, TemplateView):
    template_name = "learning/activity/delete.html"
    manage = True

    def get_context_data(self, **kwargs):
        activity = self.activity
        return super().get_context_data(
            activity=activity,
            attendee_count=activity.attendance.count(),
            attachments=list(activity.attachments.all()),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        activity = self.activity
        topic = activity.topic
        services.activity_delete(user=request.user, activity=activity)
        messages.success(request, _("The activity “%(topic)s” was deleted.") % {"topic": topic})
        return redirect("learning:activity.list")


class AttachmentDownloadView(VisibleObjectMixin, View):
    """The file under its original name, only for those who may see the activity."""

    def get_queryset(self):
        return ActivityAttachment.objects.all()

    def get(self, request, *args, **kwargs):
        attachment = self.get_object()
        try:
            handle = attachment.file.storage.open(attachment.file.name, "rb")
        except (OSError, ValueError):
            raise Http404 from None
        return FileResponse(
            handle,
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type or "application/octet-stream",
        )


class AttachmentDeleteView(VisibleObjectMixin, TemplateView):
    template_name = "learning/activity/attachment_delete.html"
    manage = True

    def get_queryset(self):
        return ActivityAttachment.objects.select_related("activity__organization")

    @cached_property
    def attachment(self):
        return self.get_object()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            attachment=self.attachment, activity=self.attachment.activity, **kwargs
        )

    def post(self, request, *args, **kwargs):
        attachment = self.attachment
        name = attachment.original_name
        services.attachment_remove(user=request.user, attachment=attachment)
        messages.success(request, _("The attachment “%(name)s” was removed.") % {"name": name})
        return redirect("learning:activity.detail", pk=attachment.activity_id)


urlpatterns = [
    path("activities/", ActivityListView.as_view(), name="activity.list"),
    path("activities/new/", ActivityCreateView.as_view(), name="activity.create"),
    path("activities/<int:pk>/", ActivityDetailView.as_view(), name="activity.detail"),
    path("activities/<int:pk>/edit/", ActivityUpdateView.as_view(), name="activity.edit"),
    path("activities/<int:pk>/delete/", ActivityDeleteView.as_view(), name="activity.delete"),
    path(
        "activities/attachments/<int:pk>/",
        AttachmentDownloadView.as_view(),
        name="activity.attachment",
    ),
    path(
        "activities/attachments/<int:pk>/delete/",
        AttachmentDeleteView.as_view(),
        name="activity.attachment_delete",
    ),
]
