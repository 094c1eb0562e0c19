"""The department's back office: the Django admin for campaigns, organizations and members.

Built for a district of 5,000 organizations and 100,000 members: every foreign
key to a big table is an autocomplete, list filters never list organizations
or members, and each change list runs a fixed number of queries whatever the
number of rows (related names come from ``select_related``, counts from
subqueries).
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .enums import OrganizationKind
from .models import (
    AuditEvent,
    Campaign,
    DeadlineChange,
    Enterprise,
    Extension,
    ImplementationPlan,
    Member,
    Organization,
    User,
)

admin.site.site_header = _("“Double Strive” campaign administration")
admin.site.site_title = _("“Double Strive” administration")
admin.site.index_title = _("Back office of the Organization Department")
# Change lists are wide (organization names are long); they need the room.
admin.site.enable_nav_sidebar = False


# --- Shared pieces (also used by learning.admin and appraisal.admin) ------------------------


def count_of(model, fk: str, **filters):
    """A correlated subquery counting ``model`` rows whose ``fk`` points at the outer row.

    A subquery rather than ``Count()`` keeps GROUP BY out of the change list
    and lets the paginator's COUNT(*) drop it.
    """
    rows = (
        model._default_manager.filter(**{fk: OuterRef("pk")}, **filters)
        .order_by()
        .values(fk)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def changelist_link(model, text, **params):
    """A link to ``model``'s change list filtered by ``params``."""
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return format_html('<a href="{}?{}">{}</a>', url, query, text)


@admin.display(description=_("year"), ordering="campaign__year")
def campaign_year(obj):
    """The campaign in a change list: its year says it, the title only repeats itself."""
    return obj.campaign.year


class OrganizationKindFilter(admin.SimpleListFilter):
    """The kind of the row's organization: a list of the organizations would be 5,000 long."""

    title = _("kind of Party organization")
    parameter_name = "organization_kind"

    def lookups(self, request, model_admin):
        return OrganizationKind.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(organization__kind=self.value())
        return queryset


class PortalAdminMixin:
    """What every admin of the portal does."""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if isinstance(self.list_select_related, list | tuple) and self.list_select_related:
            # Applied here, not only by the change list (which skips
            # list_select_related once the queryset has any select_related):
            # autocompletes and delete pages show the same names.
            qs = qs.select_related(*self.list_select_related)
        return qs

    def get_deleted_objects(self, objs, request):
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            # Nothing is deleted while protected records hang from it, whatever
            # the permissions; Django would otherwise report the missing delete
            # permission on those very records (application history has none)
            # instead of naming what blocks the deletion.
            perms_needed = set()
        return to_delete, model_count, perms_needed, protected


class PortalAdmin(PortalAdminMixin, admin.ModelAdmin):
    pass


class ReadOnlyAdminMixin:
    """For records written once by the portal's services (histories, logs): nobody edits them."""

    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class BigTableAdmin(PortalAdmin):
    """For tables that grow to tens of thousands of rows.

    No full-table COUNT(*) beside the filtered one, and no facet counts (one
    GROUP BY per filter over the whole table) even when asked for. Tables of
    100,000 rows and more (users, notes, plans, attendance) filter by date
    with a date list filter, which costs no query, rather than a
    date_hierarchy, whose SELECT DISTINCT over the whole table takes seconds.
    """

    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50


def fill_recorded_by(obj, fields, user):
    for field in fields:
        if getattr(obj, f"{field}_id") is None:
            setattr(obj, field, user)


class RecordedByMixin:
    """Fills "who did it" fields with the signed-in user instead of offering them in the form.

    ``recorded_by_fields`` names the foreign keys to users that record who
    created a row (recorded_by, granted_by, …). They are read-only in the
    admin and set once, when the row is added — here or in an inline that
    uses ``RecordedByInlineMixin``.
    """

    recorded_by_fields: tuple[str, ...] = ()

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), *self.recorded_by_fields)

    def save_model(self, request, obj, form, change):
        if not change:
            fill_recorded_by(obj, self.recorded_by_fields, request.user)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        fields = getattr(formset, "recorded_by_fields", ())
        if not fields:
            return super().save_formset(request, form, formset, change)
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for instance in instances:
            if instance._state.adding:
                fill_recorded_by(instance, fields, request.user)
            instance.save()
        formset.save_m2m()
        return None


class RecordedByInlineMixin:
    """``RecordedByMixin`` for inlines; the parent admin must use ``RecordedByMixin``."""

    recorded_by_fields: tuple[str, ...] = ()

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), *self.recorded_by_fields)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.recorded_by_fields = self.recorded_by_fields
        return formset


class MemberChoicesMixin:
    """Member choices carry their user, so each selected name costs no extra query."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Member:
            kwargs.setdefault("queryset", Member.objects.select_related("user"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.related_model is Member:
            kwargs.setdefault("queryset", Member.objects.select_related("user"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


# --- Archiving: what the department does instead of deleting -------------------------------


def _set_active(modeladmin, request, queryset, *, active: bool, done):
    """Archive (or restore) the selected rows; their records stay where they are.

    Rows are taken top-down (organizations in tree order), so archiving a branch
    with its committee archives the branch first; a row the models' rules refuse
    (an organization with active members left, a member of an archived
    organization …) is skipped and named.
    """
    changed, refused = 0, []
    rows = queryset.exclude(is_active=active)
    if rows.model is Organization:
        rows = rows.order_by("path" if active else "-depth", "path")
    with transaction.atomic():
        # One save per row rather than update(): the admin log and any audit
        # signal see each archived organization or member.
        for obj in rows:
            obj.is_active = active
            try:
                obj.clean()
            except ValidationError as error:
                refused.extend(error.messages)
                continue
            obj.save(update_fields=["is_active"])
            modeladmin.log_change(request, obj, [{"changed": {"fields": ["is_active"]}}])
            changed += 1
    if changed or not refused:
        modeladmin.message_user(request, done % {"count": changed}, messages.SUCCESS)
    for message in refused:
        modeladmin.message_user(request, message, messages.ERROR)


@admin.action(
    description=_("Archive the selected %(verbose_name_plural)s (records are kept)"),
    permissions=["change"],
)
def archive_selected(modeladmin, request, queryset):
    _set_active(
        modeladmin,
        request,
        queryset,
        active=False,
        done=_("%(count)d archived: their records are kept, the pages no longer list them."),
    )


@admin.action(
    description=_("Restore the selected archived %(verbose_name_plural)s"),
    permissions=["change"],
)
def restore_selected(modeladmin, request, queryset):
    _set_active(modeladmin, request, queryset, active=True, done=_("%(count)d restored."))


# --- Users ----------------------------------------------------------------------------------


class MembershipInline(admin.StackedInline):
    model = Member
    fk_name = "user"
    extra = 0
    max_num = 1
    can_delete = False  # members who leave are archived (is_active), not deleted
    autocomplete_fields = ["organization"]
    fields = ["organization", "role", "is_cadre", "position", "joined_party_on", "is_active"]
    verbose_name = _("Party membership")
    verbose_name_plural = _("Party membership")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "organization")


@admin.register(User)
class UserAdmin(PortalAdminMixin, DjangoUserAdmin):
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("full_name", "phone", "email")}),
        (_("Portal role"), {"fields": ("is_department_staff", "must_change_password")}),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ),
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "full_name",
                    "phone",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
        (
            _("Portal role"),
            {"fields": ("is_department_staff", "must_change_password", "is_staff")},
        ),
    )
    inlines = [MembershipInline]
    list_display = [
        "username",
        "full_name",
        "phone",
        "organization",
        "is_department_staff",
        "is_staff",
        "is_active",
        "last_login",
    ]
    list_select_related = ["membership__organization"]
    list_filter = [
        "is_department_staff",
        "is_staff",
        "is_superuser",
        "is_active",
        "must_change_password",
        "groups",
    ]
    search_fields = ["username", "full_name", "phone", "email"]
    ordering = ["username"]
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50

    # Department staff onboard and unlock accounts, but only a superuser may
    # hand out superuser status or permissions: otherwise anyone who can change
    # users could make themselves (or a friend) all-powerful.
    PRIVILEGE_FIELDS = ("is_superuser", "groups", "user_permissions")

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += [field for field in self.PRIVILEGE_FIELDS if field not in readonly]
        return readonly

    def has_change_permission(self, request, obj=None):
        # Nobody but a superuser edits a superuser's account.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description=_("Party organization"), ordering="membership__organization__path")
    def organization(self, obj):
        try:
            return obj.membership.organization
        except ObjectDoesNotExist:
            return None


# --- Organizations --------------------------------------------------------------------------


@admin.register(Enterprise)
class EnterpriseAdmin(PortalAdmin):
    list_display = ["name", "credit_code", "industry", "address", "organization_count"]
    search_fields = ["name", "credit_code"]
    ordering = ["name"]
    show_full_result_count = False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(organization_count=count_of(Organization, "enterprise"))
        )

    @admin.display(description=_("Party organizations"), ordering="organization_count")
    def organization_count(self, obj):
        return changelist_link(Organization, obj.organization_count, enterprise__id__exact=obj.pk)


@admin.register(Organization)
class OrganizationAdmin(BigTableAdmin):
    list_display = [
        "indented_name",
        "code",
        "kind",
        "enterprise",
        "parent",
        "member_count",
        "is_active",
    ]
    list_display_links = ["indented_name"]
    list_select_related = ["enterprise", "parent"]
    list_filter = [
        "kind",
        "is_active",
        ("parent", admin.EmptyFieldListFilter),
    ]
    search_fields = ["name", "code", "enterprise__name"]
    ordering = ["path"]
    autocomplete_fields = ["parent", "enterprise"]
    fields = [
        "name",
        "code",
        "kind",
        "parent",
        "enterprise",
        "founded_on",
        "contact_phone",
        "is_active",
        "ancestry",
    ]
    readonly_fields = ["ancestry"]
    # Organizations with records cannot be deleted: the department archives them.
    actions = [archive_selected, restore_selected]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(member_count=count_of(Member, "organization", is_active=True))
        )

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, obj):
        # Full-width spaces indent without any inline style (the CSP forbids it).
        prefix = "\u3000" * obj.depth + ("└ " if obj.depth else "")
        return f"{prefix}{obj.name}"

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, obj):
        return changelist_link(Member, obj.member_count, organization__id__exact=obj.pk)

    @admin.display(description=_("place in the tree"))
    def ancestry(self, obj):
        if obj is None or not obj.pk:
            return "-"
        names = [str(org) for org in obj.ancestors()]
        return " › ".join([*names, obj.name])


@admin.register(Member)
class MemberAdmin(BigTableAdmin):
    list_display = [
        "name",
        "username",
        "organization",
        "role",
        "is_cadre",
        "position",
        "joined_party_on",
        "is_active",
    ]
    list_select_related = ["user", "organization"]
    list_filter = ["role", "is_cadre", "is_active", OrganizationKindFilter]
    search_fields = [
        "user__full_name",
        "user__username",
        "user__phone",
        "organization__name",
        "organization__code",
    ]
    ordering = ["organization__path", "user__full_name"]
    autocomplete_fields = ["user", "organization"]
    # Members who leave are archived rather than deleted, so their records stay.
    actions = [archive_selected, restore_selected]

    @admin.display(description=_("name"), ordering="user__full_name")
    def name(self, obj):
        return obj.user.get_full_name()

    @admin.display(description=_("username"), ordering="user__username")
    def username(self, obj):
        return obj.user.username


# --- Campaigns ------------------------------------------------------------------------------


@admin.register(Campaign)
class CampaignAdmin(PortalAdmin):
    list_display = ["year", "title", "starts_on", "ends_on", "application_deadline"]
    list_display_links = ["year", "title"]
    search_fields = ["title", "year"]
    ordering = ["-year"]
    date_hierarchy = "starts_on"

    def get_readonly_fields(self, request, obj=None):
        # Once a campaign exists its deadline moves only through the department's deadline
        # page (/appraisal/deadline/), which records the old date, the new one and why.
        if obj is not None:
            return ["application_deadline"]
        return []


@admin.register(ImplementationPlan)
class ImplementationPlanAdmin(BigTableAdmin):
    list_display = [
        "title",
        "organization",
        campaign_year,
        "status",
        "filed_at",
        "filed_by",
        "updated_at",
    ]
    list_select_related = ["organization", "campaign", "filed_by"]
    list_filter = ["campaign", "status", OrganizationKindFilter]
    search_fields = ["title", "organization__name", "organization__code"]
    ordering = ["-campaign__year", "organization__path"]
    date_hierarchy = "filed_at"
    autocomplete_fields = ["organization", "filed_by"]


@admin.register(Extension)
class ExtensionAdmin(RecordedByMixin, BigTableAdmin):
    list_display = ["organization", campaign_year, "deadline", "granted_by", "granted_at"]
    list_select_related = ["organization", "campaign", "granted_by"]
    list_filter = ["campaign"]
    search_fields = ["organization__name", "organization__code", "reason"]
    ordering = ["-granted_at"]
    date_hierarchy = "granted_at"
    autocomplete_fields = ["organization"]
    recorded_by_fields = ("granted_by",)

    # An extension is a record of what was granted when: a later one supersedes it, but it is
    # never edited or deleted.
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DeadlineChange)
class DeadlineChangeAdmin(ReadOnlyAdminMixin, BigTableAdmin):
    """Read-only: deadlines move through the department's deadline page, which records why."""

    list_display = [campaign_year, "old_deadline", "new_deadline", "changed_by", "changed_at"]
    list_select_related = ["campaign", "changed_by"]
    list_filter = ["campaign"]
    search_fields = ["reason"]
    ordering = ["-changed_at", "-pk"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, BigTableAdmin):
    """The security audit trail: read-only for everyone, superusers included.

    Rows leave it only through ``manage.py prune_audit`` (older than 180 days).
    """

    list_display = ["at", "actor_name", "ip", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type", ("at", admin.DateFieldListFilter)]
    search_fields = ["actor_name", "object_repr", "detail", "ip", "object_id"]
    ordering = ["-at", "-pk"]
    readonly_fields = [
        "at",
        "actor",
        "actor_name",
        "ip",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "changes",
        "detail",
    ]
    list_select_related = ["actor"]
