from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    COMMITTEE = "committee", _("Party committee")
    GENERAL_BRANCH = "general_branch", _("General Party branch")
    BRANCH = "branch", _("Party branch")


# Which kinds may sit directly under which: 党委 → 党总支 → 党支部, and a
# 党委 may also hold branches directly.
ALLOWED_CHILD_KINDS = {
    OrganizationKind.COMMITTEE: {OrganizationKind.GENERAL_BRANCH, OrganizationKind.BRANCH},
    OrganizationKind.GENERAL_BRANCH: {OrganizationKind.BRANCH},
    OrganizationKind.BRANCH: set(),
}


class MemberRole(models.TextChoices):
    SECRETARY = "secretary", _("Secretary")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")
    MEMBER = "member", _("Party member")


class PlanStatus(models.TextChoices):
    """Plans are drafted, then filed (提交); a filed plan is read-only until reopened."""

    DRAFT = "draft", _("Draft")
    FILED = "filed", _("Filed")


class AuditAction(models.TextChoices):
    """What an audit trail event (审计日志) records."""

    LOGIN = "login", _("Signed in")
    LOGOUT = "logout", _("Signed out")
    LOGIN_FAILED = "login_failed", _("Failed sign-in")
    CREATE = "create", _("Created")
    CHANGE = "change", _("Changed")
    DELETE = "delete", _("Deleted")
    TRANSITION = "transition", _("State change")
    EXPORT = "export", _("Export")
    IMPORT = "import", _("Import")
    UNLOCK = "unlock", _("Lock-out lifted")
    PASSWORD_CHANGE = "password_change", _("Password changed")
    PASSWORD_CHANGE_REQUIRED = "password_change_required", _("Password change required")
