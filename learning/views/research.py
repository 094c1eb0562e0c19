"""Research topics (研究课题) and “我为企业发展献一计” suggestions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView

from campaigns import rules
from campaigns.models import Member
from campaigns.rules import Role
from learning.enums import SuggestionStatus
from learning.forms.research import (
    OrganizationChoiceForm,
    SuggestionDecideForm,
    SuggestionFilter,
    SuggestionForm,
    TopicFilter,
    TopicForm,
)
from learning.models import ResearchTopic, Suggestion
from learning.selectors import library as library_selectors
from learning.selectors import research as selectors
from learning.services import research as services

from .library import (
    EVERYONE,
    MEMBERS,
    FilteredListView,
    ObjectMixin,
    ServiceDeleteView,
    ServiceFormView,
)
from .mixins import CampaignMixin, RoleRequiredMixin

# ---------------------------------------------------------------- research topics


class TopicListView(RoleRequiredMixin, FilteredListView):
    roles = EVERYONE
    template_name = "learning/topic/list.html"
    filterset_class = TopicFilter

    def get_base_queryset(self):
        return selectors.topic_list(self.request.user)

    def get_filterset_kwargs(self):
        return {
            "years": selectors.campaign_years(),
            "organizations": library_selectors.filter_organizations(self.request.user),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            can_add=self.scope.is_secretary,
            show_organization="organization" in self.filterset.filters,
            **kwargs,
        )


class TopicDetailView(ObjectMixin, DetailView):
    model = ResearchTopic
    template_name = "learning/topic/detail.html"
    context_object_name = "topic"

    def get_queryset(self):
        return selectors.topic_detail_queryset(self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            can_manage=rules.can_manage(self.request.user, self.object), **kwargs
        )


class TopicFormMixin:
    form_class = TopicForm

    def get_success_url(self):
        return reverse("learning:topic.detail", args=[self.object.pk])


class TopicCreateView(RoleRequiredMixin, CampaignMixin, TopicFormMixin, ServiceFormView):
    """A new topic; a secretary of several organizations first picks which one."""

    roles = (Role.SECRETARY,)
    template_name = "learning/topic/create.html"
    success_message = _("The research topic was set up.")

    def _organization(self):
        managed = library_selectors.managed_organizations(self.request.user)
        raw = self.request.GET.get("organization", "")
        if raw.isdigit():
            organization = managed.filter(pk=int(raw)).first()
            if organization is not None:
                return organization
        only = list(managed[:2])
        return only[0] if len(only) == 1 else None

    def _choose_organization(self):
        organizations = library_selectors.managed_organizations(self.request.user)
        form = OrganizationChoiceForm(
            initial={"organization": self.scope.organization_id}, organizations=organizations
        )
        return render(self.request, "learning/topic/choose_organization.html", {"form": form})

    def get(self, request, *args, **kwargs):
        self.get_campaign()
        self.organization = self._organization()
        if self.organization is None:
            return self._choose_organization()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.get_campaign()
        self.organization = self._organization()
        if self.organization is None:
            return self._choose_organization()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "members": selectors.topic_members(self.organization)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            organization=self.organization, campaign=self.get_campaign(), **kwargs
        )

    def perform(self, form):
        return services.topic_create(
            user=self.request.user,
            campaign=self.get_campaign(),
            organization=self.organization,
            **form.cleaned_data,
        )


class TopicEditView(ObjectMixin, TopicFormMixin, ServiceFormView):
    model = ResearchTopic
    manage = True
    template_name = "learning/topic/edit.html"
    success_message = _("The research topic was saved.")

    def get_queryset(self):
        return ResearchTopic.objects.select_related("organization", "campaign")

    def get_form_kwargs(self):
        topic = self.object
        keep = Member.objects.filter(Q(research_topics=topic) | Q(led_topics=topic))
        return {
            **super().get_form_kwargs(),
            "members": selectors.topic_members(topic.organization, keep=keep),
        }

    def get_initial(self):
        topic = self.object
        return {
            "title": topic.title,
            "problem": topic.problem,
            "lead": topic.lead_id,
            "participants": list(topic.participants.values_list("pk", flat=True)),
            "status": topic.status,
            "started_on": topic.started_on,
            "concluded_on": topic.concluded_on,
            "outcome": topic.outcome,
            "outcome_application": topic.outcome_application,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            organization=self.object.organization, campaign=self.object.campaign, **kwargs
        )

    def perform(self, form):
        return services.topic_update(user=self.request.user, topic=self.object, **form.cleaned_data)


# ---------------------------------------------------------------- suggestions


class SuggestionListView(RoleRequiredMixin, FilteredListView):
    """A member's own suggestions; a secretary's view of their organizations' suggestions."""

    roles = EVERYONE
    template_name = "learning/suggestion/list.html"
    filterset_class = SuggestionFilter

    def get_base_queryset(self):
        if self.scope.role is Role.MEMBER:
            return selectors.own_suggestions(self.request.user)
        return selectors.suggestion_list(self.request.user)

    def get_filterset_kwargs(self):
        return {"organizations": library_selectors.filter_organizations(self.request.user)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            reviewing=self.scope.role is not Role.MEMBER,
            can_submit=self.scope.member is not None,
            show_organization="organization" in self.filterset.filters,
            **kwargs,
        )


class SuggestionCreateView(RoleRequiredMixin, CampaignMixin, ServiceFormView):
    roles = MEMBERS
    form_class = SuggestionForm
    template_name = "learning/suggestion/create.html"
    success_message = _("Thank you: your suggestion was submitted to your organization.")

    def get_context_data(self, **kwargs):
        return super().get_context_data(campaign=self.get_campaign(), **kwargs)

    def perform(self, form):
        return services.suggestion_submit(
            user=self.request.user, campaign=self.get_campaign(), **form.cleaned_data
        )

    def get_success_url(self):
        return reverse("learning:suggestion.detail", args=[self.object.pk])


class SuggestionObjectMixin(ObjectMixin):
    model = Suggestion

    def get_queryset(self):
        return Suggestion.objects.select_related(
            "member__user", "organization", "campaign", "decided_by"
        )


class SuggestionDetailView(SuggestionObjectMixin, DetailView):
    template_name = "learning/suggestion/detail.html"
    context_object_name = "suggestion"

    def get_context_data(self, **kwargs):
        suggestion = self.object
        user = self.request.user
        can_decide = services.can_decide_suggestion(user, suggestion)
        pending = suggestion.status == SuggestionStatus.PENDING
        return super().get_context_data(
            can_change=pending and rules.can_manage(user, suggestion),
            can_decide=can_decide,
            decide_form=decide_form_for(suggestion) if can_decide else None,
            **kwargs,
        )


def decide_form_for(suggestion, data=None):
    initial = {}
    if suggestion.status != SuggestionStatus.PENDING:
        initial = {"status": suggestion.status, "benefit": suggestion.benefit}
    return SuggestionDecideForm(data, initial=initial)


class SuggestionChangeMixin(SuggestionObjectMixin):
    """Only the member's own, pending suggestion changes; otherwise back to its page."""

    manage = True

    def get(self, request, *args, **kwargs):
        if self.object.status != SuggestionStatus.PENDING:
            messages.warning(request, _("A suggestion that was decided on can no longer change."))
            return redirect("learning:suggestion.detail", self.object.pk)
        return super().get(request, *args, **kwargs)


class SuggestionEditView(SuggestionChangeMixin, ServiceFormView):
    form_class = SuggestionForm
    template_name = "learning/suggestion/edit.html"
    success_message = _("Your suggestion was saved.")

    def get_initial(self):
        return {"title": self.object.title, "content": self.object.content}

    def perform(self, form):
        return services.suggestion_update(
            user=self.request.user, suggestion=self.object, **form.cleaned_data
        )

    def get_success_url(self):
        return reverse("learning:suggestion.detail", args=[self.object.pk])


class SuggestionWithdrawView(SuggestionChangeMixin, ServiceDeleteView):
    template_name = "learning/suggestion/withdraw.html"
    success_message = _("Your suggestion was withdrawn.")

    def perform(self):
        services.suggestion_withdraw(user=self.request.user, suggestion=self.object)

    def get_refused_url(self):
        return reverse("learning:suggestion.detail", args=[self.object.pk])

    def get_success_url(self):
        return reverse("learning:suggestion.list")


class SuggestionDecideView(SuggestionObjectMixin, ServiceFormView):
    template_name = "learning/suggestion/decide.html"
    success_message = _("The decision was recorded.")

    def get_form(self, form_class=None):
        if not services.can_decide_suggestion(self.request.user, self.object):
            raise PermissionDenied
        data = self.request.POST if self.request.method == "POST" else None
        return decide_form_for(self.object, data)

    def perform(self, form):
        return services.suggestion_decide(
            user=self.request.user, suggestion=self.object, **form.cleaned_data
        )

    def get_success_url(self):
        return reverse("learning:suggestion.detail", args=[self.object.pk])


urlpatterns = [
    path("topics/", TopicListView.as_view(), name="topic.list"),
    path("topics/new/", TopicCreateView.as_view(), name="topic.create"),
    path("topics/<int:pk>/", TopicDetailView.as_view(), name="topic.detail"),
    path("topics/<int:pk>/edit/", TopicEditView.as_view(), name="topic.edit"),
    path("suggestions/", SuggestionListView.as_view(), name="suggestion.list"),
    path("suggestions/new/", SuggestionCreateView.as_view(), name="suggestion.create"),
    path("suggestions/<int:pk>/", SuggestionDetailView.as_view(), name="suggestion.detail"),
    path("suggestions/<int:pk>/edit/", SuggestionEditView.as_view(), name="suggestion.edit"),
    path(
        "suggestions/<int:pk>/withdraw/",
        SuggestionWithdrawView.as_view(),
        name="suggestion.withdraw",
    ),
    path("suggestions/<int:pk>/decide/", SuggestionDecideView.as_view(), name="suggestion.decide"),
]
