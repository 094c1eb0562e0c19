"""Study plans (年度、季度、个人学习计划) and the implementation plan (“双争”活动实施方案).

Views are thin: they pick the object through campaigns.rules (404 for
outsiders), hand the form's data to learning.services.plans and show the
service's refusals as messages.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from campaigns import rules
from campaigns.enums import PlanStatus
from campaigns.rules import Role
from learning.enums import StudyPlanKind
from learning.forms.plans import (
    ImplementationPlanForm,
    OrganizationPlanForm,
    PlanCopyForm,
    PlanFilter,
    PlanTextForm,
    plan_item_formset,
)
from learning.models import StudyPlan
from learning.selectors import plans as selectors
from learning.services import plans as services

from .mixins import CampaignMixin, RoleRequiredMixin

PAGE_SIZE = 25
PLAN_ROLES = (Role.SECRETARY, Role.MEMBER)


def show_errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


class PlanAccessMixin(RoleRequiredMixin):
    """What every plan page needs to know about the signed-in user."""

    @cached_property
    def organizations(self):
        """The organizations a secretary manages (none for members), in tree order."""
        return selectors.managed_organizations(self.request.user)

    @property
    def base_depth(self) -> int:
        member = self.scope.member
        return member.organization.depth if member is not None else 0

    def chosen_organization(self, raw):
        """One of the secretary's organizations by id (None when it is not theirs)."""
        try:
            return self.organizations.filter(pk=int(raw)).first()
        except (TypeError, ValueError):
            return None


# ---------------------------------------------------------------- list


class PlanListView(PlanAccessMixin, CampaignMixin, TemplateView):
    """A secretary: their organizations' plans this campaign, and what is still missing.
    A member: their personal plan and their organization's filed plans."""

    roles = PLAN_ROLES
    template_name = "learning/plan/list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        campaign = self.get_campaign()
        secretary = self.scope.is_secretary
        filterset = PlanFilter(
            self.request.GET,
            queryset=selectors.plan_list(user, campaign),
            organizations=self.organizations if secretary else None,
            base_depth=self.base_depth,
        )
        page = Paginator(filterset.qs, PAGE_SIZE).get_page(self.request.GET.get("page"))
        plans = selectors.label_plans(list(page.object_list))
        query = self.request.GET.copy()
        query.pop("page", None)
        context = super().get_context_data(**kwargs)
        context.update(
            campaign=campaign,
            filter=filterset,
            page_obj=page,
            plans=plans,
            query=query.urlencode(),
            filtered=any(value for key, value in self.request.GET.items() if key != "page"),
            secretary=secretary,
        )
        if secretary:
            organization = filterset.form.cleaned_data.get("organization")
            context["missing"] = selectors.missing_summary(user, campaign, organization)
        else:
            context["personal_plan"] = selectors.personal_plan_of(self.scope.member, campaign)
        return context


# ---------------------------------------------------------------- create / edit


class PlanFormPage(PlanAccessMixin):
    """The page with the plan's form and its sessions' formset."""

    template_name = "learning/plan/form.html"

    def render_form(self, form, formset, **extra):
        return render(
            self.request,
            self.template_name,
            {"form": form, "formset": formset, "view": self, **extra},
        )


class PlanCreateView(PlanFormPage, CampaignMixin, View):
    """A new draft: an organization plan (secretaries) or the user's personal plan
    (``?kind=personal``; always for members). ``?organization=&kind=&quarter=`` preselect."""

    roles = PLAN_ROLES

    @cached_property
    def personal(self) -> bool:
        return not self.scope.is_secretary or self.request.GET.get("kind") == StudyPlanKind.PERSONAL

    def initial(self) -> dict:
        get = self.request.GET
        initial = {"organization": self.scope.organization_id}
        organization = self.chosen_organization(get.get("organization"))
        if organization is not None:
            initial["organization"] = organization.pk
        if get.get("kind") in {
            StudyPlanKind.ORGANIZATION_ANNUAL,
            StudyPlanKind.ORGANIZATION_QUARTERLY,
        }:
            initial["kind"] = get["kind"]
        if get.get("quarter") in {"1", "2", "3", "4"}:
            initial["quarter"] = int(get["quarter"])
        return initial

    def forms(self, data=None):
        campaign = self.get_campaign()
        if self.personal:
            form = PlanTextForm(data)
        else:
            form = OrganizationPlanForm(
                data,
                organizations=self.organizations,
                base_depth=self.base_depth,
                initial=self.initial(),
            )
        formset = plan_item_formset(
            plan=StudyPlan(campaign=campaign), year=campaign.year, data=data
        )
        return form, formset

    def context(self):
        return {"campaign": self.get_campaign(), "creating": True, "personal": self.personal}

    def existing_personal_plan(self):
        if not self.personal:
            return None
        return selectors.personal_plan_of(self.scope.member, self.get_campaign())

    def get(self, request, *args, **kwargs):
        existing = self.existing_personal_plan()
        if existing is not None:
            messages.info(request, services.duplicate_message(existing))
            return redirect("learning:plan.detail", pk=existing.pk)
        form, formset = self.forms()
        return self.render_form(form, formset, **self.context())

    def post(self, request, *args, **kwargs):
        form, formset = self.forms(request.POST)
        if not (form.is_valid() and formset.is_valid()):
            messages.error(request, _("Please correct the errors below."))
            return self.render_form(form, formset, **self.context())
        data = form.cleaned_data
        try:
            plan = services.plan_create(
                user=request.user,
                campaign=self.get_campaign(),
                kind=StudyPlanKind.PERSONAL if self.personal else data["kind"],
                organization=data.get("organization"),
                quarter=data.get("quarter"),
                title=data["title"],
                key_content=data["key_content"],
                items=formset.items(),
            )
        except services.DuplicatePlanError as error:
            show_errors(request, error)
            return self.render_form(form, formset, existing=error.existing, **self.context())
        except ValidationError as error:
            show_errors(request, error)
            return self.render_form(form, formset, **self.context())
        messages.success(
            request, _("The plan “%(title)s” was saved as a draft.") % {"title": plan.title}
        )
        return redirect("learning:plan.detail", pk=plan.pk)


class PlanObjectMixin(LoginRequiredMixin):
    """The plan in the URL, through campaigns.rules: 404 for those who may not see it."""

    manage = False

    @cached_property
    def plan(self) -> StudyPlan:
        plan = rules.get_visible_or_404(
            self.request.user, selectors.plan_queryset(self.request.user), pk=self.kwargs["pk"]
        )
        if self.manage and not rules.can_manage(self.request.user, plan):
            raise PermissionDenied
        selectors.label_plans([plan])
        return plan

    def refuse_if_filed(self):
        """A filed plan is read-only: say so and go back to it (GET and POST alike)."""
        if self.plan.status != PlanStatus.DRAFT:
            messages.warning(
                self.request,
                _("This plan has been filed and is read-only. Reopen it to make changes."),
            )
            return redirect("learning:plan.detail", pk=self.plan.pk)
        return None


class PlanEditView(PlanObjectMixin, PlanFormPage, View):
    """Change a draft's title, key content and sessions (the secretary or the member who
    manages it)."""

    manage = True

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            refused = self.refuse_if_filed()
            if refused is not None:
                return refused
        return super().dispatch(request, *args, **kwargs)

    def forms(self, data=None):
        plan = self.plan
        form = PlanTextForm(data, initial={"title": plan.title, "key_content": plan.key_content})
        formset = plan_item_formset(plan=plan, year=plan.campaign.year, data=data)
        return form, formset

    def context(self):
        return {
            "plan": self.plan,
            "campaign": self.plan.campaign,
            "creating": False,
            "personal": self.plan.kind == StudyPlanKind.PERSONAL,
        }

    def get(self, request, *args, **kwargs):
        form, formset = self.forms()
        return self.render_form(form, formset, **self.context())

    def post(self, request, *args, **kwargs):
        form, formset = self.forms(request.POST)
        if not (form.is_valid() and formset.is_valid()):
            messages.error(request, _("Please correct the errors below."))
            return self.render_form(form, formset, **self.context())
        try:
            plan = services.plan_update(
                user=request.user,
                plan=self.plan,
                title=form.cleaned_data["title"],
                key_content=form.cleaned_data["key_content"],
                items=formset.items(),
            )
        except ValidationError as error:
            show_errors(request, error)
            if getattr(error, "code", None) == "filed":
                return redirect("learning:plan.detail", pk=self.plan.pk)
            return self.render_form(form, formset, **self.context())
        messages.success(request, _("The plan “%(title)s” was saved.") % {"title": plan.title})
        return redirect("learning:plan.detail", pk=plan.pk)


# ---------------------------------------------------------------- read


class PlanDetailView(LoginRequiredMixin, TemplateView):
    """The plan as a document, for anyone who may see it; prints on A4."""

    template_name = "learning/plan/detail.html"

    def get_context_data(self, **kwargs):
        plan = selectors.plan_detail(self.request.user, self.kwargs["pk"])
        items = list(plan.items.all())
        return super().get_context_data(
            plan=plan,
            items=items,
            total_hours=sum((item.hours for item in items), Decimal(0)),
            can_manage=rules.can_manage(self.request.user, plan),
            **kwargs,
        )


class PlanPersonalView(PlanAccessMixin, CampaignMixin, View):
    """The member's own personal plan this campaign: the plan, or the form to write it."""

    roles = PLAN_ROLES

    def get(self, request, *args, **kwargs):
        plan = selectors.personal_plan_of(self.scope.member, self.get_campaign())
        if plan is not None:
            return redirect("learning:plan.detail", pk=plan.pk)
        return redirect(
            f"{reverse('learning:plan.create')}?{urlencode({'kind': StudyPlanKind.PERSONAL})}"
        )


# ---------------------------------------------------------------- state changes


class PlanActionView(PlanObjectMixin, View):
    """A POST-only state change of one plan; refusals come back as messages."""

    http_method_names = ["post"]

    def act(self, plan):
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        try:
            message = self.act(self.plan)
        except ValidationError as error:
            show_errors(request, error)
        else:
            messages.success(request, message)
        return redirect("learning:plan.detail", pk=self.plan.pk)


class PlanFileView(PlanActionView):
    def act(self, plan):
        services.plan_file(user=self.request.user, plan=plan)
        return _("The plan “%(title)s” was filed. It is now read-only.") % {"title": plan.title}


class PlanReopenView(PlanActionView):
    def act(self, plan):
        services.plan_reopen(user=self.request.user, plan=plan)
        return _("The plan “%(title)s” was reopened and can be changed again.") % {
            "title": plan.title
        }


class PlanDeleteView(PlanObjectMixin, TemplateView):
    """Confirm, then delete a draft plan."""

    template_name = "learning/plan/delete.html"
    manage = True

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and self.plan.status != PlanStatus.DRAFT:
            messages.warning(request, _("A filed plan cannot be deleted. Reopen it first."))
            return redirect("learning:plan.detail", pk=self.plan.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            plan=self.plan, item_count=self.plan.items.count(), **kwargs
        )

    def post(self, request, *args, **kwargs):
        plan = self.plan
        try:
            services.plan_delete(user=request.user, plan=plan)
        except ValidationError as error:
            show_errors(request, error)
            return redirect("learning:plan.detail", pk=plan.pk)
        messages.success(request, _("The plan “%(title)s” was deleted.") % {"title": plan.title})
        return redirect("learning:plan.list")


class PlanCopyView(PlanAccessMixin, CampaignMixin, View):
    """Start this year's plan from last year's (参照上年度计划), then edit the new draft.

    Posted by the “start from last year's plan” button of the create form, with
    that form's organization, kind and quarter.
    """

    roles = PLAN_ROLES
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        post = request.POST
        personal = not self.scope.is_secretary or post.get("kind") == StudyPlanKind.PERSONAL
        data = post.copy()
        if personal:
            data["kind"] = StudyPlanKind.PERSONAL
        form = PlanCopyForm(data, organizations=self.organizations, personal=personal)
        back = (
            {"kind": StudyPlanKind.PERSONAL}
            if personal
            else {key: post[key] for key in ("organization", "kind", "quarter") if post.get(key)}
        )
        back_url = f"{reverse('learning:plan.create')}?{urlencode(back)}"
        if not form.is_valid():
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
            return redirect(back_url)
        cleaned = form.cleaned_data
        try:
            plan = services.plan_copy_from_last_year(
                user=request.user,
                campaign=self.get_campaign(),
                kind=cleaned["kind"],
                organization=cleaned.get("organization"),
                quarter=cleaned.get("quarter"),
            )
        except services.DuplicatePlanError as error:
            show_errors(request, error)
            if rules.can_view(request.user, error.existing):
                return redirect("learning:plan.detail", pk=error.existing.pk)
            return redirect(back_url)
        except ValidationError as error:
            show_errors(request, error)
            return redirect(back_url)
        messages.success(
            request,
            _(
                "“%(title)s” was started from last year's plan, with the dates moved on one "
                "year. Check it, then file it."
            )
            % {"title": plan.title},
        )
        return redirect("learning:plan.edit", pk=plan.pk)


# ---------------------------------------------------------------- implementation plan


UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def attachment_filename(plan) -> str:
    """The download's name: the plan's title with the stored file's extension."""
    extension = PurePath(plan.attachment.name or "").suffix.lower()
    stem = UNSAFE_FILENAME.sub(" ", plan.title).strip(" .")[:100] or "implementation-plan"
    return f"{stem}{extension}"


class ImplementationPlanMixin(PlanAccessMixin):
    roles = PLAN_ROLES
    manage = False

    @cached_property
    def plan(self):
        user = self.request.user
        plan = rules.get_visible_or_404(
            user, selectors.implementation_plan_queryset(user), pk=self.kwargs["pk"]
        )
        if self.manage and not rules.can_manage(user, plan):
            raise PermissionDenied
        return plan


class ImplementationPlanCurrentView(PlanAccessMixin, CampaignMixin, View):
    """The user's organization's plan this campaign (a secretary may pick
    ``?organization=``): the plan if there is one, else the form (secretaries)
    or a note that it has not been filed yet (members)."""

    roles = PLAN_ROLES

    def get(self, request, *args, **kwargs):
        campaign = self.get_campaign()
        organization = None
        if self.scope.is_secretary and request.GET.get("organization"):
            organization = self.chosen_organization(request.GET["organization"])
            if organization is None:
                raise Http404
        organization = organization or self.scope.member.organization
        plan = selectors.implementation_plan_of(request.user, campaign, organization)
        if plan is not None:
            return redirect("learning:implementation_plan.detail", pk=plan.pk)
        if self.scope.is_secretary:
            return redirect(
                f"{reverse('learning:implementation_plan.create')}?"
                f"{urlencode({'organization': organization.pk})}"
            )
        return render(
            request,
            "learning/implementation_plan/none.html",
            {"campaign": campaign, "organization": organization},
        )


class ImplementationPlanFormPage(PlanAccessMixin):
    template_name = "learning/implementation_plan/form.html"

    def render_form(self, form, **extra):
        return render(self.request, self.template_name, {"form": form, "view": self, **extra})


class ImplementationPlanCreateView(ImplementationPlanFormPage, CampaignMixin, View):
    roles = (Role.SECRETARY,)

    def form(self, data=None, files=None):
        organization = self.chosen_organization(self.request.GET.get("organization"))
        initial = {"organization": (organization or self.scope.member.organization).pk}
        return ImplementationPlanForm(
            data,
            files,
            organizations=self.organizations,
            base_depth=self.base_depth,
            initial=initial,
        )

    def get(self, request, *args, **kwargs):
        organization = self.chosen_organization(request.GET.get("organization"))
        if organization is not None:
            existing = selectors.implementation_plan_of(
                request.user, self.get_campaign(), organization
            )
            if existing is not None:
                return redirect("learning:implementation_plan.detail", pk=existing.pk)
        return self.render_form(self.form(), campaign=self.get_campaign(), creating=True)

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST, request.FILES)
        context = {"campaign": self.get_campaign(), "creating": True}
        if not form.is_valid():
            messages.error(request, _("Please correct the errors below."))
            return self.render_form(form, **context)
        data = form.cleaned_data
        try:
            plan = services.implementation_plan_save(
                user=request.user,
                campaign=self.get_campaign(),
                organization=data["organization"],
                title=data["title"],
                content=data["content"],
                attachment=data.get("attachment"),
            )
        except services.DuplicatePlanError as error:
            show_errors(request, error)
            return redirect("learning:implementation_plan.detail", pk=error.existing.pk)
        except ValidationError as error:
            show_errors(request, error)
            return self.render_form(form, **context)
        messages.success(request, _("The implementation plan was saved as a draft."))
        return redirect("learning:implementation_plan.detail", pk=plan.pk)


class ImplementationPlanEditView(ImplementationPlanMixin, ImplementationPlanFormPage, View):
    roles = (Role.SECRETARY,)
    manage = True

    def dispatch(self, request, *args, **kwargs):
        if (
            request.user.is_authenticated
            and rules.scope_for(request.user).is_secretary
            and self.plan.status != PlanStatus.DRAFT
        ):
            messages.warning(
                request,
                _("This plan has been filed and is read-only. Reopen it to make changes."),
            )
            return redirect("learning:implementation_plan.detail", pk=self.plan.pk)
        return super().dispatch(request, *args, **kwargs)

    def form(self, data=None, files=None):
        plan = self.plan
        return ImplementationPlanForm(
            data,
            files,
            initial={"title": plan.title, "content": plan.content},
            has_attachment=bool(plan.attachment),
        )

    def context(self):
        return {"plan": self.plan, "campaign": self.plan.campaign, "creating": False}

    def get(self, request, *args, **kwargs):
        return self.render_form(self.form(), **self.context())

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, _("Please correct the errors below."))
            return self.render_form(form, **self.context())
        data = form.cleaned_data
        try:
            services.implementation_plan_save(
                user=request.user,
                campaign=self.plan.campaign,
                organization=self.plan.organization,
                title=data["title"],
                content=data["content"],
                attachment=data.get("attachment"),
                remove_attachment=data.get("remove_attachment", False),
                plan=self.plan,
            )
        except ValidationError as error:
            show_errors(request, error)
            if getattr(error, "code", None) == "filed":
                return redirect("learning:implementation_plan.detail", pk=self.plan.pk)
            return self.render_form(form, **self.context())
        messages.success(request, _("The implementation plan was saved."))
        return redirect("learning:implementation_plan.detail", pk=self.plan.pk)


class ImplementationPlanDetailView(ImplementationPlanMixin, TemplateView):
    template_name = "learning/implementation_plan/detail.html"
    roles = ()

    def get_context_data(self, **kwargs):
        plan = self.plan
        return super().get_context_data(
            plan=plan,
            can_manage=rules.can_manage(self.request.user, plan),
            attachment_name=attachment_filename(plan) if plan.attachment else "",
            **kwargs,
        )


class ImplementationPlanActionView(ImplementationPlanMixin, View):
    http_method_names = ["post"]
    roles = (Role.SECRETARY,)

    def act(self, plan):
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        try:
            message = self.act(self.plan)
        except ValidationError as error:
            show_errors(request, error)
        else:
            messages.success(request, message)
        return redirect("learning:implementation_plan.detail", pk=self.plan.pk)


class ImplementationPlanFileView(ImplementationPlanActionView):
    def act(self, plan):
        services.implementation_plan_file(user=self.request.user, plan=plan)
        return _("The implementation plan was filed. Members of the organization can now read it.")


class ImplementationPlanReopenView(ImplementationPlanActionView):
    def act(self, plan):
        services.implementation_plan_reopen(user=self.request.user, plan=plan)
        return _("The implementation plan was reopened and can be changed again.")


class ImplementationPlanAttachmentView(ImplementationPlanMixin, View):
    """The attached file, only for those who may see the plan (never through MEDIA_URL)."""

    roles = ()

    def get(self, request, *args, **kwargs):
        plan = self.plan
        if not plan.attachment:
            raise Http404
        try:
            handle = plan.attachment.storage.open(plan.attachment.name, "rb")
        except (OSError, ValueError):
            raise Http404 from None
        return FileResponse(handle, as_attachment=True, filename=attachment_filename(plan))


urlpatterns = [
    path("plans/", PlanListView.as_view(), name="plan.list"),
    path("plans/new/", PlanCreateView.as_view(), name="plan.create"),
    path("plans/copy/", PlanCopyView.as_view(), name="plan.copy"),
    path("plans/mine/", PlanPersonalView.as_view(), name="plan.personal"),
    path("plans/<int:pk>/", PlanDetailView.as_view(), name="plan.detail"),
    path("plans/<int:pk>/edit/", PlanEditView.as_view(), name="plan.edit"),
    path("plans/<int:pk>/file/", PlanFileView.as_view(), name="plan.file"),
    path("plans/<int:pk>/reopen/", PlanReopenView.as_view(), name="plan.reopen"),
    path("plans/<int:pk>/delete/", PlanDeleteView.as_view(), name="plan.delete"),
    path(
        "implementation-plans/",
        ImplementationPlanCurrentView.as_view(),
        name="implementation_plan.current",
    ),
    path(
        "implementation-plans/new/",
        ImplementationPlanCreateView.as_view(),
        name="implementation_plan.create",
    ),
    path(
        "implementation-plans/<int:pk>/",
        ImplementationPlanDetailView.as_view(),
        name="implementation_plan.detail",
    ),
    path(
        "implementation-plans/<int:pk>/edit/",
        ImplementationPlanEditView.as_view(),
        name="implementation_plan.edit",
    ),
    path(
        "implementation-plans/<int:pk>/file/",
        ImplementationPlanFileView.as_view(),
        name="implementation_plan.file",
    ),
    path(
        "implementation-plans/<int:pk>/reopen/",
        ImplementationPlanReopenView.as_view(),
        name="implementation_plan.reopen",
    ),
    path(
        "implementation-plans/<int:pk>/attachment/",
        ImplementationPlanAttachmentView.as_view(),
        name="implementation_plan.attachment",
    ),
]
