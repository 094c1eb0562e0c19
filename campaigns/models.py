import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enums import ALLOWED_CHILD_KINDS, AuditAction, MemberRole, OrganizationKind, PlanStatus

SHANGHAI = ZoneInfo("Asia/Shanghai")


class User(AbstractUser):
    """A login. Chinese names are not split into first and last name."""

    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    is_department_staff = models.BooleanField(
        _("Organization Department staff"),
        default=False,
        help_text=_(
            "Staff of the Party Working Committee's Organization Department see every "
            "organization and review applications."
        ),
    )
    must_change_password = models.BooleanField(
        _("must change password at next login"), default=False
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.username

    def get_full_name(self):
        return self.full_name or self.username

    def get_short_name(self):
        return self.full_name or self.username


class Enterprise(models.Model):
    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, null=True, blank=True
    )
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name"], name="enterprise_unique_name")]

    def __str__(self):
        return self.name


class Organization(models.Model):
    """A Party organization in the district's tree.

    The tree is a parent foreign key (PROTECT, so a parent with children cannot
    be deleted) plus a materialized ``path`` of ids ("/3/17/52/") that makes
    "this organization and everything below it" one indexed prefix match.
    """

    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(
        _("organization code"),
        max_length=32,
        unique=True,
        help_text=_("The district's code for this organization; used by imports."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OrganizationKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("Party organization")
        verbose_name_plural = _("Party organizations")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")), name="organization_not_own_parent"
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        with transaction.atomic():
            old_path = self.path
            if not self.pk:
                super().save(*args, **kwargs)
                kwargs = {}
            new_path = self.compute_path()
            if new_path != old_path:
                self.path = new_path
                self.depth = new_path.count("/") - 2
                if old_path:
                    # The organization moved: its descendants' paths follow.
                    Organization.objects.filter(path__startswith=old_path).exclude(
                        pk=self.pk
                    ).update(
                        path=Concat(
                            models.Value(new_path),
                            Substr("path", len(old_path) + 1),
                            output_field=models.CharField(),
                        ),
                        depth=models.F("depth") + (self.depth - (old_path.count("/") - 2)),
                    )
            super().save(*args, **kwargs)

    def clean(self):
        self._check_archiving()
        if self.parent_id is None:
            return
        parent = self.parent
        if self.pk and (parent.pk == self.pk or parent.path.startswith(self.path)):
            raise ValidationError(
                {"parent": _("An organization cannot be placed under itself or its own branches.")}
            )
        if self.kind and self.kind not in ALLOWED_CHILD_KINDS[OrganizationKind(parent.kind)]:
            raise ValidationError(
                {
                    "parent": _("A %(child)s cannot be placed under a %(parent)s.")
                    % {"child": self.get_kind_display(), "parent": parent.get_kind_display()}
                }
            )

    def _check_archiving(self):
        """An archived organization leaves no active member or organization under it,
        and an active one does not hang from an archived parent."""
        if not self.is_active and self.pk:
            members = self.members.filter(is_active=True).count()
            children = self.children.filter(is_active=True).count()
            if members or children:
                raise ValidationError(
                    {
                        "is_active": _(
                            "%(name)s still has %(members)d active member(s) and %(children)d "
                            "active organization(s) under it: transfer or archive them first."
                        )
                        % {"name": self.name, "members": members, "children": children}
                    }
                )
        if self.is_active and self.parent_id and not self.parent.is_active:
            raise ValidationError(
                {
                    "is_active": _(
                        "%(name)s cannot be active under the archived %(parent)s: restore that "
                        "organization first, or move this one elsewhere."
                    )
                    % {"name": self.name, "parent": self.parent.name}
                }
            )

    def compute_path(self) -> str:
        parent_path = self.parent.path if self.parent_id else "/"
        return f"{parent_path}{self.pk}/"

    def descendants_and_self(self):
        return Organization.objects.filter(path__startswith=self.path)

    def ancestors(self):
        ids = [int(part) for part in self.path.strip("/").split("/")[:-1]]
        return Organization.objects.filter(pk__in=ids).order_by("depth")


class Member(models.Model):
    """A user's membership of one Party organization."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="membership",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("Party organization"),
        on_delete=models.PROTECT,
        related_name="members",
    )
    role = models.CharField(
        _("role"), max_length=20, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    is_cadre = models.BooleanField(_("Party cadre"), default=False)
    position = models.CharField(_("post in the enterprise"), max_length=100, blank=True)
    joined_party_on = models.DateField(_("joined the Party on"), null=True, blank=True)
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Members who left are archived rather than deleted, so their records stay."),
    )

    class Meta:
        verbose_name = _("Party member")
        verbose_name_plural = _("Party members")
        ordering = ["organization__path", "user__full_name"]
        indexes = [models.Index(fields=["organization", "role"], name="member_org_role_idx")]

    def __str__(self):
        return str(self.user)

    def clean(self):
        if self.is_active and self.organization_id and not self.organization.is_active:
            raise ValidationError(
                {
                    "organization": _(
                        "%(organization)s is archived: an active member must belong to an "
                        "active organization."
                    )
                    % {"organization": self.organization.name}
                }
            )

    @property
    def name(self) -> str:
        return self.user.get_full_name()


def default_application_deadline(year: int) -> datetime.datetime:
    return datetime.datetime(year, 9, 30, 23, 59, 59, tzinfo=SHANGHAI)


class Campaign(models.Model):
    """One year's “双争” campaign."""

    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title = models.CharField(_("title"), max_length=200)
    notice = models.TextField(_("notice text"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    application_deadline = models.DateTimeField(
        _("application deadline"),
        blank=True,
        help_text=_("Defaults to 30 September, 23:59:59 (Beijing time) of the campaign year."),
    )

    class Meta:
        verbose_name = _("“Double Strive” campaign")
        verbose_name_plural = _("“Double Strive” campaigns")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.title}"

    def save(self, *args, **kwargs):
        if self.application_deadline is None and self.year:
            self.application_deadline = default_application_deadline(self.year)
        super().save(*args, **kwargs)

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The campaign cannot end before it starts.")})


class ImplementationPlan(models.Model):
    """An organization's own plan for the campaign (具体实施方案)."""

    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="implementation_plans",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("Party organization"),
        on_delete=models.PROTECT,
        related_name="implementation_plans",
    )
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("content"), blank=True)
    attachment = models.FileField(_("attachment"), upload_to="implementation-plans/%Y/", blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("implementation plan")
        verbose_name_plural = _("implementation plans")
        ordering = ["-campaign__year", "organization__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organization"], name="implementation_plan_one_per_campaign"
            ),
            models.CheckConstraint(
                condition=models.Q(status=PlanStatus.DRAFT) | models.Q(filed_at__isnull=False),
                name="implementation_plan_filed_has_time",
            ),
        ]

    def __str__(self):
        return self.title


class Extension(models.Model):
    """A later application deadline granted to one organization.

    Several may be granted over time; the latest one counts, and the earlier
    ones stay as the record of what was granted when.
    """

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="extensions"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("Party organization"),
        on_delete=models.PROTECT,
        related_name="extensions",
    )
    deadline = models.DateTimeField(_("extended deadline"))
    reason = models.TextField(_("reason"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        ordering = ["-granted_at"]
        indexes = [
            models.Index(
                fields=["campaign", "organization", "-granted_at"], name="extension_lookup_idx"
            )
        ]

    def __str__(self):
        return f"{self.organization} → {self.deadline:%Y-%m-%d %H:%M}"


class DeadlineChange(models.Model):
    """The department moved a campaign's application deadline: the record of it.

    Written once by ``campaigns.services.campaign_deadline_move`` and never
    changed, so the department can always show when and why the date moved.
    """

    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="deadline_changes",
    )
    old_deadline = models.DateTimeField(_("previous deadline"))
    new_deadline = models.DateTimeField(_("new deadline"))
    reason = models.TextField(_("reason"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("deadline change")
        verbose_name_plural = _("deadline changes")
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{self.campaign.year}: {self.old_deadline:%Y-%m-%d} → {self.new_deadline:%Y-%m-%d}"


class AuditTrailIsAppendOnly(Exception):
    """An audit event cannot be changed or deleted (except by ``prune_audit``)."""


class AuditEventQuerySet(models.QuerySet):
    """The audit trail is append-only: no update, no delete, only ``prune``."""

    def update(self, **kwargs):
        raise AuditTrailIsAppendOnly("Audit events cannot be changed.")

    def delete(self):
        raise AuditTrailIsAppendOnly("Audit events cannot be deleted; see prune_audit.")

    def prune(self, *, before: datetime.datetime) -> int:
        """Delete the events recorded before ``before``; the number deleted.

        The one way rows leave the trail, used by ``manage.py prune_audit``
        (which refuses to keep fewer than 180 days).
        """
        old = self.filter(at__lt=before)
        return old._raw_delete(old.db)


class AuditEvent(models.Model):
    """One entry of the security audit trail (安全审计): who did what, when, from where.

    Written by ``campaigns.audit.record`` (signals and a few services); never
    changed or deleted through the portal or the admin.
    """

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    actor_name = models.CharField(_("login name"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=30, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    detail = models.TextField(_("detail"), blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-pk"]
        base_manager_name = "objects"
        indexes = [
            models.Index(fields=["actor", "-at"], name="audit_actor_idx"),
            models.Index(fields=["action", "-at"], name="audit_action_idx"),
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["ip", "-at"], name="audit_ip_idx"),
        ]

    def __str__(self):
        return f"{self.actor_name or '—'} {self.get_action_display()} {self.object_repr}".strip()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditTrailIsAppendOnly("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditTrailIsAppendOnly("Audit events cannot be deleted.")
