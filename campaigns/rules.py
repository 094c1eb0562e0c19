"""Who may see and change what: the one place the portal answers it.

Three roles (domain.md): Organization Department staff see everything; a
secretary sees and manages their own organization and every organization
below it; a Party member sees their own records and the public items of their
own organization. Every view and queryset goes through ``visible()``,
``get_visible_or_404()``, ``can_view()`` and ``can_manage()`` here, and the
django-rules permissions registered at the bottom are built from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import rules
from django.apps import apps
from django.db import models
from django.db.models import Q
from django.http import Http404

from .enums import MemberRole, PlanStatus


class Role(StrEnum):
    DEPARTMENT = "department"
    SECRETARY = "secretary"
    MEMBER = "member"
    NONE = "none"


@dataclass(frozen=True)
class Scope:
    """What one user's role gives them, worked out once per request."""

    role: Role
    member: object | None = None  # campaigns.Member
    managed_path: str | None = None  # path prefix of the organizations a secretary manages
    organization_id: int | None = None

    @property
    def is_department(self) -> bool:
        return self.role is Role.DEPARTMENT

    @property
    def is_secretary(self) -> bool:
        return self.role is Role.SECRETARY


_NO_SCOPE = Scope(role=Role.NONE)


def scope_for(user) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return _NO_SCOPE
    cached = getattr(user, "_portal_scope", None)
    if cached is not None:
        return cached
    if user.is_superuser or getattr(user, "is_department_staff", False):
        scope = Scope(role=Role.DEPARTMENT)
    else:
        Member = apps.get_model("campaigns", "Member")
        member = (
            Member.objects.select_related("organization", "user")
            .filter(user=user, is_active=True)
            .first()
        )
        if member is None:
            scope = _NO_SCOPE
        elif member.role == MemberRole.SECRETARY:
            scope = Scope(
                role=Role.SECRETARY,
                member=member,
                managed_path=member.organization.path,
                organization_id=member.organization_id,
            )
        else:
            scope = Scope(role=Role.MEMBER, member=member, organization_id=member.organization_id)
    user._portal_scope = scope
    return scope


@dataclass(frozen=True)
class Ownership:
    """How a model hangs from an organization and, where it has one, a member.

    ``org``: lookup from the model to its Organization ("" for Organization).
    ``member``: lookup to the Member who owns it ("" for Member, None if none).
    ``org_public``: which rows every member of that organization may read.
    ``everyone``: which rows every signed-in user may read.
    ``managed_by``: who changes it through the portal: the organization's
    secretary, the owning member, or only the department.
    """

    org: str | None
    member: str | None = None
    org_public: Q | None = None
    everyone: Q | None = None
    managed_by: str = "secretary"
    extra: dict = field(default_factory=dict)

    def org_lookup(self, suffix: str) -> str:
        return f"{self.org}__{suffix}" if self.org else suffix


ALL = Q(pk__isnull=False)

OWNERSHIP: dict[str, Ownership] = {
    "campaigns.organization": Ownership(org=""),
    "campaigns.member": Ownership(org="organization", member=""),
    "campaigns.campaign": Ownership(org=None, everyone=ALL, managed_by="department"),
    "campaigns.implementationplan": Ownership(
        org="organization", org_public=Q(status=PlanStatus.FILED)
    ),
    "campaigns.extension": Ownership(org="organization", managed_by="department"),
    "learning.studyplan": Ownership(
        org="organization",
        member="member",
        org_public=Q(member__isnull=True, status=PlanStatus.FILED),
        managed_by="owner",
    ),
    "learning.studyactivity": Ownership(org="organization", org_public=ALL),
    "learning.activityattachment": Ownership(org="activity__organization", org_public=ALL),
    "learning.book": Ownership(org="organization", org_public=ALL),
    "learning.readingrecord": Ownership(
        org="member__organization", member="member", managed_by="member"
    ),
    "learning.studynote": Ownership(
        org="organization", member="member", org_public=Q(is_excellent=True), managed_by="member"
    ),
    "learning.researchtopic": Ownership(org="organization", org_public=ALL),
    "learning.suggestion": Ownership(org="organization", member="member", managed_by="member"),
    "appraisal.criterion": Ownership(org=None, everyone=ALL, managed_by="department"),
    "appraisal.selfassessment": Ownership(org="organization", member="member", managed_by="owner"),
    "appraisal.application": Ownership(org="organization", member="member"),
    "appraisal.review": Ownership(org=None, managed_by="department"),
    "appraisal.annualassessment": Ownership(org="organization", managed_by="department"),
    # A workbook covering one organization's subtree (or, with none, the district).
    "appraisal.assessmentexport": Ownership(org="organization"),
    "appraisal.commendation": Ownership(
        org="application__organization",
        everyone=Q(published_at__isnull=False),
        managed_by="department",
    ),
}


def ownership_of(model) -> Ownership:
    try:
        return OWNERSHIP[model._meta.label_lower]
    except KeyError:
        raise LookupError(f"No visibility rule for {model._meta.label}") from None


def _member_q(own: Ownership, member) -> Q:
    if own.member is None:
        return Q(pk__in=[])
    if own.member == "":
        return Q(pk=member.pk)
    return Q(**{own.member: member.pk})


def _in_subtree(own: Ownership, path: str) -> Q:
    if own.org == "":
        return Q(path__startswith=path)
    Organization = apps.get_model("campaigns", "Organization")
    subtree = Organization.objects.filter(path__startswith=path).values("pk")
    return Q(**{f"{own.org}__in": subtree})


def visibility_q(scope: Scope, model) -> Q | None:
    """The filter of rows ``scope`` may see; None means every row."""
    if scope.is_department:
        return None
    own = ownership_of(model)
    nothing = Q(pk__in=[])
    q = own.everyone if own.everyone is not None else nothing
    if scope.member is None:
        return q
    if own.org is not None:
        if scope.is_secretary:
            # Everything in the managed subtree, own organization included, so the
            # public-items branch below would only repeat it. Matched as an id list
            # from the organizations' path index: a LIKE on the joined path, ORed
            # with other branches, made PostgreSQL scan every row of the table.
            q |= _in_subtree(own, scope.managed_path)
        else:
            if own.org_public is not None:
                q |= Q(
                    **{own.org_lookup("pk") if own.org == "" else own.org: scope.organization_id}
                ) & (own.org_public)
            if own.org == "":
                q |= Q(pk=scope.organization_id)
    q |= _member_q(own, scope.member)
    return q


def visible(user, queryset_or_model) -> models.QuerySet:
    """Restrict a queryset (or a model's default manager) to what ``user`` may see."""
    qs = queryset_or_model
    if isinstance(qs, type) and issubclass(qs, models.Model):
        qs = qs._default_manager.all()
    q = visibility_q(scope_for(user), qs.model)
    return qs if q is None else qs.filter(q)


def get_visible_or_404(user, queryset_or_model, **lookup):
    """The object, if ``user`` may see it; a 404 otherwise, so outsiders learn nothing."""
    try:
        return visible(user, queryset_or_model).get(**lookup)
    except (models.ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_view(user, obj) -> bool:
    if obj is None:
        return False
    return visible(user, type(obj)).filter(pk=obj.pk).exists()


def _org_of(obj, own: Ownership):
    target = obj
    if own.org:
        for part in own.org.split("__"):
            target = getattr(target, part, None)
            if target is None:
                return None
    return target


def _member_id_of(obj, own: Ownership):
    if own.member is None:
        return None
    if own.member == "":
        return obj.pk
    return getattr(obj, f"{own.member}_id", None)


def can_manage(user, obj) -> bool:
    """May ``user`` create / change / delete ``obj`` through the portal's pages?

    The department manages campaign-wide things (campaigns, criteria,
    extensions, reviews, assessments, commendations); a secretary manages what
    belongs to organizations in their subtree; a member manages their own
    notes, reading records, suggestions, personal plan and self-assessment.
    """
    scope = scope_for(user)
    if obj is None or scope.role is Role.NONE:
        return False
    own = ownership_of(type(obj))
    if own.managed_by == "department":
        return scope.is_department
    member_id = _member_id_of(obj, own)
    is_members = member_id is not None and own.member != ""
    if own.managed_by in {"member", "owner"} and is_members:
        return scope.member is not None and scope.member.pk == member_id
    if own.managed_by == "member":
        return False
    if scope.is_secretary:
        organization = _org_of(obj, own)
        return organization is not None and organization.path.startswith(scope.managed_path)
    return False


# django-rules: "<app>.<model>.view" and "<app>.<model>.manage" for every
# model above, so views can declare ``permission_required``.
@rules.predicate
def _can_view(user, obj):
    return can_view(user, obj)


@rules.predicate
def _can_manage(user, obj):
    return can_manage(user, obj)


@rules.predicate
def is_department(user):
    return scope_for(user).is_department


@rules.predicate
def is_secretary(user):
    return scope_for(user).is_secretary


@rules.predicate
def is_member(user):
    return scope_for(user).member is not None


for _label in OWNERSHIP:
    rules.add_perm(f"{_label}.view", _can_view)
    rules.add_perm(f"{_label}.manage", _can_manage)

rules.add_perm("portal.department", is_department)
rules.add_perm("portal.secretary", is_secretary)
rules.add_perm("portal.member", is_member)
