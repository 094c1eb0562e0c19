"""Self-assessment (自评) pages: an organization's (by its secretary) and a member's own,
the assessment page with evidence per criterion, the form with the evidence picker,
and protected downloads of uploaded evidence files."""

from __future__ import annotations

from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView, View

from campaigns import rules
from campaigns.models import Organization
from campaigns.rules import Role
from campaigns.templatetags.portal_tags import num
from learning.views.library import ObjectMixin, add_service_errors
from learning.views.mixins import CampaignMixin, RoleRequiredMixin

from ..enums import CriterionSubject, EvidenceKind, SelfAssessmentStatus
from ..forms.assessments import AssessmentForm, OrganizationChoiceForm
from ..models import Evidence, SelfAssessment
from ..selectors import assessments as selectors
from ..services import assessments as services
from ..services.assessments import field_name

MEMBERS = (Role.SECRETARY, Role.MEMBER)  # a secretary is a Party member too


def _show_errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


class StartMixin(CampaignMixin):
    """The landing pages: the assessment of this year, or a button to begin it."""

    template_name = "appraisal/assessment/start.html"

    def subject_kwargs(self) -> dict:
        raise NotImplementedError

    def existing(self):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        campaign = self.get_campaign()
        assessment = self.existing()
        subject = self.subject
        return super().get_context_data(
            campaign=campaign,
            assessment=assessment,
            totals=selectors.assessment_totals(assessment) if assessment else None,
            criteria=list(selectors.criteria_of(campaign, subject)),
            subject=subject,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        try:
            assessment = services.assessment_start(
                user=request.user, campaign=self.get_campaign(), **self.subject_kwargs()
            )
        except ValidationError as error:
            _show_errors(request, error)
            return redirect(request.get_full_path())
        return redirect("appraisal:assessment.edit", pk=assessment.pk)


class OrganizationAssessmentView(RoleRequiredMixin, StartMixin, TemplateView):
    """组织自评: the secretary picks one of the organizations they manage (?organization=)."""

    roles = (Role.SECRETARY,)
    subject = CriterionSubject.ORGANIZATION

    @cached_property
    def organizations(self):
        return (
            rules.visible(self.request.user, Organization).filter(is_active=True).order_by("path")
        )

    @cached_property
    def organization(self) -> Organization:
        chosen = self.request.GET.get("organization", "")
        if not chosen:
            return self.scope.member.organization
        if not chosen.isdigit() or len(chosen) > 12:
            raise Http404
        return rules.get_visible_or_404(self.request.user, self.organizations, pk=int(chosen))

    def subject_kwargs(self):
        return {"organization": self.organization}

    def existing(self):
        return selectors.organization_assessment(self.get_campaign(), self.organization)

    def get_context_data(self, **kwargs):
        organizations = list(self.organizations[:500])
        picker = None
        if len(organizations) > 1:
            picker = OrganizationChoiceForm(
                initial={"organization": self.organization.pk},
                organizations=self.organizations,
            )
        return super().get_context_data(
            subject_name=self.organization.name, picker=picker, **kwargs
        )


class MyAssessmentView(RoleRequiredMixin, StartMixin, TemplateView):
    """个人自评: a member scores themself; once begun, the page is the assessment itself."""

    roles = MEMBERS
    subject = CriterionSubject.MEMBER

    def subject_kwargs(self):
        return {"member": self.scope.member}

    def existing(self):
        return selectors.member_assessment(self.get_campaign(), self.scope.member)

    def get(self, request, *args, **kwargs):
        assessment = self.existing()
        if assessment is not None:
            return redirect("appraisal:assessment.detail", pk=assessment.pk)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(subject_name=self.scope.member.name, **kwargs)


class AssessmentObjectMixin(ObjectMixin):
    model = SelfAssessment

    def get_queryset(self):
        return selectors.assessment_queryset(self.request.user)


class AssessmentDetailView(AssessmentObjectMixin, TemplateView):
    template_name = "appraisal/assessment/detail.html"

    def get_context_data(self, **kwargs):
        assessment = self.object
        rows = selectors.assessment_detail(assessment)
        can_manage = rules.can_manage(self.request.user, assessment)
        blocked = can_manage and selectors.blocking_applications(assessment).exists()
        draft = assessment.status == SelfAssessmentStatus.DRAFT
        return super().get_context_data(
            assessment=assessment,
            subject_name=selectors.subject_name(assessment),
            rows=rows,
            totals=selectors.assessment_totals(assessment, rows),
            can_edit=can_manage and draft and not blocked,
            can_reopen=can_manage and not draft and not blocked,
            blocked=blocked,
            **kwargs,
        )


class AssessmentEditView(AssessmentObjectMixin, FormView):
    manage = True
    form_class = AssessmentForm
    template_name = "appraisal/assessment/edit.html"

    def get(self, request, *args, **kwargs):
        refused = self.refused()
        return refused or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        refused = self.refused()
        return refused or super().post(request, *args, **kwargs)

    def refused(self):
        assessment = self.object
        if assessment.status != SelfAssessmentStatus.DRAFT:
            messages.info(
                self.request,
                _("The self-assessment is marked completed. Reopen it as a draft to change it."),
            )
        elif selectors.blocking_applications(assessment).exists():
            messages.info(
                self.request,
                _(
                    "An application using this self-assessment has been submitted; "
                    "it cannot change."
                ),
            )
        else:
            return None
        return redirect("appraisal:assessment.detail", pk=assessment.pk)

    @cached_property
    def rows(self):
        return selectors.assessment_detail(self.object)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "rows": self.rows}

    def get_initial(self):
        initial = {"statement": self.object.statement}
        for row in self.rows:
            if row.score is not None:
                # "16.5", not "16.50": the number input shows what was typed.
                initial[field_name("score", row.criterion.pk)] = num(row.score.score)
                initial[field_name("statement", row.criterion.pk)] = row.score.statement
        return initial

    def blocks(self, form):
        """Per criterion: its row, bound fields and the picker's groups with ticks."""
        groups = selectors.evidence_picker(self.object, self.rows)
        blocks = []
        for row in self.rows:
            name = field_name("evidence", row.criterion.pk)
            ticked = set(form.data.getlist(name)) if form.is_bound else row.linked_keys
            picker = [
                {
                    "group": group,
                    "options": [(option, option.key in ticked) for option in group.options],
                    "ticked": sum(option.key in ticked for option in group.options),
                }
                for group in groups
            ]
            fields = form.criterion_fields(row)
            blocks.append(
                {
                    "row": row,
                    "has_errors": any(bound.errors for bound in fields.values()),
                    "fields": fields,
                    "picker": picker,
                    "field_name": name,
                    "offered": sum(len(group.options) for group in groups),
                }
            )
        return blocks

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        assessment = self.object
        context.update(
            assessment=assessment,
            subject_name=selectors.subject_name(assessment),
            blocks=self.blocks(context["form"]),
            picker_limit=selectors.PICKER_LIMIT,
        )
        return context

    def form_valid(self, form):
        try:
            services.assessment_update(
                user=self.request.user,
                assessment=self.object,
                statement=form.cleaned_data["statement"],
                entries=form.entries(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The self-assessment was saved."))
        return redirect("appraisal:assessment.detail", pk=self.object.pk)


class AssessmentActionView(AssessmentObjectMixin, View):
    manage = True
    http_method_names = ["post"]

    def act(self, assessment):
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        try:
            message = self.act(self.object)
        except ValidationError as error:
            _show_errors(request, error)
        else:
            messages.success(request, message)
        return redirect("appraisal:assessment.detail", pk=self.object.pk)


class AssessmentCompleteView(AssessmentActionView):
    def act(self, assessment):
        services.assessment_complete(user=self.request.user, assessment=assessment)
        return _("The self-assessment is marked completed.")


class AssessmentReopenView(AssessmentActionView):
    def act(self, assessment):
        services.assessment_reopen(user=self.request.user, assessment=assessment)
        return _("The self-assessment is a draft again and can be changed.")


class EvidenceDownloadView(LoginRequiredMixin, View):
    """An uploaded evidence file, only for those who may see its self-assessment."""

    def get(self, request, *args, **kwargs):
        visible = rules.visible(request.user, SelfAssessment)
        evidence = (
            Evidence.objects.filter(
                pk=kwargs["pk"], kind=EvidenceKind.FILE, score__assessment__in=visible
            )
            .exclude(file="")
            .first()
        )
        if evidence is None:
            raise Http404
        try:
            handle = evidence.file.storage.open(evidence.file.name, "rb")
        except (OSError, ValueError):
            raise Http404 from None
        extension = PurePath(evidence.file.name).suffix.lower()
        name = evidence.description or str(_("evidence"))
        if not name.lower().endswith(extension):
            name = f"{name}{extension}"
        return FileResponse(handle, as_attachment=True, filename=name)


urlpatterns = [
    path(
        "self-assessment/organization/",
        OrganizationAssessmentView.as_view(),
        name="assessment.organization",
    ),
    path("self-assessment/mine/", MyAssessmentView.as_view(), name="assessment.mine"),
    path("self-assessment/<int:pk>/", AssessmentDetailView.as_view(), name="assessment.detail"),
    path("self-assessment/<int:pk>/edit/", AssessmentEditView.as_view(), name="assessment.edit"),
    path(
        "self-assessment/<int:pk>/complete/",
        AssessmentCompleteView.as_view(),
        name="assessment.complete",
    ),
    path(
        "self-assessment/<int:pk>/reopen/", AssessmentReopenView.as_view(), name="assessment.reopen"
    ),
    path("evidence/<int:pk>/", EvidenceDownloadView.as_view(), name="evidence.download"),
]
